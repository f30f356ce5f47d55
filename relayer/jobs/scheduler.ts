import type { Common } from "../common/common.ts";
import { classifyError, type RelayerError } from "../common/errors.ts";
import { sleep } from "../common/retry.ts";
import type { Health } from "../ops/server.ts";
import { type Job, OPEN_STATES, type Store } from "../store/store.ts";
import { JobSupersededError } from "./jobErrors.ts";

/**
 * Jobs moved forward at once (proofs are bounded separately by the prover pool): a batch forms from steps
 * in flight together, and steps waiting for a proof must not keep a burst's commitments out.
 */
const MAX_CONCURRENT_JOBS = 512;
/** First pause before a failed job is retried; doubles per consecutive failure. */
const JOB_RETRY_BASE_MS = 1_000;
/** Longest pause between retries of one job, so a job recovers soon after an outage ends. */
const JOB_RETRY_MAX_MS = 30_000;
/** Non-retryable failures in a row after which a job is parked as `failed` (a bug or a broken model). */
const MAX_PERMANENT_FAILURES = 5;
/** Consecutive failures (of any kind) after which a job is reported stuck in metrics and `/healthz`. */
export const STUCK_AFTER_FAILURES = 3;

type FailureRecord = { count: number; permanent: number; error: RelayerError };

/**
 * Runs job steps with bounded concurrency. A job is in flight at most once; a failing job backs off
 * exponentially and stays in flight while it waits, so polls do not hammer it. Retryable failures
 * never park a job (its on-chain deadline does, in `processJob`), but every failure counts: a job
 * failing `STUCK_AFTER_FAILURES` times in a row is reported stuck until a step succeeds.
 */
export function createJobScheduler(deps: { common: Common; store: Store; step: (job: Job) => Promise<void> }) {
  const { common, store } = deps;
  const log = common.log.child({ module: "jobs" });
  const inflight = new Map<string, Promise<void>>();
  const failures = new Map<string, FailureRecord>();

  function recordFailure(job: Job, raw: unknown): number {
    const error = classifyError(raw);
    const prev = failures.get(job.requestId);
    const record = {
      count: (prev?.count ?? 0) + 1,
      permanent: error.retryable ? 0 : (prev?.permanent ?? 0) + 1,
      error,
    };
    failures.set(job.requestId, record);
    common.metrics.errors.inc({ stage: job.state });
    log.warn(
      { requestId: job.requestId, err: error.message, retryable: error.retryable, failures: record.count },
      "job step failed",
    );
    if (record.permanent >= MAX_PERMANENT_FAILURES) {
      store.updateJob(job.requestId, { state: "failed", error: error.message });
      failures.delete(job.requestId);
      log.error({ requestId: job.requestId, err: error.message }, "job parked after repeated permanent failures");
      return 0;
    }
    return Math.min(JOB_RETRY_MAX_MS, JOB_RETRY_BASE_MS * 2 ** (record.count - 1));
  }

  async function run(job: Job): Promise<void> {
    try {
      await deps.step(job);
      failures.delete(job.requestId);
    } catch (raw) {
      if (raw instanceof JobSupersededError) {
        log.info({ requestId: job.requestId }, "job row replaced while a step ran: step dropped");
        return;
      }
      const delay = recordFailure(job, raw);
      if (delay > 0) await sleep(delay, common.stopping).catch(() => undefined);
    }
  }

  return {
    /**
     * Starts a step for the job (a row just read from the store) unless one is running, the pool is full
     * or the relayer is stopping.
     */
    kick(job: Job): void {
      const { requestId } = job;
      if (inflight.has(requestId) || inflight.size >= MAX_CONCURRENT_JOBS || common.stopping.aborted) return;
      if (!OPEN_STATES.includes(job.state)) {
        failures.delete(requestId);
        return;
      }
      inflight.set(
        requestId,
        run(job).finally(() => inflight.delete(requestId)),
      );
    },
    /** Steps in flight. */
    inflight: () => inflight.size,
    /** Jobs failing repeatedly, for metrics and `/healthz`. */
    stuck(): Health["stuckJobs"] {
      const out: Health["stuckJobs"] = [];
      for (const [requestId, f] of failures) {
        if (f.count >= STUCK_AFTER_FAILURES) out.push({ requestId, failures: f.count, error: f.error.shortMessage });
      }
      return out;
    },
    /** Waits for in-flight steps, at most `timeoutMs`. */
    async drain(timeoutMs: number): Promise<void> {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([Promise.allSettled([...inflight.values()]), deadline]);
      clearTimeout(timer);
    },
  };
}

/** The job scheduler of one relayer. */
export type JobScheduler = ReturnType<typeof createJobScheduler>;
