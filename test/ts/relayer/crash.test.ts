import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestStatus } from "../../../abi/index.ts";
import { openStore } from "../../../relayer/store/store.ts";
import { spawnRelayerProcess, startTestNetwork, type TestNetwork, waitFor, writeRelayerConfigFile } from "./harness.ts";

describe("crash safety", () => {
  let net: TestNetwork;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    net = await startTestNetwork();
  });
  afterAll(async () => {
    child?.kill("SIGKILL");
    await net?.stop();
  });

  it("after SIGKILL mid-pipeline and a restart, every request settles exactly once", async () => {
    const { file, dataDir, privateKey } = writeRelayerConfigFile(net);
    const ids: `0x${string}`[] = [];
    for (let i = 0; i < 8; i++) ids.push(await net.request([0.1 * i, 0.2, -0.1 * i, 0.3]));

    child = spawnRelayerProcess(file, privateKey);
    // Kill it hard as soon as some work is on chain but not all of it is settled.
    await waitFor(
      async () => (await Promise.all(ids.map((id) => net.state(id)))).some((s) => s.status >= RequestStatus.Committed),
      120_000,
      "the first commitment",
    );
    child.kill("SIGKILL");
    await new Promise((r) => child!.once("exit", r));
    const before = await Promise.all(ids.map((id) => net.state(id)));
    expect(before.some((s) => s.status !== RequestStatus.Settled)).toBe(true);

    child = spawnRelayerProcess(file, privateKey);
    for (const id of ids) {
      await waitFor(async () => (await net.state(id)).status === RequestStatus.Settled, 180_000, `settlement of ${id}`);
    }
    child.kill("SIGTERM");
    await new Promise((r) => child!.once("exit", r));

    const logs = await net.publicClient.getLogs({ address: net.deployment.hub, fromBlock: 0n });
    const settled = parseEventLogs({ abi: net.hubAbi, logs, eventName: "Settled" });
    for (const id of ids) {
      expect(settled.filter((l) => (l.args as { requestId: string }).requestId === id)).toHaveLength(1);
    }
    const store = openStore(join(dataDir, "relayer.sqlite"));
    try {
      expect(store.countByState()).toEqual({ settled: ids.length });
    } finally {
      store.close();
    }
  });
});
