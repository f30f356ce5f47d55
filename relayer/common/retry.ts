import { classifyError, type RelayerError } from "./errors.ts";

/** Attempts before giving up on a retryable fault (1 + 5 retries ≈ 15 s of backoff in total). */
export const DEFAULT_MAX_ATTEMPTS = 6;
/** First backoff; doubles each attempt. */
export const DEFAULT_BASE_DELAY_MS = 250;
/** Ceiling so a long outage is polled, not slept through. */
export const DEFAULT_MAX_DELAY_MS = 8_000;

export type RetryOptions = {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  onRetry?: (error: RelayerError, attempt: number, delayMs: number) => void;
};

/** Sleeps `ms`, or rejects early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Runs `fn` and retries it with exponential backoff and full jitter, but only while the failure is
 * retryable (`classifyError(e).retryable`); anything else is rethrown at once, classified.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const base = opts.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const cap = opts.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (raw) {
      const error = classifyError(raw);
      if (!error.retryable || attempt >= maxAttempts || opts.signal?.aborted) throw error;
      const delay = Math.round(Math.random() * Math.min(cap, base * 2 ** (attempt - 1)));
      opts.onRetry?.(error, attempt, delay);
      await sleep(delay, opts.signal);
    }
  }
}
