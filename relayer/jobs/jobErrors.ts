import { RelayerError } from "../common/errors.ts";

/**
 * A job step found that its store row no longer holds the request it started from (after a reorg a
 * different request reused the id). The step is dropped; the scheduler runs the new request afresh.
 */
export class JobSupersededError extends RelayerError {
  override name = "JobSupersededError";

  constructor(requestId: string) {
    super(`job ${requestId} now holds another request`, { retryable: false });
  }
}
