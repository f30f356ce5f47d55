import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Hex, parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferenceHubWithErrorsAbi, RequestStatus } from "../../../abi/index.ts";
import { createCommon } from "../../../relayer/common/common.ts";
import { createLogger } from "../../../relayer/common/logger.ts";
import { createBatcher } from "../../../relayer/jobs/batcher.ts";
import { createIntake } from "../../../relayer/jobs/intake.ts";
import { type JobDeps, processJob } from "../../../relayer/jobs/processJob.ts";
import { createProverPool } from "../../../relayer/prover/proverPool.ts";
import { openStore } from "../../../relayer/store/store.ts";
import { createWatcher } from "../../../relayer/sync/watcher.ts";
import { createChainClients, createTxSender } from "../../../relayer/tx/chain.ts";
import { createChainHead } from "../../../relayer/tx/chainHead.ts";
import { startTestNetwork, type TestNetwork } from "./harness.ts";

/**
 * Found by the chaos run: job steps act on the head, the watcher's log cursor can lag behind it (RPC
 * faults, a restart). A reorg that replaces only blocks above the cursor left the cursor's own hash
 * intact, so no reorg was detected, and a job whose settlement was dropped stayed `settled` in the store
 * while the chain held its commitment unproven (the node would have been slashed).
 */
describe("reorg above the watcher's cursor", () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await startTestNetwork();
  });
  afterAll(async () => {
    await net?.stop();
  });

  it("reopens a job whose commitment and settlement were dropped before the watcher reached them", async () => {
    const config = net.relayerConfig();
    const log = createLogger("warn");
    const common = createCommon(config, log);
    const store = openStore(join(mkdtempSync(join(tmpdir(), "opg-ahead-")), "relayer.sqlite"));
    const clients = await createChainClients({
      rpcUrls: config.rpcUrls,
      privateKey: config.privateKey as Hex,
      pollingIntervalMs: 100,
    });
    const sender = createTxSender({ clients, log, gas: config.gas, dryRun: false });
    const head = createChainHead({ publicClient: clients.publicClient, log });
    const batcher = createBatcher({
      hub: net.deployment.hub,
      abi: inferenceHubWithErrorsAbi,
      publicClient: clients.publicClient,
      sender,
      head,
      log,
      metrics: common.metrics,
      batch: config.batch,
    });
    const prover = createProverPool(1);
    const deps: JobDeps = {
      batcher,
      head,
      hub: net.deployment.hub,
      abi: inferenceHubWithErrorsAbi,
      publicClient: clients.publicClient,
      sender,
      store,
      models: new Map([[net.deployment.modelId, net.model]]),
      prover,
      metrics: common.metrics,
      log,
      dryRun: false,
      policy: config.policy,
      maxFeePerGas: config.gas.maxFeePerGas,
    };
    const intake = createIntake({ store, servedModels: new Set([net.deployment.modelId]), log });
    const forks: number[] = [];
    const watcher = createWatcher({
      publicClient: clients.publicClient,
      hub: net.deployment.hub,
      abi: inferenceHubWithErrorsAbi,
      config,
      store,
      log,
      onRequested: (ev) => {
        intake(ev);
      },
      // As the relayer: reopen the jobs above the fork and re-read the nonce.
      onReorg: (fork) => {
        forks.push(fork);
        store.reopenAfter(fork);
        void sender.resetNonce();
      },
    });
    try {
      const id = await net.request([0.3, -0.6, 0.2, 0.9]);
      const logs = await net.publicClient.getLogs({ address: net.deployment.hub, fromBlock: 0n });
      const ev = parseEventLogs({ abi: inferenceHubWithErrorsAbi, logs, eventName: "Requested" }).find(
        (l) => l.args.requestId === id,
      )!;
      const checkpoint = await net.chain.checkpoint();
      // The job runs to `settled` while the watcher has not scanned a single block (its cursor lags).
      expect(intake({ ...ev.args, blockNumber: ev.blockNumber })).toBe(true);
      for (let i = 0; i < 4 && store.getJob(id)!.state !== "settled"; i++) await processJob(deps, store.getJob(id)!);
      expect(store.getJob(id)!.state).toBe("settled");
      expect(store.getCursor()).toBeUndefined();

      await net.chain.reorgTo(checkpoint);
      expect((await net.state(id)).status).toBe(RequestStatus.Requested);
      for (let i = 0; i < 100 && (await watcher.poll()) > 0; i++);
      expect(forks.length).toBeGreaterThan(0);
      expect(store.getJob(id)!.state).toBe("seen");

      // Reopened, the job commits and settles again on the canonical chain.
      for (let i = 0; i < 4 && store.getJob(id)!.state !== "settled"; i++) await processJob(deps, store.getJob(id)!);
      expect((await net.state(id)).status).toBe(RequestStatus.Settled);
    } finally {
      await prover.close();
      store.close();
    }
  });
});
