import type { Address, Hex, PublicClient } from "viem";
import type { inferenceHubWithErrorsAbi } from "../../abi/index.ts";
import type { Logger } from "../common/logger.ts";
import { withRetry } from "../common/retry.ts";
import type { Job, JobState, Store } from "../store/store.ts";
import { JobSupersededError } from "./jobErrors.ts";

/**
 * Reverts that mean "the chain moved on" (another node or an earlier transaction of ours changed the request, or a
 * batch named it twice): re-read the request state instead of failing the job. Shared by the ZK steps, the batcher
 * and the TEE step.
 */
export const STATE_RACE_ERRORS: ReadonlySet<string> = new Set([
  "HubUnexpectedStatus",
  "HubRequestMismatch",
  "HubBatchDuplicate",
]);

/** A request as the hub's `requestState` reports it. */
export type RequestChainState = { status: number; deadline: bigint; node: Address; binding: Hex };

/** Reads `requestState(requestId)` from the hub, retrying transport faults. */
export async function readRequestState(
  deps: { publicClient: PublicClient; hub: Address; abi: typeof inferenceHubWithErrorsAbi },
  requestId: Hex,
): Promise<RequestChainState> {
  const [status, deadline, node, binding] = await withRetry(() =>
    deps.publicClient.readContract({
      address: deps.hub,
      abi: deps.abi,
      functionName: "requestState",
      args: [requestId],
    }),
  );
  return { status, deadline, node, binding };
}

/**
 * Writes to the job's row only while it still holds the request this step started from: a reorg can
 * hand the id to another request mid-step, and the old request's output must never land in its row.
 */
export function updateJobRow(deps: { store: Store }, job: Job, patch: Partial<Job>): void {
  if (!deps.store.updateJob(job.requestId, patch, { expect: { requestJson: job.requestJson } })) {
    throw new JobSupersededError(job.requestId);
  }
  Object.assign(job, patch);
}

/** Moves the job to `state` (with `patch`, see `updateJobRow`) and logs it, with `logFields` added. */
export function setJobState(
  deps: { store: Store; log: Logger },
  job: Job,
  state: JobState,
  patch: Partial<Job> = {},
  logFields: Record<string, unknown> = {},
): void {
  updateJobRow(deps, job, { state, ...patch });
  deps.log.info(
    { requestId: job.requestId, state, ...logFields, ...(patch.error ? { error: patch.error } : {}) },
    `job ${state}`,
  );
}
