import type {
  Abi,
  Account,
  Chain,
  ContractFunctionArgs,
  ContractFunctionName,
  Hex,
  TransactionReceipt,
  WriteContractParameters,
} from "viem";
import type { ReadClient, SdkClients } from "../clients.ts";
import { TransactionRevertedError } from "../errors.ts";

/** A contract write as `walletClient.writeContract` takes it, less the account and chain (the wallet's own). */
export type WriteAndWaitParameters<
  abi extends Abi | readonly unknown[],
  functionName extends ContractFunctionName<abi, "nonpayable" | "payable">,
  args extends ContractFunctionArgs<abi, "nonpayable" | "payable", functionName>,
> = Omit<WriteContractParameters<abi, functionName, args, Chain | undefined, Account>, "account" | "chain">;

/**
 * Waits for `hash` to be mined and returns its receipt; throws `TransactionRevertedError` naming `what`
 * (`Contract.function`, or a deployment) and the hash when it reverted.
 */
export async function waitForSuccess(publicClient: ReadClient, hash: Hex, what: string): Promise<TransactionReceipt> {
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new TransactionRevertedError(what, receipt);
  return receipt;
}

/**
 * Sends a contract write from the wallet's account and waits for its receipt: the one send-and-wait of
 * the project's deploy scripts, dev tools, tests and SDK. A call that would revert fails at gas
 * estimation with viem's error, decoded by `abi`'s custom errors; one mined reverted throws
 * `TransactionRevertedError` naming `contractName.functionName` and the hash.
 */
export async function writeAndWait<
  const abi extends Abi | readonly unknown[],
  functionName extends ContractFunctionName<abi, "nonpayable" | "payable">,
  args extends ContractFunctionArgs<abi, "nonpayable" | "payable", functionName>,
>(
  { walletClient, publicClient }: SdkClients,
  parameters: WriteAndWaitParameters<abi, functionName, args> & { contractName?: string },
): Promise<TransactionReceipt> {
  const { contractName, ...write } = parameters;
  const hash = await walletClient.writeContract({
    ...write,
    account: walletClient.account,
    chain: walletClient.chain,
  } as WriteContractParameters);
  return waitForSuccess(publicClient, hash, `${contractName ?? write.address}.${write.functionName}`);
}
