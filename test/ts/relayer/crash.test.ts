import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestStatus } from "../../../abi/index.ts";
import { openStore } from "../../../relayer/store/store.ts";
import { startTestNetwork, type TestNetwork, waitFor } from "./harness.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");

/** Runs `opg relayer start` as a real child process (so it can be SIGKILLed). */
function spawnRelayer(configFile: string, privateKey: string): ChildProcess {
  return spawn(process.execPath, [join(ROOT, "bin", "opg.mjs"), "relayer", "start", "--config", configFile], {
    cwd: ROOT,
    env: { ...process.env, OPG_PRIVATE_KEY: privateKey, OPG_LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

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
    const { privateKey, ...config } = net.relayerConfig();
    const file = join(config.dataDir, "config.json");
    writeFileSync(
      file,
      JSON.stringify(config, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
    );
    const ids: `0x${string}`[] = [];
    for (let i = 0; i < 8; i++) ids.push(await net.request([0.1 * i, 0.2, -0.1 * i, 0.3]));

    child = spawnRelayer(file, privateKey!);
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

    child = spawnRelayer(file, privateKey!);
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
    const store = openStore(join(config.dataDir, "relayer.sqlite"));
    try {
      expect(store.countByState()).toEqual({ settled: ids.length });
    } finally {
      store.close();
    }
  });
});
