import type { Address, PublicClient } from "viem";
import type { inferenceHubWithErrorsAbi } from "../../abi/index.ts";
import type { Logger } from "../common/logger.ts";
import type { TxSender } from "../tx/chain.ts";

/**
 * Withdraws the node's earnings once they reach `threshold` (0: never). Pull payments: the hub credits
 * settlements to an internal balance; one withdrawal pays many of them out.
 */
export async function withdrawEarnings(deps: {
  hub: Address;
  abi: typeof inferenceHubWithErrorsAbi;
  publicClient: PublicClient;
  sender: TxSender;
  threshold: bigint;
  log: Logger;
}): Promise<void> {
  if (deps.threshold === 0n) return;
  const [, earnings] = await deps.publicClient.readContract({
    address: deps.hub,
    abi: deps.abi,
    functionName: "nodeAccount",
    args: [deps.sender.address],
  });
  if (earnings < deps.threshold) return;
  await deps.sender.send({
    address: deps.hub,
    abi: deps.abi,
    functionName: "withdrawEarnings",
    args: [deps.sender.address],
    label: "withdraw",
  });
  deps.log.info({ amount: earnings.toString() }, "earnings withdrawn");
}
