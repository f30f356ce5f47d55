import { parseEventLogs } from "viem";
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
    // Losers drop the job after a failed pre-flight at most: no reverted transactions from either node.
    const nodes = relayers.map((r) => r.address.toLowerCase());
    for (const l of logs) {
      const receipt = await net.publicClient.getTransactionReceipt({ hash: l.transactionHash! });
      if (nodes.includes(receipt.from.toLowerCase())) expect(receipt.status).toBe("success");
    }
  });
});
