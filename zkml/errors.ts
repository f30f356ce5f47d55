/**
 * Error base of the model compiler. Every failure the compiler reports is a `ZkmlError`: a short
 * message a user can act on, optional details, and the cause. None is retryable: a bad model, input
 * or ptau stays bad on a second try.
 */
export class ZkmlError extends Error {
  override name = "ZkmlError";
  /** One line naming what was wrong. */
  readonly shortMessage: string;
  /** Extra context (file, node, values), printed after the short message. */
  readonly details: string | undefined;
  /** Compiler errors are deterministic: retrying never helps. */
  readonly retryable = false;
  /** Stable machine-readable kind of the error. */
  readonly code: ZkmlErrorCode;

  constructor(code: ZkmlErrorCode, shortMessage: string, opts: { details?: string; cause?: unknown } = {}) {
    super(opts.details ? `${shortMessage}\n${opts.details}` : shortMessage, { cause: opts.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = opts.details;
  }
}

/** Kinds of {@link ZkmlError}. */
export type ZkmlErrorCode =
  | "CorruptModel"
  | "UnsupportedOp"
  | "UnsupportedModel"
  | "BadInput"
  | "BadCalibration"
  | "PtauInvalid"
  | "PtauTooSmall"
  | "CircuitCompileFailed"
  | "CompiledModelInvalid"
  | "ProofFailed";
