import type { Address, Hex, Log } from "viem";
import { inferenceHubAbi } from "../../abi/index.ts";
import type { ReadClient } from "../clients.ts";
import type { InferenceStatus } from "./getInference.ts";

/** The hub events that move a request from one status to the next. */
const TRANSITIONS = {
  Requested: "requested",
  Committed: "committed",
  Settled: "settled",
  Refunded: "refunded",
  Slashed: "slashed",
} as const satisfies Record<string, InferenceStatus>;

/** One status change of a watched request, with the log that made it. */
export type InferenceUpdate = {
  requestId: Hex;
  status: Exclude<InferenceStatus, "none">;
  blockNumber: bigint;
  transactionHash: Hex;
  /** The decoded hub event. */
  log: Log & { eventName: keyof typeof TRANSITIONS; args: Record<string, unknown> };
};

export type WatchInferencesParameters = {
  hub: Address;
  /** Only these requests (default all). */
  requestIds?: readonly Hex[];
  /** Only requests this account made (their `Requested` logs; later transitions of them by id). */
  requester?: Address;
  onUpdate: (update: InferenceUpdate) => void;
  onError?: (error: Error) => void;
  /** Default the client's `pollingInterval`. */
  pollingIntervalMs?: number;
};

/**
 * Calls `onUpdate` for each status change of the hub's requests (optionally only some, or one
 * requester's) as their logs arrive. Polls `eth_getLogs` rather than installing filters, which public
 * RPCs expire. Returns the function that stops watching. Logs are not final: after a reorganization a
 * request can be reported again; confirm with `getInference` or the waits before acting for good.
 */
export function watchInferences(publicClient: ReadClient, parameters: WatchInferencesParameters): () => void {
  const ids = parameters.requestIds ? new Set(parameters.requestIds.map((id) => id.toLowerCase())) : undefined;
  const mine = new Set<string>();
  return publicClient.watchContractEvent({
    address: parameters.hub,
    abi: inferenceHubAbi,
    poll: true,
    pollingInterval: parameters.pollingIntervalMs,
    onError: parameters.onError,
    onLogs: (logs) => {
      for (const log of logs) {
        const status = TRANSITIONS[log.eventName as keyof typeof TRANSITIONS];
        if (!status) continue;
        const args = log.args as Record<string, unknown>;
        const requestId = (args.requestId as Hex).toLowerCase();
        if (ids && !ids.has(requestId)) continue;
        if (parameters.requester) {
          if (status === "requested" && (args.requester as string).toLowerCase() === parameters.requester.toLowerCase())
            mine.add(requestId);
          if (!mine.has(requestId)) continue;
        }
        parameters.onUpdate({
          requestId: args.requestId as Hex,
          status,
          blockNumber: log.blockNumber!,
          transactionHash: log.transactionHash!,
          log: log as InferenceUpdate["log"],
        });
      }
    },
  });
}
