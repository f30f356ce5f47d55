import type { Address, Hex } from "viem";
import { inferenceHubAbi, type RequestStatus } from "../../abi/index.ts";
import type { ReadClient } from "../clients.ts";

/** A request's stored state (`InferenceHub.requestState`). */
export type RequestState = {
  status: RequestStatus;
  /** Commit deadline while Requested, proof deadline once Committed (unix seconds). */
  deadline: bigint;
  /** The committing node; the zero address before a commit. */
  node: Address;
  /** The stored hash binding the request (and output once committed); zero once final. */
  binding: Hex;
};

/** Reads a request's status, deadline and committing node. */
export async function getRequestState(
  publicClient: ReadClient,
  { hub, requestId, blockNumber }: { hub: Address; requestId: Hex; blockNumber?: bigint },
): Promise<RequestState> {
  const [status, deadline, node, binding] = await publicClient.readContract({
    address: hub,
    abi: inferenceHubAbi,
    functionName: "requestState",
    args: [requestId],
    blockNumber,
  });
  return { status: status as RequestStatus, deadline, node, binding };
}
