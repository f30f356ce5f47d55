import { join } from "node:path";
import { decodeFunctionData, getAbiItem, type Hex, parseEventLogs, toFunctionSelector } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HubRequest, inferenceHubWithErrorsAbi, RequestStatus } from "../../../abi/index.ts";
import { localClients } from "../../../relayer/dev/localNetwork.ts";
import { openStore } from "../../../relayer/store/store.ts";
import { revertedFrom, startTestNetwork, type TestNetwork, waitFor } from "./harness.ts";

const COMMIT_BATCH = toFunctionSelector(getAbiItem({ abi: inferenceHubWithErrorsAbi, name: "commitBatch" }));
const SETTLE_BATCH = toFunctionSelector(getAbiItem({ abi: inferenceHubWithErrorsAbi, name: "settleBatch" }));

describe("batching", () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await startTestNetwork();
  });
  afterAll(async () => {
    await net?.stop();
  });

  async function hubLogs() {
    const logs = await net.publicClient.getLogs({ address: net.deployment.hub, fromBlock: 0n });
    return {
      logs,
      committed: parseEventLogs({ abi: net.hubAbi, logs, eventName: "Committed" }),
      settled: parseEventLogs({ abi: net.hubAbi, logs, eventName: "Settled" }),
    };
  }

  async function settledAll(ids: readonly Hex[]) {
    for (const id of ids) {
      await waitFor(async () => (await net.state(id)).status === RequestStatus.Settled, 60_000, `settlement of ${id}`);
    }
  }

  /** Every transaction the nodes sent was mined successfully (every block read, not only the hub's logs). */
  async function expectNoRevertFrom(nodes: readonly string[]) {
    expect(await revertedFrom(net, nodes)).toEqual([]);
  }

  it("commits a burst mined in one block with one commitBatch and settles each request once", async () => {
    // A generous wait: on a loaded 2-core machine eight inferences can spread over tens of milliseconds.
    const { relayer } = await net.runRelayer({ batch: { commitWaitMs: 250 } });
    const ids = await net.requestBurst(8);
    await settledAll(ids);

    const { committed, settled } = await hubLogs();
    const ours = committed.filter((l) => ids.includes(l.args.requestId));
    expect(ours).toHaveLength(ids.length);
    const txs = new Set(ours.map((l) => l.transactionHash));
    expect(txs.size).toBe(1);
    const [hash] = [...txs];
    const tx = await net.publicClient.getTransaction({ hash: hash! });
    expect(tx.input.slice(0, 10)).toBe(COMMIT_BATCH);
    const receipt = await net.publicClient.getTransactionReceipt({ hash: hash! });
    const perCommit = receipt.gasUsed / BigInt(ids.length);
    // One bond write and one transaction for all: well below a single `commit` (≈ 74k, gas-snapshot.json).
    expect(perCommit).toBeLessThan(60_000n);
    for (const id of ids) expect(settled.filter((l) => l.args.requestId === id)).toHaveLength(1);
    // Proofs finish one by one (one prover): the settle batcher groups those ready within its wait into settleBatch
    // transactions checked by the model's generated batch verifier, each cheaper per request than a single settle.
    const settleTxs = [...new Set(settled.filter((l) => ids.includes(l.args.requestId)).map((l) => l.transactionHash))];
    expect(settleTxs.length).toBeLessThan(ids.length);
    for (const settleHash of settleTxs) {
      const settleTx = await net.publicClient.getTransaction({ hash: settleHash });
      const items = settled.filter((l) => l.transactionHash === settleHash).length;
      if (items === 1) continue;
      expect(settleTx.input.slice(0, 10)).toBe(SETTLE_BATCH);
      const settleReceipt = await net.publicClient.getTransactionReceipt({ hash: settleHash });
      // A single settle of this model costs ≈ 253k (docs/benchmarks.md).
      expect(settleReceipt.gasUsed / BigInt(items)).toBeLessThan(200_000n);
    }
    await expectNoRevertFrom([relayer.address.toLowerCase()]);

    const metrics = await (await fetch(`${relayer.operationsUrl}/metrics`)).text();
    expect(metrics).toMatch(/opg_relayer_batch_size_bucket\{le="8",op="commit"\} 1/);
    await relayer.stop();
  });

  it("two relayers racing with commitBatch commit each request once and send no transaction that reverts", async () => {
    const batch = { commitWaitMs: 250 };
    const a = (await net.runRelayer({ batch })).relayer;
    const b = (await net.runRelayer({ batch, privateKey: net.deployment.keys.node2 })).relayer;
    const ids = await net.requestBurst(6);
    await settledAll(ids);
    const { committed, settled } = await hubLogs();
    for (const id of ids) {
      const commits = committed.filter((l) => l.args.requestId === id);
      const settles = settled.filter((l) => l.args.requestId === id);
      expect(commits).toHaveLength(1);
      expect(settles).toHaveLength(1);
      expect(settles[0]!.args.node).toBe(commits[0]!.args.node);
    }
    await expectNoRevertFrom([a.address.toLowerCase(), b.address.toLowerCase()]);
    await Promise.all([a.stop(), b.stop()]);
  });

  it("a commitBatch mined after a racing node's commitment in the same block skips that item, commits the rest and settles them", async () => {
    const { relayer, config } = await net.runRelayer({ batch: { commitWaitMs: 250 } });
    const rpc = net.rpc;
    const ids = await net.requestBurst(3, { keepAutomineOff: true });
    try {
      // The relayer's commitBatch for the three waits in the mempool: no block is mined until the test says so.
      type PendingTx = { from: string; input: Hex; hash: Hex };
      let ours: PendingTx | undefined;
      await waitFor(
        async () => {
          const pending = (await rpc("eth_getBlockByNumber", ["pending", true])) as { transactions: PendingTx[] };
          ours = pending.transactions.find((tx) => tx.from.toLowerCase() === relayer.address.toLowerCase());
          return ours !== undefined;
        },
        60_000,
        "the relayer's pending commitBatch",
      );
      const call = decodeFunctionData({ abi: net.hubAbi, data: ours!.input });
      expect(call.functionName).toBe("commitBatch");
      const items = call.args[0] as readonly { requestId: Hex; request: HubRequest; output: readonly bigint[] }[];
      expect(items.map((i) => i.requestId).sort()).toEqual([...ids].sort());
      // Another node commits the first item with a higher tip: the block orders its commitment first.
      const rival = items.find((i) => i.requestId === ids[0])!;
      const other = localClients(net.chain.url, net.deployment.chainId, net.deployment.keys.node2);
      const rivalHash = await other.walletClient.writeContract({
        address: net.deployment.hub,
        abi: net.hubAbi,
        functionName: "commit",
        args: [rival.requestId, rival.request, [...rival.output]],
        maxPriorityFeePerGas: 50_000_000_000n,
        maxFeePerGas: 200_000_000_000n,
        gas: 400_000n,
        chain: other.walletClient.chain,
      });
      await rpc("evm_mine");
      const [rivalReceipt, batchReceipt] = await Promise.all([
        net.publicClient.getTransactionReceipt({ hash: rivalHash }),
        net.publicClient.getTransactionReceipt({ hash: ours!.hash }),
      ]);
      expect(rivalReceipt.blockNumber).toBe(batchReceipt.blockNumber);
      expect(rivalReceipt.transactionIndex).toBeLessThan(batchReceipt.transactionIndex);
      expect(batchReceipt.status).toBe("success");
      const events = parseEventLogs({ abi: net.hubAbi, logs: batchReceipt.logs });
      const skipped = events.filter((e) => e.eventName === "CommitSkipped").map((e) => e.args.requestId);
      const committed = events.filter((e) => e.eventName === "Committed").map((e) => e.args.requestId);
      expect(skipped).toEqual([ids[0]]);
      expect(committed.sort()).toEqual([ids[1], ids[2]].sort());
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
    // The relayer reads the skipped request's state again: another node holds it, so the job is lost (never
    // settled by us); the two it committed are proven and settled.
    await settledAll([ids[1]!, ids[2]!]);
    const store = openStore(join(config.dataDir, "relayer.sqlite"));
    try {
      await waitFor(() => store.getJob(ids[0]!)?.state === "lost", 30_000, "the skipped job marked lost");
    } finally {
      store.close();
    }
    expect((await net.state(ids[0]!)).node.toLowerCase()).toBe(
      privateKeyToAccount(net.deployment.keys.node2).address.toLowerCase(),
    );
    await expectNoRevertFrom([relayer.address.toLowerCase()]);
    await relayer.stop();
  });
});
