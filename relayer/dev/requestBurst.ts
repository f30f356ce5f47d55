import { type Address, type Hex, parseEventLogs } from "viem";
import { inferenceHubWithErrorsAbi } from "../../abi/index.ts";
import type { DeployClients } from "../../deploy/deployProtocol.ts";

/** Gas limit of one request in a burst: its warm cost is ≈ 120k, the first one's ≈ 154k (checked by gas tests). */
const REQUEST_GAS = 400_000n;
/** Fee ceiling each request allows: far above any local quote, so the quote read is skipped. */
const MAX_TOTAL_FEE = 2n ** 96n;

/**
 * Sends one request per input into a local `hardhat node`'s mempool with automine off, then mines them
 * all in one block, as a busy chain would include a burst; automine is restored unless `keepAutomineOff` (a test
 * then decides when the next block is mined). Returns the request ids (in input order), the block and when
 * `evm_mine` returned.
 */
export async function sendRequestBurst(opts: {
  clients: DeployClients;
  hub: Address;
  modelId: bigint;
  inputs: readonly (readonly bigint[])[];
  keepAutomineOff?: boolean;
}): Promise<{ ids: Hex[]; blockNumber: bigint; minedAt: number }> {
  const { publicClient, walletClient } = opts.clients;
  const rpc = (method: string, params: unknown[] = []) => publicClient.request({ method, params } as never);
  const address = walletClient.account.address;
  await rpc("evm_setAutomine", [false]);
  const hashes: Hex[] = [];
  let minedAt = 0;
  try {
    let nonce = await publicClient.getTransactionCount({ address, blockTag: "pending" });
    for (const input of opts.inputs) {
      hashes.push(
        await walletClient.writeContract({
          address: opts.hub,
          abi: inferenceHubWithErrorsAbi,
          functionName: "request",
          args: [opts.modelId, [...input], 0, 0, MAX_TOTAL_FEE],
          nonce: nonce++,
          gas: REQUEST_GAS,
          chain: walletClient.chain,
        }),
      );
    }
    await rpc("evm_mine");
    minedAt = Date.now();
    // A burst over the block gas limit spills into the next blocks, as on a real chain.
    while (!(await publicClient.getTransactionReceipt({ hash: hashes.at(-1)! }).catch(() => undefined))) {
      await rpc("evm_mine");
    }
  } finally {
    if (!opts.keepAutomineOff) {
      await rpc("evm_setAutomine", [true]);
      // A transaction that reached the mempool before automine was back (a relayer's commitment) is mined now.
      await rpc("evm_mine");
    }
  }
  const receipts = await Promise.all(hashes.map((hash) => publicClient.getTransactionReceipt({ hash })));
  const ids = receipts.map((r) => {
    if (r.status !== "success") throw new Error(`request ${r.transactionHash} reverted`);
    const [event] = parseEventLogs({ abi: inferenceHubWithErrorsAbi, logs: r.logs, eventName: "Requested" });
    return event!.args.requestId;
  });
  return { ids, blockNumber: receipts[0]!.blockNumber, minedAt };
}
