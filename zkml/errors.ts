import { OpgError } from "../common/errors.ts";

/**
 * Error base of the model compiler. Every failure the compiler reports is a `ZkmlError`: a short
 * message a user can act on, optional details, and the cause. None is retryable: a bad model, input
 * or ptau stays bad on a second try.
 */
export class ZkmlError extends OpgError {
  override name = "ZkmlError";
  /** Stable machine-readable kind of the error. */
  readonly code: ZkmlErrorCode;

  constructor(code: ZkmlErrorCode, shortMessage: string, opts: { details?: string; cause?: unknown } = {}) {
    // Compiler errors are deterministic: retrying never helps.
    super(shortMessage, { ...opts, retryable: false, separator: "\n" });
    this.code = code;
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
