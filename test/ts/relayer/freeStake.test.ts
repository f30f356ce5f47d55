import { createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferenceHubWithErrorsAbi, RequestStatus } from "../../../abi/index.ts";
import { OPG } from "../../../deploy/deployProtocol.ts";
import { chainFor } from "../../../relayer/tx/chain.ts";
import { startTestNetwork, type TestNetwork, waitFor } from "./harness.ts";

/**
 * A node's stake bonds its commitments: with 10,000 OPG staked and a 6,000 OPG bond per request, one
 * commitment at a time fits. The node must not send a commitment its free stake cannot bond (it would
 * revert with `HubInsufficientFreeStake` and burn gas): it defers it, says why, and commits it once the
 * settlement of the first releases the bond.
 */
describe("free stake for the bond", () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await startTestNetwork();
  });
  afterAll(async () => {
    await net?.stop();
  });

  it("defers a commitment its free stake cannot bond and commits it once stake is released", async () => {
    const governance = createWalletClient({
      chain: chainFor(net.deployment.chainId, [net.chain.url]),
      transport: http(net.chain.url),
      account: privateKeyToAccount(net.deployment.keys.deployer),
    });
    const hub = { address: net.deployment.hub, abi: inferenceHubWithErrorsAbi } as const;
    const params = await net.publicClient.readContract({ ...hub, functionName: "params" });
    await net.publicClient.waitForTransactionReceipt({
      hash: await governance.writeContract({
        ...hub,
        functionName: "setParams",
        args: [{ ...params, requestBond: 6_000n * OPG }],
      }),
    });
    // Both requests are on chain before the relayer starts: it sees them in one poll.
    const first = await net.request([0.1, 0.2, 0.3, 0.4]);
    const second = await net.request([-0.4, 0.3, -0.2, 0.1]);
    const startBlock = await net.publicClient.getBlockNumber();
    const { relayer } = await net.runRelayer();
    for (const id of [first, second]) {
      await waitFor(async () => (await net.state(id)).status === RequestStatus.Settled, 180_000, `settlement of ${id}`);
    }
    const metrics = await (await fetch(`${relayer.operationsUrl}/metrics`)).text();
    expect(metrics).toMatch(/opg_relayer_deferred_total\{reason="freeStake"\} [1-9]/);

    // Not one transaction of the node reverted: the second commitment waited instead of failing on chain.
    const head = await net.publicClient.getBlockNumber();
    for (let n = startBlock + 1n; n <= head; n++) {
      const block = await net.publicClient.getBlock({ blockNumber: n, includeTransactions: true });
      for (const tx of block.transactions) {
        if (tx.from.toLowerCase() !== relayer.address.toLowerCase()) continue;
        const receipt = await net.publicClient.getTransactionReceipt({ hash: tx.hash });
        expect(receipt.status, `${tx.hash} reverted`).toBe("success");
      }
    }
  });
});
