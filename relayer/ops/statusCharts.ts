import type { Job } from "../store/store.ts";

/** The period the status page's charts cover. */
export const CHART_WINDOW_MS = 60 * 60_000;
/** Most jobs the charts read per refresh: bounds the work of one page refresh on a busy node. */
export const CHART_MAX_JOBS = 1_000;
/** Minutes shown in the settlements-per-minute chart (the last ones, the current minute included). */
const SETTLEMENT_MINUTES = 30;
const MINUTE_MS = 60_000;

/** One point of a time series: `t` in ms since the epoch, `v` in the series' unit. */
export type ChartPoint = { t: number; v: number };

/** The series the status page draws, each oldest first. */
export type StatusCharts = {
  /** Per commitment: from seeing the request to sending the commitment (ms), at the commit time. */
  commitLatencyMs: ChartPoint[];
  /** Per proof: Groth16 proving time (ms), at the time it finished. */
  provingMs: ChartPoint[];
  /** Per settlement: proofs settled in its transaction (1 unless the store records a batch), at settle time. */
  batchSize: ChartPoint[];
  /** Settlements mined per minute, one point per minute (zeros included), at the minute's start. */
  settlementsPerMinute: ChartPoint[];
};

const byTime = (a: ChartPoint, b: ChartPoint) => a.t - b.t;

/** Builds the chart series from jobs (as `Store.jobsActiveSince` returns them), as of `now`. */
export function buildCharts(jobs: readonly Job[], now: number): StatusCharts {
  const commitLatencyMs: ChartPoint[] = [];
  const provingMs: ChartPoint[] = [];
  const batchSize: ChartPoint[] = [];
  const firstMinute = Math.floor(now / MINUTE_MS) * MINUTE_MS - (SETTLEMENT_MINUTES - 1) * MINUTE_MS;
  const perMinute = new Array<number>(SETTLEMENT_MINUTES).fill(0);
  const settleTxs = new Set<string>();
  for (const job of jobs) {
    if (job.committedAt !== null) commitLatencyMs.push({ t: job.committedAt, v: job.committedAt - job.seenAt });
    if (job.provedAt !== null && job.proveMs !== null) provingMs.push({ t: job.provedAt, v: job.proveMs });
    if (job.state !== "settled" || job.settledAt === null) continue;
    // One point per settlement transaction: the jobs of a batch share it.
    if (!job.settleTx || !settleTxs.has(job.settleTx)) batchSize.push({ t: job.settledAt, v: job.batchSize ?? 1 });
    if (job.settleTx) settleTxs.add(job.settleTx);
    const minute = Math.floor((job.settledAt - firstMinute) / MINUTE_MS);
    if (minute >= 0 && minute < SETTLEMENT_MINUTES) perMinute[minute] = (perMinute[minute] ?? 0) + 1;
  }
  return {
    commitLatencyMs: commitLatencyMs.sort(byTime),
    provingMs: provingMs.sort(byTime),
    batchSize: batchSize.sort(byTime),
    settlementsPerMinute: perMinute.map((v, i) => ({ t: firstMinute + i * MINUTE_MS, v })),
  };
}
