import type { ReadClient } from "../clients.ts";
import type { Inference } from "./getInference.ts";
import { pollInference, type WaitForInferenceParameters } from "./pollInference.ts";

/** A request with its commitment: `node`, `output` and `proofDeadline` are set. */
export type CommittedInference = Inference & {
  node: NonNullable<Inference["node"]>;
  output: NonNullable<Inference["output"]>;
  logs: Inference["logs"] & { committed: NonNullable<Inference["logs"]["committed"]> };
};

/**
 * Waits until a node committed a result for the request (the optimistic, unproven answer) and returns
 * it; a request already settled or slashed has a commitment too. Throws `InferenceFailedError` when it
 * was refunded, `InferenceDroppedError` when a reorganization dropped the request, and
 * `InferenceTimeoutError` (naming the last status) after `timeoutMs`.
 */
export function waitForCommitment(
  publicClient: ReadClient,
  parameters: WaitForInferenceParameters,
): Promise<CommittedInference> {
  return pollInference(
    publicClient,
    parameters,
    "committed",
    (i) => i.logs.committed !== undefined && i.status !== "requested",
  ) as Promise<CommittedInference>;
}
