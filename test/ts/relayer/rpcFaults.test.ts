import { parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestStatus } from "../../../abi/index.ts";
import { freePort } from "../../../relayer/dev/localChain.ts";
import { type FaultyProxy, startFaultyProxy } from "../support/faultyRpcProxy.ts";
import { startTestNetwork, type TestNetwork, waitFor } from "./harness.ts";

describe("RPC faults", () => {
  let net: TestNetwork;
  let proxy: FaultyProxy;

  beforeAll(async () => {
    net = await startTestNetwork();
    proxy = await startFaultyProxy(net.chain.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await net?.stop();
  });

  let first: { stop(): Promise<void> } | undefined;

  it("loses nothing through drops, delays, 5xx and resets, and reports an outage in /healthz", async () => {
    const { relayer } = await net.runRelayer({ rpcUrls: [proxy.url] }, "silent");
    first = relayer;
    const ids: `0x${string}`[] = [];
    for (let i = 0; i < 5; i++) ids.push(await net.request([0.2, -0.1 * i, 0.3, 0.05 * i]));
    for (const id of ids) {
      await waitFor(async () => (await net.state(id)).status === RequestStatus.Settled, 120_000, `settlement of ${id}`);
    }
    const logs = await net.publicClient.getLogs({ address: net.deployment.hub, fromBlock: 0n });
    const settled = parseEventLogs({ abi: net.hubAbi, logs, eventName: "Settled" });
    for (const id of ids)
      expect(settled.filter((l) => (l.args as { requestId: string }).requestId === id)).toHaveLength(1);
    for (const fault of ["5xx", "reset", "delay", "drop"] as const) expect(proxy.counts[fault]).toBeGreaterThan(0);

    // A lasting outage: bounded retries give up and the health endpoint says so; recovery clears it.
    proxy.setOutage(true);
    const healthz = `${relayer.operationsUrl}/healthz`;
    await waitFor(async () => (await fetch(healthz)).status === 503, 60_000, "/healthz to report the outage");
    proxy.setOutage(false);
    await waitFor(async () => (await fetch(healthz)).status === 200, 60_000, "/healthz to recover");
  });

  it("falls back to the next RPC URL when the first is down", async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const { relayer } = await net.runRelayer(
      { rpcUrls: [dead, net.chain.url], privateKey: net.deployment.keys.node2 },
      "silent",
    );
    await first?.stop(); // only the fallback relayer may answer
    const id = await net.request([0.6, 0.1, -0.4, 0.2]);
    await waitFor(
      async () => (await net.state(id)).status === RequestStatus.Settled,
      120_000,
      "settlement via fallback",
    );
    expect((await net.state(id)).node.toLowerCase()).toBe(relayer.address.toLowerCase());
  });
});
