import { createMetrics, type Metrics } from "../ops/metrics.ts";
import type { RelayerConfig } from "./config.ts";
import { RelayerError } from "./errors.ts";
import type { Logger } from "./logger.ts";

/** A cleanup run at shutdown, in reverse order of registration. */
type Cleanup = { name: string; run: () => Promise<void> | void };

/**
 * What every relayer component is built from: the frozen config, the root logger, the metrics
 * registry, and shutdown. `stopping` aborts when shutdown begins (no new work is started);
 * `hardStop` aborts when the drain deadline passes (in-flight waits give up).
 */
export type Common = {
  readonly config: RelayerConfig;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly stopping: AbortSignal;
  readonly hardStop: AbortSignal;
  /** Registers a cleanup (closing a store, a server, a worker pool); run once, last registered first. */
  onShutdown(name: string, run: Cleanup["run"]): void;
  /** Aborts `stopping`, then runs the cleanups; idempotent. `drain` runs between the two. */
  shutdown(drain?: () => Promise<void>): Promise<void>;
};

/** Creates the shared context of one relayer instance. */
export function createCommon(config: RelayerConfig, log: Logger): Common {
  const stopping = new AbortController();
  const hardStop = new AbortController();
  const cleanups: Cleanup[] = [];
  let done: Promise<void> | undefined;
  return {
    config,
    log,
    metrics: createMetrics(),
    stopping: stopping.signal,
    hardStop: hardStop.signal,
    onShutdown(name, run) {
      cleanups.push({ name, run });
    },
    shutdown(drain) {
      done ??= (async () => {
        stopping.abort(new RelayerError("relayer stopping"));
        await drain?.();
        hardStop.abort(new RelayerError("drain deadline passed"));
        for (const cleanup of cleanups.reverse()) {
          try {
            await cleanup.run();
          } catch (error) {
            log.warn({ cleanup: cleanup.name, err: String(error) }, "cleanup failed");
          }
        }
      })();
      return done;
    },
  };
}
