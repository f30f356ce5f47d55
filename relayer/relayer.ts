import { join } from "node:path";
import { type CompiledModel, loadCompiledModel } from "../zkml/index.ts";
import { toJson } from "./common/codec.ts";
import type { RelayerConfig } from "./common/config.ts";
import { classifyError, RelayerError } from "./common/errors.ts";
import { loadHubAbi } from "./common/hubAbi.ts";
import type { Logger } from "./common/logger.ts";
import { sleep } from "./common/retry.ts";
import { type JobDeps, processJob } from "./jobs/processJob.ts";
import { createMetrics, type Health, serveOperations } from "./ops/metrics.ts";
import { createProverPool } from "./prover/proverPool.ts";
import { OPEN_STATES, openStore } from "./store/store.ts";
import { createWatcher, type RequestedLog } from "./sync/watcher.ts";
import { type ChainClients, createChainClients, createTxSender } from "./tx/chain.ts";

/** Jobs moved forward at once (proofs are bounded separately by the prover pool). */
const MAX_CONCURRENT_JOBS = 32;
/** Pause before retrying a job whose step failed with a retryable error. */
const JOB_RETRY_DELAY_MS = 1_000;
/** A job failing this many times in a row with non-retryable errors is parked as expired. */
const MAX_JOB_FAILURES = 5;
/** How long shutdown waits for in-flight jobs to finish their current step. */
const DRAIN_TIMEOUT_MS = 60_000;

/** A running relayer. */
export type Relayer = {
  address: `0x${string}`;
  operationsUrl: string | undefined;
  /** Stops watching, lets in-flight steps finish, closes everything. */
  stop(): Promise<void>;
  /** Resolves when the relayer stops (after `stop` or a fatal error). */
  done: Promise<void>;
};

async function loadModels(config: RelayerConfig, log: Logger): Promise<Map<string, CompiledModel>> {
  const models = new Map<string, CompiledModel>();
  for (const m of config.models) {
    const model = await loadCompiledModel(m.dir, { executionProvider: config.executionProvider });
    models.set(m.modelId.toString(), model);
    log.info({ modelId: m.modelId.toString(), dir: model.dir, ep: model.executionProvider }, "model loaded");
  }
  return models;
}

/**
 * Starts the relayer: loads the models, opens the store, connects to the chain, and runs the watcher
 * and the job loop until `stop()` (or SIGTERM via the CLI). Everything it needs comes in `config`.
 */
export async function startRelayer(config: RelayerConfig, log: Logger, clients?: ChainClients): Promise<Relayer> {
  if (!config.hub) throw new RelayerError("no hub address configured");
  const hub = config.hub as `0x${string}`;
  const abi = loadHubAbi();
  const models = await loadModels(config, log);
  const store = openStore(join(config.dataDir, "relayer.sqlite"));
  const chain =
    clients ??
    (await createChainClients({
      rpcUrls: config.rpcUrls,
      privateKey: config.privateKey as `0x${string}`,
      pollingIntervalMs: config.pollIntervalMs,
    }));
  /** Stops the watcher and new job steps; in-flight steps continue (drain). */
  const controller = new AbortController();
  /** Aborts in-flight waits once the drain timeout passes. */
  const hardStop = new AbortController();
  const metrics = createMetrics();
  const prover = createProverPool(config.proverConcurrency);
  const sender = createTxSender({
    clients: chain,
    log: log.child({ module: "tx" }),
    gas: config.gas,
    dryRun: config.dryRun,
    signal: hardStop.signal,
    onGasUsed: (label, gas) => metrics.gasUsed.inc({ tx: label }, Number(gas)),
  });
  const deps: JobDeps = {
    hub,
    abi,
    publicClient: chain.publicClient,
    sender,
    store,
    models,
    prover,
    metrics,
    log: log.child({ module: "jobs" }),
    dryRun: config.dryRun,
  };
  const inflight = new Map<string, Promise<void>>();
  const failures = new Map<string, number>();
  let rpcOk = true;
  let lag = 0;

  function kick(requestId: string): void {
    if (inflight.has(requestId) || inflight.size >= MAX_CONCURRENT_JOBS || controller.signal.aborted) return;
    const job = store.getJob(requestId);
    if (!job || (!OPEN_STATES.includes(job.state) && job.state !== "rejected")) return;
    const run = processJob(deps, job)
      .then(() => {
        failures.delete(requestId);
      })
      .catch(async (raw) => {
        const error = classifyError(raw);
        metrics.errors.inc({ stage: job.state });
        const n = (failures.get(requestId) ?? 0) + (error.retryable ? 0 : 1);
        failures.set(requestId, n);
        deps.log.warn({ requestId, err: error.message, retryable: error.retryable, failures: n }, "job step failed");
        if (n >= MAX_JOB_FAILURES) store.updateJob(requestId, { state: "expired", error: error.message });
        await sleep(JOB_RETRY_DELAY_MS).catch(() => undefined);
      })
      .finally(() => inflight.delete(requestId));
    inflight.set(requestId, run);
  }

  function onRequested(ev: RequestedLog): void {
    const modelId = ev.modelId.toString();
    if (!models.has(modelId)) return; // a model this node does not serve
    const requestJson = toJson(ev.request);
    const added = store.addJob({
      requestId: ev.requestId,
      modelId,
      requestJson,
      requestBlock: Number(ev.blockNumber),
      state: "seen",
    });
    if (!added) {
      const known = store.getJob(ev.requestId);
      // The same id can carry another request after a reorg (ids come from a nonce): adopt the new one.
      if (known && known.requestJson !== requestJson && OPEN_STATES.includes(known.state)) {
        store.updateJob(ev.requestId, {
          requestJson,
          state: "seen",
          outputJson: null,
          proofBytes: null,
          commitTx: null,
        });
      }
    }
    kick(ev.requestId);
  }

  const watcher = createWatcher({
    publicClient: chain.publicClient,
    hub,
    abi,
    config,
    store,
    log: log.child({ module: "watcher" }),
    onRequested,
    onReorg: (fork) => {
      const reopened = store.reopenAfter(fork);
      log.warn({ fork, reopened }, "jobs reopened after a reorg");
      void sender.resetNonce();
      for (const job of store.openJobs()) kick(job.requestId);
    },
  });

  async function withdrawIfDue(): Promise<void> {
    if (config.withdrawThreshold === 0n || config.dryRun) return;
    const [, earnings] = (await chain.publicClient.readContract({
      address: hub,
      abi,
      functionName: "nodeAccount",
      args: [sender.address],
    })) as readonly [bigint, bigint];
    if (earnings < config.withdrawThreshold) return;
    await sender.send({
      address: hub,
      abi,
      functionName: "withdrawEarnings",
      args: [sender.address],
      label: "withdraw",
    });
    log.info({ amount: earnings.toString() }, "earnings withdrawn");
  }

  async function health(): Promise<Health> {
    const depth = store.openJobs().length;
    return { ok: rpcOk && lag < 100, rpc: rpcOk, blockLag: lag, queueDepth: depth + prover.depth() };
  }

  const ops = config.metrics.enabled
    ? await serveOperations({ host: config.metrics.host, port: config.metrics.port, metrics, health })
    : undefined;

  async function loop(): Promise<void> {
    let tick = 0;
    while (!controller.signal.aborted) {
      try {
        lag = await watcher.poll();
        rpcOk = true;
        for (const job of store.openJobs()) kick(job.requestId);
        for (const job of store.allJobs()) if (job.state === "rejected") kick(job.requestId);
        if (++tick % 10 === 0) await withdrawIfDue();
        metrics.jobs.reset(); // states that emptied must read 0, not their last count
        for (const [state, n] of Object.entries(store.countByState())) metrics.jobs.set({ state }, n);
        metrics.blockLag.set(lag);
      } catch (raw) {
        const error = classifyError(raw);
        rpcOk = !error.retryable;
        log.warn({ err: error.message, retryable: error.retryable }, "watcher step failed");
      }
      if (lag === 0) await sleep(config.pollIntervalMs, controller.signal).catch(() => undefined);
    }
  }

  log.info(
    { node: sender.address, hub, models: [...models.keys()], dryRun: config.dryRun, ops: ops?.url },
    "relayer started",
  );
  const done = loop();
  let stopping: Promise<void> | undefined;
  return {
    address: sender.address,
    operationsUrl: ops?.url,
    done,
    stop() {
      stopping ??= (async () => {
        controller.abort(new RelayerError("relayer stopping"));
        await done;
        const drained = Promise.allSettled([...inflight.values()]);
        await Promise.race([drained, sleep(DRAIN_TIMEOUT_MS)]);
        hardStop.abort(new RelayerError("drain timeout"));
        await prover.close();
        await ops?.close();
        for (const model of models.values()) await model.close();
        store.close();
        log.info("relayer stopped");
      })();
      return stopping;
    },
  };
}
