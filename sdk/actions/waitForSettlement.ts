import type { ReadClient } from "../clients.ts";
import type { Inference } from "./getInference.ts";
import { pollInference, type WaitForInferenceParameters } from "./pollInference.ts";
import type { CommittedInference } from "./waitForCommitment.ts";

/** A settled request: its proven output, the committing node and the `Settled` log (fees paid and burned). */
export type SettledInference = CommittedInference & {
  logs: CommittedInference["logs"] & { settled: NonNullable<Inference["logs"]["settled"]> };
};

/**
 * Waits until the request's commitment is proven and settled. A reorganization that drops the
 * commitment is reported (`onReorg`) and waited through: a node commits again. Throws
 * `InferenceFailedError` when it was refunded or slashed, `InferenceDroppedError` when a
 * reorganization dropped the request itself, and `InferenceTimeoutError` (naming the last status).
 */
export function waitForSettlement(
  publicClient: ReadClient,
  parameters: WaitForInferenceParameters,
): Promise<SettledInference> {
  return pollInference(
    publicClient,
    parameters,
    "settled",
    (i) => i.status === "settled" && i.logs.settled !== undefined && i.logs.committed !== undefined,
  ) as Promise<SettledInference>;
}
