/**
 * The project's one error base. Every library error (relayer, model compiler, deploy, SDK) extends it:
 * a short message a user can act on, optional details, the cause, and whether retrying can help.
 * Retry loops branch on `retryable` only.
 */
export class OpgError extends Error {
  override name = "OpgError";
  /** One line naming what was wrong. */
  readonly shortMessage: string;
  /** Extra context (file, field, values), appended to the message. */
  readonly details: string | undefined;
  /** True only for transient faults (transport errors, rate limits) that a later attempt may not hit. */
  readonly retryable: boolean;

  constructor(
    shortMessage: string,
    opts: { details?: string; cause?: unknown; retryable?: boolean; separator?: string } = {},
  ) {
    super(opts.details ? `${shortMessage}${opts.separator ?? ": "}${opts.details}` : shortMessage, {
      cause: opts.cause,
    });
    this.shortMessage = shortMessage;
    this.details = opts.details;
    this.retryable = opts.retryable ?? false;
  }
}
