import type { Address, GetContractEventsReturnType, Hex } from "viem";
import { inferenceHubAbi, RequestStatus } from "../../abi/index.ts";
import type { ReadClient } from "../clients.ts";
import { InferenceFailedError, InferenceTimeoutError } from "../errors.ts";
import { getRequestState } from "./getRequestState.ts";

/** Default patience: proving the larger models takes minutes on a CPU-only node. */
const DEFAULT_TIMEOUT_MS = 600_000;

/** The stage to wait for: a node's commitment (optimistic result) or its proven settlement. */
export type InferenceStage = "committed" | "settled";

/** The `Committed` log of a request. */
export type CommittedLog = GetContractEventsReturnType<typeof inferenceHubAbi, "Committed", true>[number];
/** The `Settled` log of a request. */
export type SettledLog = GetContractEventsReturnType<typeof inferenceHubAbi, "Settled", true>[number];

/** A request that reached the awaited stage; `settled` is there once it settled. */
export type InferenceResult<stage extends InferenceStage = InferenceStage> = {
  status: RequestStatus;
  /** The committed output words (the model's `unpackOutput` turns them into values). */
  output: readonly bigint[];
  /** The committing node. */
  node: Address;
  committed: CommittedLog;
  settled: stage extends "settled" ? SettledLog : SettledLog | undefined;
};

export type WaitForInferenceParameters<stage extends InferenceStage> = {
  hub: Address;
  requestId: Hex;
  /** Where log queries start: the request's block (`request(...).receipt.blockNumber`). */
  fromBlock: bigint;
  /** Default `settled`. */
  until?: stage;
  /** Default 10 minutes. */
  timeoutMs?: number;
  /** Default the client's `pollingInterval`. */
  pollingIntervalMs?: number;
  /** Checked before each poll. */
  signal?: AbortSignal;
};

/** Statuses that satisfy each stage, and those that rule it out for good. */
const REACHED: Record<InferenceStage, readonly RequestStatus[]> = {
  committed: [RequestStatus.Committed, RequestStatus.Settled, RequestStatus.Slashed],
  settled: [RequestStatus.Settled],
};
const FAILED: Record<InferenceStage, readonly RequestStatus[]> = {
  committed: [RequestStatus.Refunded],
  settled: [RequestStatus.Refunded, RequestStatus.Slashed],
};

/**
 * Waits until a request is committed or settled: polls its stored status (`requestState`), and once the
 * status says so, reads the `Committed` (and `Settled`) log from `fromBlock` on. Throws
 * `InferenceFailedError` when the request is refunded (or slashed, waiting for settlement) and
 * `InferenceTimeoutError` after `timeoutMs`.
 */
export async function waitForInference<stage extends InferenceStage = "settled">(
  publicClient: ReadClient,
  parameters: WaitForInferenceParameters<stage>,
): Promise<InferenceResult<stage>> {
  const until = parameters.until ?? "settled";
  const timeoutMs = parameters.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const interval = parameters.pollingIntervalMs ?? publicClient.pollingInterval;
  const deadline = Date.now() + timeoutMs;
  const args = { requestId: parameters.requestId };
  for (;;) {
    parameters.signal?.throwIfAborted();
    const { status } = await getRequestState(publicClient, parameters);
    if (FAILED[until].includes(status)) throw new InferenceFailedError(parameters.requestId, status, until);
    if (REACHED[until].includes(status)) {
      // The node serving logs may lag the one that answered the state read: poll again until both agree.
      const query = {
        address: parameters.hub,
        abi: inferenceHubAbi,
        args,
        fromBlock: parameters.fromBlock,
        strict: true,
      } as const;
      const committed = (await publicClient.getContractEvents({ ...query, eventName: "Committed" })).at(-1);
      const settled =
        status === RequestStatus.Settled
          ? (await publicClient.getContractEvents({ ...query, eventName: "Settled" })).at(-1)
          : undefined;
      if (committed && (settled || until === "committed")) {
        const { output, node } = committed.args;
        return { status, output, node, committed, settled } as InferenceResult<stage>;
      }
    }
    if (Date.now() >= deadline) throw new InferenceTimeoutError(parameters.requestId, status, until, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
