import type { Address, TransactionReceipt } from "viem";
import { inferenceHubAbi, opgTokenAbi } from "../../abi/index.ts";
import type { ReadClient, SdkClients } from "../clients.ts";
import { writeAndWait } from "./writeAndWait.ts";

/** The OPG token the hub takes its fees in (`InferenceHub.TOKEN()`). */
export function getFeeToken(publicClient: ReadClient, { hub }: { hub: Address }): Promise<Address> {
  return publicClient.readContract({ address: hub, abi: inferenceHubAbi, functionName: "TOKEN" });
}

/**
 * Approves the hub to pull up to `amount` OPG from the wallet's account for requests paid by allowance
 * (`request` without `permit`), and waits for the receipt.
 */
export async function approve(
  clients: SdkClients,
  { hub, amount, token }: { hub: Address; amount: bigint; token?: Address },
): Promise<TransactionReceipt> {
  return writeAndWait(clients, {
    contractName: "OPGToken",
    address: token ?? (await getFeeToken(clients.publicClient, { hub })),
    abi: opgTokenAbi,
    functionName: "approve",
    args: [hub, amount],
  });
}
