import { decodeFunctionData, parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestStatus } from "../../../abi/index.ts";
import { startTestNetwork, type TestNetwork, waitFor } from "./harness.ts";

describe("two relayers racing on one hub", () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await startTestNetwork();
  });
  afterAll(async () => {
    await net?.stop();
  });

  it("settles every request exactly once, paying only the node that committed", async () => {
    const relayers = [
      (await net.runRelayer()).relayer,
      (await net.runRelayer({ privateKey: net.deployment.keys.node2 })).relayer,
    ];
    const ids: `0x${string}`[] = [];
    for (let i = 0; i < 6; i++) ids.push(await net.request([i / 10, -i / 10, 0.5, -0.25]));
    for (const id of ids) {
      await waitFor(async () => (await net.state(id)).status === RequestStatus.Settled, 120_000, `settlement of ${id}`);
    }
    const logs = await net.publicClient.getLogs({ address: net.deployment.hub, fromBlock: 0n });
    const committed = parseEventLogs({ abi: net.hubAbi, logs, eventName: "Committed" });
    const settled = parseEventLogs({ abi: net.hubAbi, logs, eventName: "Settled" });
    for (const id of ids) {
      const commits = committed.filter((l) => (l.args as { requestId: string }).requestId === id);
      const settles = settled.filter((l) => (l.args as { requestId: string }).requestId === id);
      expect(commits).toHaveLength(1);
      expect(settles).toHaveLength(1);
      // Paid to the committer, whoever sent the settlement.
      expect((settles[0]!.args as { node: string }).node).toBe((commits[0]!.args as { node: string }).node);
    }
    // Every transaction either node sent, read block by block (a reverted one emits no log to find it by). A
    // commitment can lose a race it cannot see: the other node's commitment is mined between this node's
    // pre-flight (which passed) and its own inclusion, one block apart with automine. Such a loss may revert a
    // single `commit` (a `commitBatch` would skip the item instead; both cost about the same gas, so a lone
    // commitment stays a plain call). Anything else reverting is a bug: a settlement, a batch, or a commitment
    // sent after the other one was already on chain before the block this node's pre-flight read.
    const nodes = relayers.map((r) => r.address.toLowerCase());
    const committedAt = new Map(committed.map((l) => [(l.args as { requestId: string }).requestId, l.blockNumber]));
    const head = await net.publicClient.getBlockNumber();
    const unexplained: string[] = [];
    let sent = 0;
    for (let n = 0n; n <= head; n++) {
      const block = await net.publicClient.getBlock({ blockNumber: n, includeTransactions: true });
      for (const tx of block.transactions) {
        if (!nodes.includes(tx.from.toLowerCase())) continue;
        sent++;
        const receipt = await net.publicClient.getTransactionReceipt({ hash: tx.hash });
        if (receipt.status === "success") continue;
        const call = decodeFunctionData({ abi: net.hubAbi, data: tx.input });
        const requestId = call.functionName === "commit" ? (call.args[0] as string) : undefined;
        const lostTo = requestId === undefined ? undefined : committedAt.get(requestId);
        // The winning commitment was mined in the block right before (the race) or earlier only by the
        // blocks other transactions took meanwhile: never before the request's own block.
        if (lostTo === undefined || lostTo >= n) unexplained.push(`${call.functionName} ${tx.hash}`);
      }
    }
    expect(sent).toBeGreaterThan(0);
    expect(unexplained).toEqual([]);
  });
});
