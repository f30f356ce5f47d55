import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseEventLogs } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestStatus } from "../../../abi/index.ts";
import { freePort } from "../../../relayer/dev/localChain.ts";
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
    // The chain settles before the relayer reads the receipts and records them.
    await waitForStoredSettlements(dataDir, ids);
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

  it("after SIGKILL with a commitBatch pending, the restart waits for that batch and sends no second one", async () => {
    const port = await freePort();
    const metrics = { host: "127.0.0.1", port, enabled: true };
    const { file, dataDir, privateKey } = writeRelayerConfigFile(net, { batch: { commitWaitMs: 250 }, metrics });
    const node = privateKeyToAccount(privateKey as `0x${string}`).address;
    const nonces = async () => ({
      mined: await net.publicClient.getTransactionCount({ address: node, blockTag: "latest" }),
      pending: await net.publicClient.getTransactionCount({ address: node, blockTag: "pending" }),
    });
    const ids = await net.requestBurst(6);
    const storedCommitTxs = () => storedJobs(dataDir, ids).map((r) => r.commit_tx);
    await net.rpc("evm_setAutomine", [false]);
    let pendingAtKill: number;
    try {
      child = spawnRelayerProcess(file, privateKey);
      await waitFor(
        () => {
          const txs = storedCommitTxs();
          return txs.length === ids.length && txs.every((t) => t !== null);
        },
        90_000,
        "the commit batch's hash in the store",
      );
      child.kill("SIGKILL");
      await new Promise((r) => child!.once("exit", r));
      const atKill = await nonces();
      expect(atKill.pending).toBeGreaterThan(atKill.mined);
      pendingAtKill = atKill.pending;

      // Restarted while the batch is still in the mempool: it adopts it, it does not re-form and resend it.
      child = spawnRelayerProcess(file, privateKey);
      // Once a poll has run, the jobs' steps have started; without the wait for the stored hash they
      // would re-form the batch and send it again within milliseconds.
      await waitFor(
        async () => {
          const text = await fetch(`http://127.0.0.1:${port}/metrics`).then(
            (r) => r.text(),
            () => "",
          );
          return /opg_relayer_jobs\{state="committing"\} 6/.test(text);
        },
        90_000,
        "the restarted relayer's first poll",
      );
      await new Promise((r) => setTimeout(r, 2_000));
      expect((await nonces()).pending).toBe(pendingAtKill);
    } finally {
      await net.rpc("evm_setAutomine", [true]);
      await net.rpc("evm_mine");
    }
    for (const id of ids) {
      await waitFor(async () => (await net.state(id)).status === RequestStatus.Settled, 90_000, `settlement of ${id}`);
    }
    // The chain settles before the relayer reads the receipts and records them.
    await waitForStoredSettlements(dataDir, ids);
    child.kill("SIGTERM");
    await new Promise((r) => child!.once("exit", r));

    const logs = await net.publicClient.getLogs({ address: net.deployment.hub, fromBlock: 0n });
    const committed = parseEventLogs({ abi: net.hubAbi, logs, eventName: "Committed" });
    const settled = parseEventLogs({ abi: net.hubAbi, logs, eventName: "Settled" });
    for (const id of ids) {
      expect(committed.filter((l) => l.args.requestId === id)).toHaveLength(1);
      expect(settled.filter((l) => l.args.requestId === id)).toHaveLength(1);
    }
    for (const hash of new Set(logs.map((l) => l.transactionHash!))) {
      const receipt = await net.publicClient.getTransactionReceipt({ hash });
      if (receipt.from.toLowerCase() === node.toLowerCase()) expect(receipt.status).toBe("success");
    }
    const store = openStore(join(dataDir, "relayer.sqlite"));
    try {
      for (const id of ids) expect(store.getJob(id)?.state).toBe("settled");
    } finally {
      store.close();
    }
  });
});

/** The rows of `ids` in the relayer's store at `dataDir`, read while it runs (it also holds other tests' requests). */
function storedJobs(
  dataDir: string,
  ids: readonly string[],
): { request_id: string; commit_tx: string | null; state: string }[] {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(join(dataDir, "relayer.sqlite"), { readOnly: true });
    const rows = db.prepare("SELECT request_id, commit_tx, state FROM jobs").all() as {
      request_id: string;
      commit_tx: string | null;
      state: string;
    }[];
    return rows.filter((r) => ids.includes(r.request_id));
  } catch {
    return []; // not created yet
  } finally {
    db?.close();
  }
}

/** Waits until the relayer at `dataDir` has recorded every one of `ids` as settled. */
async function waitForStoredSettlements(dataDir: string, ids: readonly string[]): Promise<void> {
  await waitFor(
    () => {
      const jobs = storedJobs(dataDir, ids);
      return jobs.length === ids.length && jobs.every((j) => j.state === "settled");
    },
    30_000,
    "the relayer to record the settlements",
  );
}
