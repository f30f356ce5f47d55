import type { Address, Hex, PublicClient } from "viem";
import { type HubRequest, type inferenceHubWithErrorsAbi, RequestStatus } from "../../abi/index.ts";
import { fromJson, toJson } from "../common/codec.ts";
import type { RelayerConfig } from "../common/config.ts";
import { RevertError } from "../common/errors.ts";
import type { Logger } from "../common/logger.ts";
import { withRetry } from "../common/retry.ts";
import { JobSupersededError } from "../jobs/jobErrors.ts";
import { declineReason } from "../jobs/policy.ts";
import type { Metrics } from "../ops/metrics.ts";
import { type Job, type JobState, outputMatchesRequest, requestHash, type Store } from "../store/store.ts";
import type { TxSender } from "../tx/chain.ts";
import { CALLBACK_GAS_RESERVE, CALLBACK_ON_COMMIT, CALLBACK_ON_SETTLE } from "../tx/hubGas.ts";
import { checkTeeResult } from "./checkTeeResult.ts";
import type { FetchContentOptions } from "./fetchContent.ts";
import type { TeeModel } from "./loadTeeModel.ts";
import { readTeeInput } from "./readTeeInput.ts";
import type { TeeSigner, TeeTask } from "./teeSigner.ts";

/** Reverts that mean "the chain moved on": re-read the request state instead of failing the job. */
const STATE_RACE_ERRORS = new Set(["HubUnexpectedStatus", "HubRequestMismatch"]);
/**
 * Gas limit of `commitAndSettle` when estimation fails, before callbacks: measured 95.0k for a node's first
 * result (its earnings slot written from zero) and 77.9k after, with the OCR model's 11 input words; with
 * head-room for more words and other storage prices.
 */
const COMMIT_AND_SETTLE_BASE_GAS = 170_000n;

/** A TEE model this node serves: its package and the signer that vouches for its results. */
export type ServedTeeModel = { readonly model: TeeModel; readonly signer: TeeSigner };

/** Everything one TEE job step needs. */
export type TeeJobDeps = {
  hub: Address;
  abi: typeof inferenceHubWithErrorsAbi;
  chainId: number;
  publicClient: PublicClient;
  sender: TxSender;
  store: Store;
  models: ReadonlyMap<string, ServedTeeModel>;
  metrics: Metrics;
  log: Logger;
  policy: RelayerConfig["policy"];
  maxFeePerGas: bigint;
  fetch: Omit<FetchContentOptions, "maxBytes">;
};

type ChainState = { status: number; deadline: bigint; node: Address };

async function readState(deps: TeeJobDeps, requestId: Hex): Promise<ChainState> {
  const [status, deadline, node] = await withRetry(() =>
    deps.publicClient.readContract({
      address: deps.hub,
      abi: deps.abi,
      functionName: "requestState",
      args: [requestId],
    }),
  );
  return { status, deadline, node };
}

/** Writes only while the row still holds the request this step started from (see processJob's `update`). */
function update(deps: TeeJobDeps, job: Job, patch: Partial<Job>): void {
  if (!deps.store.updateJob(job.requestId, patch, { expect: { requestJson: job.requestJson } })) {
    throw new JobSupersededError(job.requestId);
  }
  Object.assign(job, patch);
}

function setState(deps: TeeJobDeps, job: Job, state: JobState, patch: Partial<Job> = {}): void {
  update(deps, job, { state, ...patch });
  deps.log.info(
    { requestId: job.requestId, state, mode: "TEE", ...(patch.error ? { error: patch.error } : {}) },
    `job ${state}`,
  );
}

/** A gas limit that always suffices: the hub's own work plus what it demands be left for each callback asked. */
function commitAndSettleGasLimit(req: HubRequest): bigint {
  const perCallback = (BigInt(req.callbackGasLimit) * 64n) / 63n + 1n + CALLBACK_GAS_RESERVE;
  const callbacks = [CALLBACK_ON_COMMIT, CALLBACK_ON_SETTLE].filter((flag) => (req.callbackFlags & flag) !== 0);
  return COMMIT_AND_SETTLE_BASE_GAS + BigInt(callbacks.length) * perCallback;
}

/** The signed result stored for this request by an earlier attempt (persisted before its transaction), if any. */
function storedResult(job: Job): { output: bigint[]; signature: Hex } | undefined {
  if (!job.proofBytes || !outputMatchesRequest(job)) return undefined;
  return { output: fromJson<bigint[]>(job.outputJson!), signature: job.proofBytes as Hex };
}

/**
 * Produces the signed result: decodes the input, fetches and checks referenced content, has the model's
 * signer run and sign, checks its answer, and persists (output, signature) before anything is sent.
 * Returns undefined when the request was rejected instead.
 */
async function produceResult(
  deps: TeeJobDeps,
  job: Job,
  req: HubRequest,
  state: ChainState,
): Promise<{ output: bigint[]; signature: Hex } | undefined> {
  const served = deps.models.get(job.modelId)!;
  const input = await readTeeInput(served.model.manifest, req.input, deps.fetch);
  if ("rejected" in input) {
    setState(deps, job, "rejected", { error: `input refused: ${input.rejected}` });
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
  };
  const startedAt = performance.now();
  const result = await served.signer.run(task);
  await checkTeeResult({ publicClient: deps.publicClient, manifest: served.model.manifest }, task, result);
  deps.log.debug(
    {
      requestId: job.requestId,
      signer: result.signer,
      kind: served.signer.kind,
      ms: Math.round(performance.now() - startedAt),
    },
    "TEE result signed and checked",
  );
  setState(deps, job, "committing", {
    outputJson: toJson(result.output),
    proofBytes: result.signature,
    commitTx: null,
  });
  return { output: result.output, signature: result.signature };
}

/** The request awaits its result: produce it (once) and send `commitAndSettle`. */
async function serve(deps: TeeJobDeps, job: Job, req: HubRequest, state: ChainState): Promise<void> {
  if (job.state !== "seen" && job.state !== "committing") {
    deps.log.warn(
      { requestId: job.requestId, was: job.state },
      "our TEE settlement is no longer on chain: serving again",
    );
    setState(deps, job, "seen", { commitTx: null });
  }
  const head = await withRetry(() => deps.publicClient.getBlock({ blockTag: "latest" }));
  if (head.timestamp > state.deadline) return setState(deps, job, "expired", { error: "commit deadline passed" });
  if ((head.baseFeePerGas ?? 0n) > deps.maxFeePerGas) {
    deps.metrics.deferred.inc({ reason: "baseFeeAboveCap" });
    return;
  }
  const declined = declineReason(deps.policy, req);
  if (declined) {
    deps.metrics.declined.inc({ reason: declined.reason });
    return setState(deps, job, "declined", { error: declined.message });
  }
  // A result persisted by an earlier attempt is sent as is (its transaction may be pending): never re-signed.
  const result = storedResult(job) ?? (await produceResult(deps, job, req, state));
  if (!result) return;
  const { output, signature } = result;
  const sentAt = Date.now();
  const outcome = await deps.sender.send(
    {
      address: deps.hub,
      abi: deps.abi,
      functionName: "commitAndSettle",
      args: [job.requestId, req, output, signature],
      label: "commitAndSettle",
      key: `commitAndSettle:${job.requestId}:${requestHash(job.requestJson)}`,
      knownHashes: job.commitTx ? [job.commitTx as Hex] : [],
      fallbackGasLimit: commitAndSettleGasLimit(req),
    },
    (hash) => update(deps, job, { commitTx: hash, committedAt: sentAt }),
  );
  deps.metrics.requestToCommit.observe((sentAt - job.seenAt) / 1000);
  if ("dryRun" in outcome) return setState(deps, job, "simulated");
  deps.metrics.earnings.inc(Number(req.modelFee + req.callbackFee));
  setState(deps, job, "settled", {
    settledAt: Date.now(),
    settleTx: outcome.hash,
    settleGas: outcome.receipt.gasUsed.toString(),
    lastBlock: Number(outcome.receipt.blockNumber),
  });
}

/**
 * Moves one TEE job forward by reconciling the store with the chain's `requestState`, exactly as `processJob`
 * does for ZK models: Requested → (result signed, persisted) → one `commitAndSettle` → Settled. Committed never
 * persists for a TEE request; one seen Committed was committed through `commit` by someone else. Idempotent.
 */
export async function processTeeJob(deps: TeeJobDeps, job: Job): Promise<void> {
  const req = fromJson<HubRequest>(job.requestJson);
  const state = await readState(deps, job.requestId);
  const ours = state.node.toLowerCase() === deps.sender.address.toLowerCase();
  try {
    switch (state.status) {
      case RequestStatus.None:
        return;
      case RequestStatus.Requested:
        return await serve(deps, job, req, state);
      case RequestStatus.Committed:
        return setState(deps, job, "lost", { error: `committed by ${state.node} without a TEE settlement` });
      case RequestStatus.Settled:
        return setState(deps, job, ours ? "settled" : "lost", ours ? {} : { error: `settled for ${state.node}` });
      default:
        return setState(deps, job, "expired", {
          error: state.status === RequestStatus.Refunded ? "refunded" : "slashed",
        });
    }
  } catch (error) {
    if (error instanceof RevertError && STATE_RACE_ERRORS.has(error.errorName)) {
      deps.log.info({ requestId: job.requestId, revert: error.errorName }, "pre-flight lost a race: re-reading state");
      return;
    }
    throw error;
  }
}
