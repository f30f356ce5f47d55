import type { ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestStatus } from "../../../abi/index.ts";
import { spawnRelayerProcess, startTestNetwork, type TestNetwork, waitFor, writeRelayerConfigFile } from "./harness.ts";

/** Bound on drain + cleanup for an idle relayer (it must not wait out its 60 s drain deadline). */
const EXIT_WITHIN_MS = 15_000;

/** Pids of every live descendant of `pid` (from /proc). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid; the command name (field 2) may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // the process exited while we looked
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

const alive = (pid: number) =>
  existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");

describe.skipIf(!existsSync("/proc"))("opg relayer start shutdown", () => {
  let net: TestNetwork;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    net = await startTestNetwork();
  });
  afterAll(async () => {
    child?.kill("SIGKILL");
    await net?.stop();
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`exits with code 0 and leaves no process behind after ${signal}`, async () => {
      const { file, privateKey } = writeRelayerConfigFile(net);
      const proc = spawnRelayerProcess(file, privateKey);
      child = proc;
      const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
      // Serve one request so the prover pool, onnxruntime and the RPC clients all hold resources.
      const id = await net.request([0.2, -0.1, 0.3, 0.05]);
      await waitFor(async () => (await net.state(id)).status === RequestStatus.Settled, 120_000, "the settlement");
      const family = descendants(proc.pid!);
      const sentAt = Date.now();
      proc.kill(signal);
      const code = await Promise.race([
        exited,
        new Promise<"timeout">((r) => setTimeout(() => r("timeout"), EXIT_WITHIN_MS)),
      ]);
      expect(code, `relayer still running ${EXIT_WITHIN_MS} ms after ${signal}`).toBe(0);
      expect(Date.now() - sentAt).toBeLessThan(EXIT_WITHIN_MS);
      await waitFor(() => family.every((pid) => !alive(pid)), 5_000, "the relayer's child processes to exit");
      child = undefined;
    });
  }
});
