import { type Address, type Hex, isAddressEqual, type PublicClient, recoverTypedDataAddress, slice } from "viem";
import { enclaveRegistryAbi } from "../../abi/index.ts";
import { contentUri, decodeTensors, TeeDataError, type TeeManifest, verifyReferencedContent } from "../../sdk/index.ts";
import { hashWords, teeResultTypedData } from "../../tee/index.ts";
import { RelayerError } from "../common/errors.ts";
import { withRetry } from "../common/retry.ts";
import type { TeeSignedResult, TeeTask } from "./teeSigner.ts";

/** `IEnclaveRegistry.MeasurementStatus.Approved`. */
const MEASUREMENT_APPROVED = 1;

/**
 * A signed result the hub would refuse (or that is not what the model returns): wrong words, a signature that
 * does not recover to the signer it came with, or a key the enclave registry would not accept for the model.
 * Caught before any transaction; not retryable (registering or approving the key is an operator's act).
 */
export class TeeResultRejectedError extends RelayerError {
  override name = "TeeResultRejectedError";

  constructor(shortMessage: string, details?: string, cause?: unknown) {
    super(shortMessage, { details, cause, retryable: false });
  }
}

async function recoverSigner(task: TeeTask, result: TeeSignedResult): Promise<Address> {
  const expiry = BigInt(slice(result.signature, 0, 8));
  if (expiry !== task.expiry) {
    throw new TeeResultRejectedError("the signature's expiry is not the one asked", `${expiry} vs ${task.expiry}`);
  }
  const typed = teeResultTypedData(
    { chainId: task.chainId, verifier: task.verifier },
    {
      hub: task.hub,
      requestId: task.requestId,
      modelId: task.modelId,
      inputHash: hashWords(task.input),
      outputHash: hashWords(result.output),
      node: task.node,
      expiry: task.expiry,
    },
  );
  return recoverTypedDataAddress({ ...typed, signature: slice(result.signature, 8) as Hex });
}

/** Why the registry would refuse `signer` for `modelId` now, or undefined when it would accept it. */
async function keyRefusal(
  publicClient: PublicClient,
  registry: Address,
  signer: Address,
  modelId: bigint,
): Promise<string | undefined> {
  const contract = { address: registry, abi: enclaveRegistryAbi } as const;
  const key = await withRetry(() =>
    publicClient.readContract({ ...contract, functionName: "enclaveKey", args: [signer] }),
  );
  if (BigInt(key.measurement) === 0n) return `enclave key ${signer} is not registered`;
  if (key.revoked) return `enclave key ${signer} is revoked`;
  const { timestamp } = await withRetry(() => publicClient.getBlock({ blockTag: "latest" }));
  if (timestamp > key.expiresAt)
    return `enclave key ${signer} expired at ${key.expiresAt}: register a fresh attestation`;
  const allowed = await withRetry(() =>
    publicClient.readContract({ ...contract, functionName: "isAdapterAllowed", args: [key.adapter] }),
  );
  if (!allowed) return `the adapter ${key.adapter} of ${signer} is disallowed`;
  const status = await withRetry(() =>
    publicClient.readContract({ ...contract, functionName: "measurementStatus", args: [modelId, key.measurement] }),
  );
  if (status !== MEASUREMENT_APPROVED) {
    return `measurement ${key.measurement} of ${signer} is ${status === 0 ? "not approved" : "revoked"} for model ${modelId}`;
  }
  return undefined;
}

/**
 * The signer's key is not one the enclave registry accepts for the model now (unknown, revoked, expired, its adapter
 * disallowed, its measurement not approved or revoked). The job asks its signer again (it may hold a new key by
 * then) a bounded number of times before it is parked.
 */
export class TeeKeyRefusedError extends TeeResultRejectedError {
  override name = "TeeKeyRefusedError";
}

/**
 * Checks the outputs: the words decode as the manifest's outputs, and each output by reference names this node's
 * content URL for its hash and comes with content that hashes to it (the tensor's size), so the node can publish
 * what the enclave signed.
 */
function checkOutputs(manifest: TeeManifest, task: TeeTask, result: TeeSignedResult): void {
  try {
    for (const [i, tensor] of decodeTensors(manifest.outputs, result.output).entries()) {
      const content = result.contents[i] ?? null;
      if (tensor.kind === "inline") {
        if (content !== null) throw new TeeDataError("invalid-tensor", `${tensor.spec.name} is inline: no content`);
        continue;
      }
      const expected =
        task.contentBaseUrl === undefined ? undefined : contentUri(task.contentBaseUrl, tensor.contentHash);
      if (tensor.uri !== expected) {
        throw new TeeDataError(
          "invalid-tensor",
          `${tensor.spec.name}: URI ${tensor.uri}, this node publishes it at ${expected}`,
        );
      }
      if (content === null)
        throw new TeeDataError("content-mismatch", `${tensor.spec.name}: the signer sent no content`);
      verifyReferencedContent(tensor.spec, tensor, content);
    }
  } catch (cause) {
    const details = cause instanceof TeeDataError ? cause.message : String(cause);
    throw new TeeResultRejectedError("the signer's output words are not the manifest's outputs", details, cause);
  }
}

/**
 * Checks a signer's answer before anything is sent: the output words decode as the manifest's outputs (with the
 * content of outputs by reference, see `checkOutputs`), the signature covers exactly this task (chain, verifier, hub, request, model, input, output, node, expiry) and
 * recovers to the signer it came with, and the enclave registry holds that key, unrevoked, unexpired, from an
 * allowed adapter, with a measurement approved for the model.
 */
export async function checkTeeResult(
  deps: { publicClient: PublicClient; manifest: TeeManifest },
  task: TeeTask,
  result: TeeSignedResult,
): Promise<void> {
  checkOutputs(deps.manifest, task, result);
  const recovered = await recoverSigner(task, result);
  if (!isAddressEqual(recovered, result.signer)) {
    throw new TeeResultRejectedError(
      "the signature does not recover to the signer it came with",
      `${recovered} vs ${result.signer}`,
    );
  }
  const refusal = await keyRefusal(deps.publicClient, task.verifier, result.signer, task.modelId);
  if (refusal) throw new TeeKeyRefusedError("the enclave registry would refuse this signer", refusal);
}
