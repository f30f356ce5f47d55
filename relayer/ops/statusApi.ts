import type { RelayerConfig } from "../common/config.ts";
import type { Store } from "../store/store.ts";
import type { NodeBalances, NodeSnapshotReader } from "./nodeSnapshot.ts";
import { createRedactor, rpcHost } from "./redact.ts";
import { type RequestView, requestView } from "./requestView.ts";
import type { Health } from "./server.ts";
import { buildCharts, CHART_MAX_JOBS, CHART_WINDOW_MS, type StatusCharts } from "./statusCharts.ts";

/** Requests listed on the status page (newest first). */
export const RECENT_REQUESTS = 25;

/** A request id as `/api/requests/<id>` accepts it. */
export const REQUEST_ID = /^0x[0-9a-fA-F]{64}$/;

/** What `/api/status` answers: everything the status page shows, from the store and cached chain reads. */
export type StatusView = {
  generatedAt: number;
  node: {
    address: string;
    /** Stake, bond and earnings as last read from the chain (at most `NODE_SNAPSHOT_TTL_MS` old). */
    balances: NodeBalances | null;
    balancesError: string | null;
  };
  chain: {
    /** Latest head the watcher read (the `safe`/`finalized` block in those finality modes). */
    head: number;
    /** Last block whose logs were processed. */
    cursor: number | null;
    blockLag: number;
    finality: string;
    rpcOk: boolean;
    /** The configured RPC endpoints, host only (paths and queries may hold API keys). */
    rpcHosts: string[];
  };
  health: { ok: boolean; stuckJobs: number; queueDepth: number };
  /** Jobs in the store by state (open ones and finished ones within the retention period). */
  jobsByState: Record<string, number>;
  recent: RequestView[];
  charts: StatusCharts;
  /** Base URL transaction links point to, or null. */
  explorerUrl: string | null;
  dryRun: boolean;
};

/** The relayer state the status page reads; every field is already held by the running relayer. */
export type StatusDeps = {
  config: RelayerConfig;
  store: Store;
  node: string;
  snapshot: NodeSnapshotReader;
  /** The watcher's last head read (no RPC call). */
  head: () => bigint;
  health: () => Promise<Health>;
};

/** The status page's data source: `/api/status` and `/api/requests/<id>`. */
export type StatusSource = {
  status(): Promise<StatusView>;
  /** The request's view, or undefined when this node's store does not hold it. */
  request(requestId: string): RequestView | undefined;
};

/** Creates the status page's data source over the relayer's store, health and cached chain reads. */
export function createStatusSource(deps: StatusDeps): StatusSource {
  const { config, store } = deps;
  const redact = createRedactor([config.privateKey, ...config.rpcUrls]);
  const view = { explorerUrl: config.explorerUrl, redact };
  return {
    async status() {
      const now = Date.now();
      const jobsByState = store.countByState();
      const [health, snapshot] = await Promise.all([deps.health(), deps.snapshot.get(JSON.stringify(jobsByState))]);
      return {
        generatedAt: now,
        node: {
          address: deps.node,
          balances: snapshot.balances ?? null,
          balancesError: snapshot.error === undefined ? null : redact(snapshot.error),
        },
        chain: {
          head: Number(deps.head()),
          cursor: store.getCursor() ?? null,
          blockLag: health.blockLag,
          finality: config.finality.mode,
          rpcOk: health.rpc,
          rpcHosts: config.rpcUrls.map(rpcHost),
        },
        health: { ok: health.ok, stuckJobs: health.stuckJobs.length, queueDepth: health.queueDepth },
        jobsByState,
        recent: store.recentJobs(RECENT_REQUESTS).map((job) => requestView(job, view)),
        charts: buildCharts(store.jobsActiveSince(now - CHART_WINDOW_MS, CHART_MAX_JOBS), now),
        explorerUrl: config.explorerUrl ?? null,
        dryRun: config.dryRun,
      };
    },
    request(requestId) {
      const job = store.getJob(requestId.toLowerCase());
      return job ? requestView(job, view) : undefined;
    },
  };
}
