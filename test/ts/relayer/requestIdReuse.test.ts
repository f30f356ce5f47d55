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
import { JobSupersededError } from "../../../relayer/jobs/jobErrors.ts";
import { type JobDeps, processJob } from "../../../relayer/jobs/processJob.ts";
import { createProverPool } from "../../../relayer/prover/proverPool.ts";
import { openStore } from "../../../relayer/store/store.ts";
import { createChainClients, createTxSender } from "../../../relayer/tx/chain.ts";
import { createChainHead } from "../../../relayer/tx/chainHead.ts";
import type { CompiledModel } from "../../../zkml/index.ts";
import { startTestNetwork, type TestNetwork, waitFor } from "./harness.ts";

/**
 * After a reorg the hub's nonce can give a request id to a different request. A job step that started
 * for the old request must not write its output into the row that now holds the new one (else the node
 * commits an output it cannot prove, and is slashed).
 */
describe("request id reused after a reorg", () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await startTestNetwork();
  });
  afterAll(async () => {
    await net?.stop();
  });

  async function requestedEvent(id: Hex) {
    const logs = await net.publicClient.getLogs({ address: net.deployment.hub, fromBlock: 0n });
    const ev = parseEventLogs({ abi: inferenceHubWithErrorsAbi, logs, eventName: "Requested" }).find(
      (l) => l.args.requestId === id,
    );
    if (!ev) throw new Error(`no Requested event for ${id}`);
    return { ...ev.args, blockNumber: ev.blockNumber };
  }

  it("drops the step in flight for the old request and serves the new one on its own input", async () => {
    const config = net.relayerConfig();
    const log = createLogger("warn");
    const common = createCommon(config, log);
    const store = openStore(join(mkdtempSync(join(tmpdir(), "opg-reuse-")), "relayer.sqlite"));
    const clients = await createChainClients({
      rpcUrls: config.rpcUrls,
      privateKey: config.privateKey as Hex,
      pollingIntervalMs: 100,
    });
    const sender = createTxSender({ clients, log, gas: config.gas, dryRun: false });
    const head = createChainHead({ publicClient: clients.publicClient, log });
    const { publicClient } = clients;
    const batch = config.batch;
    const batcher = createBatcher({
      hub: net.deployment.hub,
      abi: inferenceHubWithErrorsAbi,
      publicClient,
      sender,
      head,
      log,
      metrics: common.metrics,
      batch,
    });
    const prover = createProverPool(1);
    // The real model, with inference held at a gate so the reorg lands while the step is in flight.
    let openGate!: () => void;
    const gate = new Promise<void>((r) => {
      openGate = r;
    });
    let entered!: () => void;
    const inInference = new Promise<void>((r) => {
      entered = r;
    });
    const gated: CompiledModel = Object.create(net.model, {
      infer: {
        value: async (q: bigint[]) => {
          entered();
          await gate;
          return net.model.infer(q);
        },
      },
    });
    const deps: JobDeps = {
      hub: net.deployment.hub,
      abi: inferenceHubWithErrorsAbi,
      publicClient: clients.publicClient,
      sender,
      batcher,
      head,
      store,
      models: new Map([[net.deployment.modelId, gated]]),
      prover,
      metrics: common.metrics,
      log,
      dryRun: false,
      policy: config.policy,
      maxFeePerGas: config.gas.maxFeePerGas,
    };
    const intake = createIntake({ store, servedModels: new Set([net.deployment.modelId]), log });
    try {
      const checkpoint = await net.chain.checkpoint();
      const idA = await net.request([0.4, -0.2, 0.1, 0.3]);
      expect(intake(await requestedEvent(idA))).toBe(true);
      const stepA = processJob(deps, store.getJob(idA)!);
      await inInference;

      // The blocks holding request A vanish; a malformed request B takes the same nonce, hence the same id.
      await net.chain.reorgTo(checkpoint);
      const words = net.model.manifest.publicSignals.input.words;
      const idB = await net.requestWords(Array.from({ length: words }, () => 2n ** 252n));
      expect(idB).toBe(idA);
      expect(intake(await requestedEvent(idB))).toBe(true);

      openGate();
      await expect(stepA).rejects.toBeInstanceOf(JobSupersededError);
      const row = store.getJob(idB)!;
      expect(row.state).toBe("seen");
      expect(row.outputJson).toBeNull();

      // The new request is judged on its own input: malformed, so rejected, and nothing is committed.
      await processJob(deps, row);
      expect(store.getJob(idB)!.state).toBe("rejected");
      expect((await net.state(idB)).status).toBe(RequestStatus.Requested);
    } finally {
      openGate();
      await prover.close();
      store.close();
    }
  });

  it("after a deep reorg a running relayer settles the new request on its own output, and loses neither", async () => {
    const { relayer, config } = await net.runRelayer();
    const checkpoint = await net.chain.checkpoint();
    const inputA = [0.6, 0.1, -0.4, 0.2];
    const idA = await net.request(inputA);
    await waitFor(async () => (await net.state(idA)).status === RequestStatus.Settled, 120_000, "settlement of A");
    // Deepen it: the reorg drops A's request, commitment, settlement and the blocks on top of them.
    for (let i = 0; i < 4; i++) await net.rpc("evm_mine");
    expect((await net.publicClient.getBlockNumber()) - checkpoint.block).toBeGreaterThanOrEqual(7n);
    await net.chain.reorgTo(checkpoint);
    expect((await net.state(idA)).status).toBe(RequestStatus.None);

    // Another request takes A's nonce, hence its id; then A's transaction is included again (as a real
    // chain re-includes a dropped transaction from the mempool) and gets the next id.
    const inputB = [-0.7, 0.5, 0.3, -0.1];
    const idB = await net.request(inputB);
    expect(idB).toBe(idA);
    const idA2 = await net.request(inputA);
    expect(idA2).not.toBe(idA);
    for (const id of [idB, idA2]) {
      await waitFor(async () => (await net.state(id)).status === RequestStatus.Settled, 120_000, `settlement of ${id}`);
    }
    const committed = parseEventLogs({
      abi: inferenceHubWithErrorsAbi,
      logs: await net.publicClient.getLogs({ address: net.deployment.hub, fromBlock: 0n }),
      eventName: "Committed",
    });
    for (const [id, input] of [
      [idB, inputB],
      [idA2, inputA],
    ] as const) {
      const commits = committed.filter((l) => l.args.requestId === id);
      expect(commits).toHaveLength(1);
      const expected = (await net.model.infer(net.model.quantizeInput([...input]))).outputWords;
      expect(commits[0]!.args.output).toEqual(expected);
      expect(commits[0]!.args.node.toLowerCase()).toBe(relayer.address.toLowerCase());
    }
    // The store holds each request once, settled, with the output of its own input.
    const store = openStore(join(config.dataDir, "relayer.sqlite"));
    try {
      await waitFor(
        () => store.getJob(idB)?.state === "settled" && store.getJob(idA2)?.state === "settled",
        30_000,
        "the store to record both settlements",
      );
      expect(store.getJob(idB)!.requestJson).toContain(`${net.model.packInput(net.model.quantizeInput(inputB))[0]}`);
    } finally {
      store.close();
    }
  });
});
