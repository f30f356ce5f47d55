import type { Address, Hex, TransactionReceipt } from "viem";
import { inferenceHubWithErrorsAbi } from "../../abi/index.ts";
import { OpgError } from "../../common/errors.ts";
import type { SdkClients } from "../clients.ts";
import { withDecodedRevert } from "../errors.ts";
import { getInference } from "./getInference.ts";
import { writeAndWait } from "./writeAndWait.ts";

/** Which expired request to close. */
export type ResolveExpiredParameters = {
  hub: Address;
  requestId: Hex;
  /** Where the search for the request's logs starts (the request's block, or the deployment's start). */
  fromBlock?: bigint;
};

/** A refund or slash that was sent: its transaction. */
export type ResolveExpiredResult = { hash: Hex; receipt: TransactionReceipt };

async function requestLogs(clients: SdkClients, parameters: ResolveExpiredParameters) {
  const inference = await getInference(clients.publicClient, parameters);
  if (!inference.request) {
    throw new OpgError(
      `request ${parameters.requestId} has no Requested log from block ${parameters.fromBlock ?? 0n}`,
      {
        details: "pass the request's block as fromBlock",
      },
    );
  }
  return inference;
}

/**
 * Refunds a request nobody committed to before its commit deadline (permissionless; the escrow goes to the
 * requester). The request struct is read from its `Requested` log. Throws `ContractRevertError`
 * (`HubCommitDeadlineNotPassed`, `HubUnexpectedStatus`) when it cannot be refunded yet or any more.
 */
export async function refund(clients: SdkClients, parameters: ResolveExpiredParameters): Promise<ResolveExpiredResult> {
  const { request } = await requestLogs(clients, parameters);
  const receipt = await withDecodedRevert("InferenceHub.refund", () =>
    writeAndWait(clients, {
      contractName: "InferenceHub",
      address: parameters.hub,
      abi: inferenceHubWithErrorsAbi,
      functionName: "refund",
      args: [parameters.requestId, request!],
    }),
  );
  return { hash: receipt.transactionHash, receipt };
}

/**
 * Slashes a commitment not proven before its proof deadline (permissionless; the requester gets the
 * escrow back and part of the node's bond). Request and output are read from the `Requested` and
 * `Committed` logs. Throws `ContractRevertError` (`HubProofDeadlineNotPassed`, `HubUnexpectedStatus`).
 */
export async function slash(clients: SdkClients, parameters: ResolveExpiredParameters): Promise<ResolveExpiredResult> {
  const { request, output } = await requestLogs(clients, parameters);
  const receipt = await withDecodedRevert("InferenceHub.slash", () =>
    writeAndWait(clients, {
      contractName: "InferenceHub",
      address: parameters.hub,
      abi: inferenceHubWithErrorsAbi,
      functionName: "slash",
      // With no commitment there is no output: the hub names the status it found.
      args: [parameters.requestId, request!, output ?? []],
    }),
  );
  return { hash: receipt.transactionHash, receipt };
}
