import { join } from "node:path";
import { inferenceHubWithErrorsAbi } from "../abi/index.ts";
import { type CompiledModel, loadCompiledModel } from "../zkml/index.ts";
import { type Common, createCommon } from "./common/common.ts";
import type { RelayerConfig } from "./common/config.ts";
import { classifyError, RelayerError } from "./common/errors.ts";
import type { Logger } from "./common/logger.ts";
import { withRetry } from "./common/retry.ts";
import { createBatcher } from "./jobs/batcher.ts";
import { checkModelsMatchChain } from "./jobs/checkModels.ts";
import { createIntake } from "./jobs/intake.ts";
import { type JobDeps, processJob } from "./jobs/processJob.ts";
import { createJobScheduler, type JobScheduler } from "./jobs/scheduler.ts";
import { withdrawEarnings } from "./jobs/withdrawEarnings.ts";
import { createNodeSnapshot } from "./ops/nodeSnapshot.ts";
import { type Health, serveOperations } from "./ops/server.ts";
import { createStatusSource } from "./ops/statusApi.ts";
import { createProverPool } from "./prover/proverPool.ts";
import { type Job, openStore, type Store } from "./store/store.ts";
import { createWatcher, type Watcher } from "./sync/watcher.ts";
import { type ContentReader, openContentStore } from "./teeJobs/contentStore.ts";
import { contentBaseUrlOf, openTeeModels } from "./teeJobs/openTeeModels.ts";
import { processTeeJob, type ServedTeeModel, type TeeJobDeps } from "./teeJobs/processTeeJob.ts";
import { type ChainClients, createChainClients, createTxSender, type TxSender } from "./tx/chain.ts";
import { type ChainHead, createChainHead, defaultWsUrl } from "./tx/chainHead.ts";

/** How long shutdown waits for in-flight jobs to finish their current step. */
const DRAIN_TIMEOUT_MS = 60_000;
/** Polls between earnings checks (each check is one `eth_call`). */
const WITHDRAW_EVERY_POLLS = 10;
/** How long a transaction alert stays in `/healthz` (a few stuck-transaction periods). */
const TX_ALERT_WINDOW_MS = 5 * 60_000;
/** Transaction alerts kept for `/healthz`. */
const MAX_RECENT_TX_ALERTS = 50;
/** Blocks behind the final head beyond which `/healthz` reports the node unhealthy. */
const MAX_HEALTHY_BLOCK_LAG = 100;

/** A running relayer. */
export type Relayer = {
  address: `0x${string}`;
  operationsUrl: string | undefined;
  /** Stops watching, lets in-flight steps finish, closes everything. */
  stop(): Promise<void>;
  /** Resolves when the relayer stops (after `stop` or a fatal error). */
  done: Promise<void>;
};

async function loadModels(common: Common): Promise<Map<string, CompiledModel>> {
  const models = new Map<string, CompiledModel>();
  for (const m of common.config.models) {
    const model = await loadCompiledModel(m.dir, { executionProvider: common.config.executionProvider });
    models.set(m.modelId.toString(), model);
    common.onShutdown(`model ${m.modelId}`, () => model.close());
    common.log.info({ modelId: m.modelId.toString(), dir: model.dir, ep: model.executionProvider }, "model loaded");
  }
  return models;
}

/** A pause between polls that a new head (or anything else) can end early; it says whether a head did. */
function createWakeup() {
  let early = false;
  let byHead = false;
  let wake: (() => void) | undefined;
  return {
    /** Ends the current pause, or the next one at once; `head`: a new head was announced. */
    kick(head = false): void {
      byHead ||= head;
      if (wake) wake();
      else early = true;
    },
    /** Waits `ms`, until `kick`, or until `signal` aborts; true when a new head was announced meanwhile. */
    async pause(ms: number, signal: AbortSignal): Promise<boolean> {
      if (!early && !signal.aborted) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            wake = undefined;
            resolve();
          };
          const timer = setTimeout(done, ms);
          signal.addEventListener("abort", done, { once: true });
          wake = done;
        });
      }
      early = false;
      const head = byHead;
      byHead = false;
      return head;
    },
  };
}

/** The poll loop: scan logs, move open jobs, do periodic work, publish gauges; until shutdown begins. */
async function pollLoop(parts: {
  common: Common;
  watcher: Watcher;
  scheduler: JobScheduler;
  store: Store;
  periodic: () => Promise<void>;
  status: { rpcOk: boolean; lag: number };
  head: ChainHead;
  wakeup: ReturnType<typeof createWakeup>;
}): Promise<void> {
  const { common, watcher, scheduler, store, status } = parts;
  let woken = false;
  for (let poll = 1; !common.stopping.aborted; poll++) {
    try {
      // A step woken by a new head takes the head's number and hash from its announcement (see createWatcher).
      status.lag = await watcher.poll(woken ? parts.head.announced() : undefined);
      status.rpcOk = true;
      parts.head.observe(watcher.lastHead());
      for (const job of store.openJobs()) scheduler.kick(job);
      // Bounded (one small batch per poll): the table holds open jobs plus the retention period's history.
      store.pruneFinished(Date.now() - common.config.retention.finishedJobsMs);
      if (poll % WITHDRAW_EVERY_POLLS === 0) await parts.periodic();
      common.metrics.jobs.reset(); // states that emptied must read 0, not their last count
      for (const [state, n] of Object.entries(store.countByState())) common.metrics.jobs.set({ state }, n);
      common.metrics.blockLag.set(status.lag);
      common.metrics.stuckJobs.set(scheduler.stuck().length);
    } catch (raw) {
      const error = classifyError(raw);
      status.rpcOk = !error.retryable;
      common.log.warn({ err: error.message, retryable: error.retryable }, "watcher step failed");
    }
    woken = status.lag === 0 ? await parts.wakeup.pause(common.config.pollIntervalMs, common.stopping) : false;
  }
}

function connect(common: Common, clients: ChainClients | undefined): Promise<ChainClients> {
  const { config } = common;
  if (clients) return Promise.resolve(clients);
  return createChainClients({
    rpcUrls: config.rpcUrls,
    privateKey: config.privateKey as `0x${string}`,
    pollingIntervalMs: config.pollIntervalMs,
  });
}

/** Alerts of the sender kept for `/healthz`, newest last. */
type RecentAlerts = Health["txAlerts"];

function createSender(common: Common, chain: ChainClients, recent: RecentAlerts, head: ChainHead): TxSender {
  return createTxSender({
    clients: chain,
    fees: head.fees,
    log: common.log.child({ module: "tx" }),
    gas: common.config.gas,
    dryRun: common.config.dryRun,
    signal: common.hardStop,
    onGasUsed: (label, gas) => common.metrics.gasUsed.inc({ tx: label }, Number(gas)),
    onAlert: (alert) => {
      common.metrics.txAlerts.inc({ kind: alert.kind });
      recent.push({ kind: alert.kind, label: alert.label, at: new Date().toISOString() });
      if (recent.length > MAX_RECENT_TX_ALERTS) recent.shift();
    },
  });
}

/** The alerts of the last window; a nonce stuck or pinned at the fee cap makes the node unhealthy. */
function txHealth(recent: RecentAlerts): { alerts: RecentAlerts; ok: boolean } {
  const since = Date.now() - TX_ALERT_WINDOW_MS;
  const alerts = recent.filter((a) => Date.parse(a.at) >= since);
  return { alerts, ok: !alerts.some((a) => a.kind === "stuck" || a.kind === "feeCapReached") };
}

/**
 * Serves `/metrics`, `/healthz` and the read-only status page (unless metrics are disabled). The page's
 * chain reads (stake, bond, earnings) are cached in a `createNodeSnapshot`; everything else comes from
 * the store and from state the poll loop already keeps.
 */
async function serveOps(
  common: Common,
  parts: {
    store: Store;
    chain: ChainClients;
    hub: `0x${string}`;
    node: `0x${string}`;
    watcher: Watcher;
    content?: ContentReader;
  },
  health: () => Promise<Health>,
) {
  const { config, metrics } = common;
  if (!config.metrics.enabled) return undefined;
  const snapshot = createNodeSnapshot({
    publicClient: parts.chain.publicClient,
    hub: parts.hub,
    abi: inferenceHubWithErrorsAbi,
    node: parts.node,
    log: common.log.child({ module: "status" }),
  });
  const status = createStatusSource({
    config,
    store: parts.store,
    node: parts.node,
    snapshot,
    head: parts.watcher.lastHead,
    health,
  });
  const { host, port } = config.metrics;
  return serveOperations({ host, port, metrics, health, status, content: parts.content });
}

/**
 * The store of published TEE output content (`<dataDir>/content`, served at `/content/<hash>`) when a served model
 * returns outputs by reference (`openTeeModels` has checked that `tee.contentStore.publicBaseUrl` is set).
 */
async function openPublishedContent(
  common: Common,
  teeModels: ReadonlyMap<string, ServedTeeModel>,
): Promise<TeeJobDeps["content"]> {
  const { contentStore } = common.config.tee;
  const publishes = [...teeModels.values()].some((m) =>
    m.model.manifest.outputs.some((o) => o.encoding.kind === "reference"),
  );
  if (!publishes || contentStore.publicBaseUrl === undefined) return undefined;
  const store = await openContentStore({
    dir: join(common.config.dataDir, "content"),
    maxBytes: contentStore.maxBytes,
    retentionMs: contentStore.retentionMs,
    log: common.log.child({ module: "content" }),
  });
  return { store, baseUrl: contentBaseUrlOf(contentStore.publicBaseUrl) };
}

/**
 * Starts the relayer: loads the models, opens the store, connects to the chain, and runs the watcher
 * and the job loop until `stop()` (or SIGTERM via the CLI). Everything it needs comes in `config`.
 */
export async function startRelayer(config: RelayerConfig, log: Logger, clients?: ChainClients): Promise<Relayer> {
  if (!config.hub) throw new RelayerError("no hub address configured");
  const common = createCommon(config, log);
  const hub = config.hub as `0x${string}`;
  const abi = inferenceHubWithErrorsAbi;
  const models = await loadModels(common);
  const store = openStore(join(config.dataDir, "relayer.sqlite"));
  common.onShutdown("store", () => store.close());
  const chain = await connect(common, clients);
  await checkModelsMatchChain(chain.publicClient, hub, models).catch(async (error) => {
    await common.shutdown();
    throw error;
  });
  const prover = createProverPool(config.proverConcurrency);
  common.onShutdown("prover pool", () => prover.close());
  const recentTxAlerts: RecentAlerts = [];
  const head = createChainHead({
    publicClient: chain.publicClient,
    log: log.child({ module: "head" }),
    signal: common.hardStop,
  });
  const wakeup = createWakeup();
  const wsUrl = config.wsUrl === false ? undefined : (config.wsUrl ?? defaultWsUrl(config.rpcUrls));
  const subscription = wsUrl ? await head.subscribe(wsUrl) : undefined;
  if (subscription) common.onShutdown("new-head subscription", subscription.close);
  // A new head wakes the watcher at once; the watcher's finality rules still decide what it reads.
  head.onHead(() => wakeup.kick(true));
  const sender = createSender(common, chain, recentTxAlerts, head);
  const batcher = createBatcher({
    hub,
    abi,
    publicClient: chain.publicClient,
    sender,
    head,
    log: log.child({ module: "batcher" }),
    metrics: common.metrics,
    batch: config.batch,
  });
  const deps: JobDeps = {
    hub,
    abi,
    publicClient: chain.publicClient,
    sender,
    batcher,
    head,
    store,
    models,
    prover,
    metrics: common.metrics,
    log: log.child({ module: "jobs" }),
    dryRun: config.dryRun,
    policy: config.policy,
    maxFeePerGas: config.gas.maxFeePerGas,
  };
  const teeModels = await openTeeModels(common, { publicClient: chain.publicClient, hub }).catch(async (error) => {
    await common.shutdown();
    throw error;
  });
  const content = await openPublishedContent(common, teeModels);
  const teeDeps: TeeJobDeps = {
    ...deps,
    content,
    signal: common.hardStop,
    // Retried: one 503 at start-up must not stop a relayer restarted after a crash.
    chainId: await withRetry(() => chain.publicClient.getChainId()),
    models: teeModels,
    fetch: {
      allowFileUris: config.tee.allowFileUris,
      allowPrivateHosts: config.tee.allowPrivateHosts,
      timeoutMs: config.tee.fetchTimeoutMs,
      signal: common.hardStop,
    },
  };
  // TEE models settle in one `commitAndSettle` (relayer/tee/); the others go commit → prove → settle.
  const step = (job: Job) => (teeModels.has(job.modelId) ? processTeeJob(teeDeps, job) : processJob(deps, job));
  const scheduler = createJobScheduler({ common, store, step });
  const servedModels = new Set([...models.keys(), ...teeModels.keys()]);
  const intake = createIntake({ store, servedModels, log: deps.log, metrics: common.metrics });
  const watcher = createWatcher({
    publicClient: chain.publicClient,
    hub,
    abi,
    config,
    store,
    log: log.child({ module: "watcher" }),
    onRequested: (ev) => {
      const job = intake(ev) ? store.getJob(ev.requestId) : undefined;
      if (job) scheduler.kick(job);
    },
    onReorg: (fork) => {
      const reopened = store.reopenAfter(fork);
      log.warn({ fork, reopened }, "jobs reopened after a reorg");
      void sender.resetNonce();
      for (const job of store.openJobs()) scheduler.kick(job);
    },
  });
  const status = { rpcOk: true, lag: 0 };
  const health = async (): Promise<Health> => {
    const stuckJobs = scheduler.stuck();
    const queueDepth = store.openJobs().length + prover.depth();
    const tx = txHealth(recentTxAlerts);
    const ok = status.rpcOk && status.lag < MAX_HEALTHY_BLOCK_LAG && stuckJobs.length === 0 && tx.ok;
    return { ok, rpc: status.rpcOk, blockLag: status.lag, queueDepth, stuckJobs, txAlerts: tx.alerts };
  };
  const ops = await serveOps(
    common,
    { store, chain, hub, node: sender.address, watcher, content: content?.store },
    health,
  );
  if (ops) common.onShutdown("operations server", ops.close);
  const threshold = config.dryRun ? 0n : config.withdrawThreshold;
  const periodic = async () => {
    await content?.store
      .prune()
      .catch((error: unknown) => deps.log.warn({ err: String(error) }, "content store pruning failed"));
    await withdrawEarnings({ hub, abi, publicClient: chain.publicClient, sender, threshold, log: deps.log });
  };

  log.info(
    { node: sender.address, hub, models: [...servedModels], dryRun: config.dryRun, ops: ops?.url },
    "relayer started",
  );
  const done = pollLoop({ common, watcher, scheduler, store, periodic, status, head, wakeup });
  let stopped: Promise<void> | undefined;
  return {
    address: sender.address,
    operationsUrl: ops?.url,
    done,
    stop() {
      stopped ??= common
        .shutdown(async () => {
          await done;
          await scheduler.drain(DRAIN_TIMEOUT_MS);
        })
        .then(() => log.info("relayer stopped"));
      return stopped;
    },
  };
}
