import type { Address, Hex } from "viem";
import type { ReadClient } from "../clients.ts";
import { InferenceDroppedError, InferenceFailedError, InferenceTimeoutError } from "../errors.ts";
import { getInference, type Inference, type InferenceStatus } from "./getInference.ts";

/** Default patience: proving the larger models takes minutes on a CPU-only node. */
const DEFAULT_TIMEOUT_MS = 600_000;
/**
 * Reads in a row that must find no request before it counts as dropped: a load-balanced RPC may answer
 * from a node a block behind the one that mined the request.
 */
const DROPPED_AFTER_READS = 3;

/** Progress order of the statuses a request passes through on the way to settlement. */
const RANK: Record<InferenceStatus, number> = {
  none: 0,
  requested: 1,
  committed: 2,
  settled: 3,
  refunded: 3,
  slashed: 3,
};

/** A reorganization took a request back: its commitment (or settlement) is gone and may come again. */
export type InferenceReorg = {
  requestId: Hex;
  /** `commitment` when a committed request is Requested again; `settlement` when a settled one is Committed. */
  dropped: "commitment" | "settlement";
  /** What it was, and what it is now. */
  from: InferenceStatus;
  to: InferenceStatus;
  blockNumber: bigint;
};

/** Parameters of `waitForCommitment` and `waitForSettlement`. */
export type WaitForInferenceParameters = {
  hub: Address;
  requestId: Hex;
  /** Where log queries start: the request's block (`request(...).receipt.blockNumber`) or the deployment's start. */
  fromBlock?: bigint;
  /** Default 10 minutes; a timeout names the last status seen. */
  timeoutMs?: number;
  /** Default the client's `pollingInterval`. */
  pollingIntervalMs?: number;
  /** Checked before each poll. */
  signal?: AbortSignal;
  /** Called on each status change seen, with the request as read. */
  onStatus?: (inference: Inference) => void;
  /** Called when a reorganization drops the commitment or settlement seen before; the wait goes on. */
  onReorg?: (reorg: InferenceReorg) => void;
};

/**
 * Polls `getInference` (state read plus log queries, no filters) until `done` accepts it. A refunded or
 * slashed request that `done` does not accept throws `InferenceFailedError`; a request gone from the
 * chain throws `InferenceDroppedError`; `timeoutMs` throws `InferenceTimeoutError` naming the last status.
 */
export async function pollInference(
  publicClient: ReadClient,
  parameters: WaitForInferenceParameters,
  awaited: "committed" | "settled",
  done: (inference: Inference) => boolean,
): Promise<Inference> {
  const { requestId, onStatus, onReorg } = parameters;
  const timeoutMs = parameters.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const interval = parameters.pollingIntervalMs ?? publicClient.pollingInterval;
  const deadline = Date.now() + timeoutMs;
  let last: Inference | undefined;
  let missing = 0;
  for (;;) {
    parameters.signal?.throwIfAborted();
    const inference = await getInference(publicClient, parameters);
    const { status } = inference;
    if (status !== last?.status) {
      if (last && RANK[status] < RANK[last.status] && status !== "none") {
        const dropped = last.status === "settled" ? "settlement" : "commitment";
        onReorg?.({ requestId, dropped, from: last.status, to: status, blockNumber: inference.blockNumber });
      }
      onStatus?.(inference);
    }
    // A read from a node behind the request's block proves nothing: only later "none"s count.
    const behind = parameters.fromBlock !== undefined && inference.blockNumber < parameters.fromBlock;
    missing = status === "none" && !behind ? missing + 1 : 0;
    const vanished = status === "none" && !behind && last !== undefined && last.status !== "none";
    if (vanished || missing >= DROPPED_AFTER_READS) throw new InferenceDroppedError(requestId);
    last = inference;
    if (done(inference)) return inference;
    if (status === "refunded" || (status === "slashed" && awaited === "settled")) {
      throw new InferenceFailedError(requestId, inference.statusCode, awaited);
    }
    if (Date.now() >= deadline) throw new InferenceTimeoutError(requestId, inference.statusCode, awaited, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
