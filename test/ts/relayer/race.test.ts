import { parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestStatus } from "../../../abi/index.ts";
import { revertedFrom, startTestNetwork, type TestNetwork, waitFor } from "./harness.ts";

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
    // whose winner was mined in its own block or later.
    const committedAt = new Map(committed.map((l) => [(l.args as { requestId: string }).requestId, l.blockNumber]));
    const reverted = await revertedFrom(
      net,
      relayers.map((r) => r.address),
    );
    // The winning commitment was mined before the losing one's block (never after: that would be a stale send).
    const unexplained = reverted.filter((r) => {
      const lostTo = r.call === "commit" && r.requestId ? committedAt.get(r.requestId) : undefined;
      return lostTo === undefined || lostTo >= r.block;
    });
    expect(unexplained).toEqual([]);
  });
});
