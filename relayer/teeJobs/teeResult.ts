import type { Hex } from "viem";
import type { HubRequest } from "../../abi/index.ts";
import { decodeTensors, type TeeManifest } from "../../sdk/index.ts";
import { fromJson, toJson } from "../common/codec.ts";
import { RevertError } from "../common/errors.ts";
import { type RequestChainState, setJobState } from "../jobs/jobRow.ts";
import { type Job, outputMatchesRequest } from "../store/store.ts";
import { checkTeeResult, TeeKeyRefusedError } from "./checkTeeResult.ts";
import type { TeeJobDeps } from "./processTeeJob.ts";
import { readTeeInput } from "./readTeeInput.ts";
import type { TeeTask } from "./teeSigner.ts";

/**
 * Reverts of the enclave registry (through `commitAndSettle`'s pre-flight) that mean the signature's key is not
 * accepted now, though it may have been when the result was signed: the result is signed again.
 */
const KEY_REFUSED_REVERTS = new Set([
  "EnclaveKeyUnknown",
  "EnclaveKeyIsRevoked",
  "EnclaveKeyExpired",
  "EnclaveKeyAdapterDisallowed",
  "EnclaveMeasurementRevoked",
  "EnclaveMeasurementNotApproved",
]);

/** A signed result, as persisted in the job row before its transaction. */
export type SignedResult = { output: bigint[]; signature: Hex };

/** Why `error` says the signing key is not accepted now (a pre-flight revert or the registry check), if it does. */
export function keyRefusalOf(error: unknown): string | undefined {
  if (error instanceof TeeKeyRefusedError) return error.details ?? error.shortMessage;
  if (error instanceof RevertError && KEY_REFUSED_REVERTS.has(error.errorName)) {
    return `${error.errorName}${error.details ?? ""}`;
  }
  return undefined;
}

/** The content hashes of a result's outputs by reference. */
function referencedOutputs(manifest: TeeManifest, output: readonly bigint[]): Hex[] {
  return decodeTensors(manifest.outputs, output).flatMap((t) => (t.kind === "reference" ? [t.contentHash] : []));
}

/**
 * The signed result stored for this request by an earlier attempt (persisted before its transaction), if any and
 * if the content of its outputs by reference is still published (it is signed again otherwise: a settled output
 * must be fetchable).
 */
export function storedResult(deps: TeeJobDeps, job: Job, manifest: TeeManifest): SignedResult | undefined {
  if (!job.proofBytes || !outputMatchesRequest(job)) return undefined;
  const output = fromJson<bigint[]>(job.outputJson!);
  const missing = referencedOutputs(manifest, output).filter((hash) => !deps.content?.store.has(hash));
  if (missing.length > 0) {
    deps.log.warn({ requestId: job.requestId, missing }, "a stored result's output content is gone: signing again");
    return undefined;
  }
  return { output, signature: job.proofBytes as Hex };
}

/** Forgets the stored result (its key is no longer accepted): nothing sends it again, even after a restart. */
export function dropResult(deps: TeeJobDeps, job: Job, reason: string): void {
  setJobState(
    deps,
    job,
    "seen",
    { outputJson: null, proofBytes: null, commitTx: null, error: reason },
    { mode: "TEE" },
  );
}

/**
 * Produces the signed result: decodes the input, fetches and checks referenced content, has the model's
 * signer run and sign, checks its answer, publishes the content of outputs by reference, and persists
 * (output, signature) before anything is sent. Returns undefined when the request was rejected instead.
 */
export async function produceResult(
  deps: TeeJobDeps,
  job: Job,
  req: HubRequest,
  state: RequestChainState,
): Promise<SignedResult | undefined> {
  const served = deps.models.get(job.modelId)!;
  const input = await readTeeInput(served.model.manifest, req.input, deps.fetch);
  if ("rejected" in input) {
    setJobState(deps, job, "rejected", { error: `input refused: ${input.rejected}` }, { mode: "TEE" });
    return undefined;
  }
  const task: TeeTask = {
    chainId: deps.chainId,
    verifier: req.verifier,
    hub: deps.hub,
    requestId: job.requestId,
    modelId: req.modelId,
    input: req.input,
    ...input,
    node: deps.sender.address,
    expiry: state.deadline,
    ...(deps.content ? { contentBaseUrl: deps.content.baseUrl } : {}),
  };
  const startedAt = performance.now();
  const result = await served.signer.run(task);
  await checkTeeResult({ publicClient: deps.publicClient, manifest: served.model.manifest }, task, result);
  // Published before the result is persisted, so before any transaction: a settled output is always fetchable.
  const published: Hex[] = [];
  for (const content of result.contents) if (content) published.push(await deps.content!.store.put(content));
  deps.log.debug(
    {
      requestId: job.requestId,
      signer: result.signer,
      kind: served.signer.kind,
      published,
      ms: Math.round(performance.now() - startedAt),
    },
    "TEE result signed and checked",
  );
  setJobState(
    deps,
    job,
    "committing",
    { outputJson: toJson(result.output), proofBytes: result.signature, commitTx: null, error: null },
    { mode: "TEE" },
  );
  return { output: result.output, signature: result.signature };
}
