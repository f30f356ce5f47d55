import { type Address, type Hex, keccak256, type PublicClient } from "viem";
import { type HubRequest, type inferenceHubWithErrorsAbi, RequestStatus } from "../../abi/index.ts";
import { fromJson } from "../common/codec.ts";
import type { RelayerConfig } from "../common/config.ts";
import { RevertError } from "../common/errors.ts";
import type { Logger } from "../common/logger.ts";
import { sleep, withRetry } from "../common/retry.ts";
import {
  type RequestChainState as ChainState,
  readRequestState,
  STATE_RACE_ERRORS,
  setJobState,
  updateJobRow,
} from "../jobs/jobRow.ts";
import { declineReason } from "../jobs/policy.ts";
import type { Metrics } from "../ops/metrics.ts";
import { type Job, type JobState, requestHash, type Store } from "../store/store.ts";
import type { TxSender } from "../tx/chain.ts";
import { CALLBACK_GAS_RESERVE, CALLBACK_ON_COMMIT, CALLBACK_ON_SETTLE } from "../tx/hubGas.ts";
import type { ContentStore } from "./contentStore.ts";
import type { FetchContentOptions } from "./fetchContent.ts";
import type { TeeModel } from "./loadTeeModel.ts";
import { dropResult, keyRefusalOf, produceResult, type SignedResult, storedResult } from "./teeResult.ts";
import type { TeeSigner } from "./teeSigner.ts";

/**
 * Gas limit of `commitAndSettle` when estimation fails, before callbacks: measured 95.0k for a node's first
 * result (its earnings slot written from zero) and 77.9k after, with the OCR model's 11 input words; with
 * head-room for more words and other storage prices.
 */
const COMMIT_AND_SETTLE_BASE_GAS = 170_000n;
/** Signatures asked for one job while its signer's key is refused: a rotated enclave registers its new key soon. */
const KEY_ATTEMPTS = 3;
/** Pause before asking the signer again after a key refusal; doubles per attempt (2 s, then 4 s). */
const KEY_RETRY_BASE_MS = 2_000;
/** Reason (job error prefix, metric label) of a job parked because its signer's key stayed refused. */
export const SIGNER_KEY_INACTIVE = "signerKeyInactive";

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
  /** Where outputs by reference are published: the store, and the URL prefix their URIs start with. */
  content?: { store: ContentStore; baseUrl: string };
  /** Aborts the pauses between signing attempts at shutdown. */
  signal?: AbortSignal;
};

function setState(deps: TeeJobDeps, job: Job, state: JobState, patch: Partial<Job> = {}): void {
  setJobState(deps, job, state, patch, { mode: "TEE" });
}

/** A gas limit that always suffices: the hub's own work plus what it demands be left for each callback asked. */
function commitAndSettleGasLimit(req: HubRequest): bigint {
  const perCallback = (BigInt(req.callbackGasLimit) * 64n) / 63n + 1n + CALLBACK_GAS_RESERVE;
  const callbacks = [CALLBACK_ON_COMMIT, CALLBACK_ON_SETTLE].filter((flag) => (req.callbackFlags & flag) !== 0);
  return COMMIT_AND_SETTLE_BASE_GAS + BigInt(callbacks.length) * perCallback;
}

/** Sends `commitAndSettle` with the signed result and records the settlement. */
async function send(deps: TeeJobDeps, job: Job, req: HubRequest, result: SignedResult): Promise<void> {
  const { output, signature } = result;
  const sentAt = Date.now();
  const onSent = (hash: Hex) => updateJobRow(deps, job, { commitTx: hash, committedAt: sentAt });
  const outcome = await deps.sender.send(
    {
      address: deps.hub,
      abi: deps.abi,
      functionName: "commitAndSettle",
      args: [job.requestId, req, output, signature],
      label: "commitAndSettle",
      // One logical transaction per signed result: a result signed again (a key revoked meanwhile) is another one.
      key: `commitAndSettle:${job.requestId}:${requestHash(job.requestJson)}:${keccak256(signature).slice(0, 18)}`,
      knownHashes: job.commitTx ? [job.commitTx as Hex] : [],
      fallbackGasLimit: commitAndSettleGasLimit(req),
      onSigned: onSent,
    },
    onSent,
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
 * Settles with the stored result, or a new one. When the signing key is not accepted (revoked, expired, not
 * approved: said by the registry check of a new result, or by the pre-flight of a stored one, so no transaction
 * is sent), the result is dropped and the signer asked again, which may hold a new registered key by then; after
 * `KEY_ATTEMPTS` refusals the job is parked as `failed` with the reason `signerKeyInactive`.
 */
async function signAndSend(deps: TeeJobDeps, job: Job, req: HubRequest, state: ChainState): Promise<void> {
  const { manifest } = deps.models.get(job.modelId)!.model;
  // A result persisted by an earlier attempt is sent as is (its transaction may be pending), while its key holds.
  let result = storedResult(deps, job, manifest);
  for (let attempt = 1; ; attempt++) {
    try {
      result ??= await produceResult(deps, job, req, state);
      if (!result) return; // the request was rejected
      return await send(deps, job, req, result);
    } catch (error) {
      const refusal = keyRefusalOf(error);
      if (refusal === undefined) throw error;
      result = undefined;
      deps.metrics.teeKeyRefused.inc();
      if (attempt >= KEY_ATTEMPTS) {
        deps.metrics.teeParked.inc({ reason: SIGNER_KEY_INACTIVE });
        deps.log.error(
          { requestId: job.requestId, reason: SIGNER_KEY_INACTIVE, refusal, attempts: attempt },
          "TEE job parked",
        );
        return setState(deps, job, "failed", {
          error: `${SIGNER_KEY_INACTIVE}: ${refusal}`,
          outputJson: null,
          proofBytes: null,
          commitTx: null,
        });
      }
      if (job.proofBytes) dropResult(deps, job, refusal);
      const delayMs = KEY_RETRY_BASE_MS * 2 ** (attempt - 1);
      deps.log.warn({ requestId: job.requestId, refusal, attempt, delayMs }, "signing key refused: signing again");
      await sleep(delayMs, deps.signal);
    }
  }
}

/** The request awaits its result: produce it (once per accepted key) and send `commitAndSettle`. */
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
  return signAndSend(deps, job, req, state);
}

/**
 * Moves one TEE job forward by reconciling the store with the chain's `requestState`, exactly as `processJob`
 * does for ZK models: Requested → (result signed, persisted) → one `commitAndSettle` → Settled. Committed never
 * persists for a TEE request; one seen Committed was committed through `commit` by someone else. Idempotent.
 */
export async function processTeeJob(deps: TeeJobDeps, job: Job): Promise<void> {
  const req = fromJson<HubRequest>(job.requestJson);
  const state = await readRequestState(deps, job.requestId);
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
