import { OpgError } from "../../common/errors.ts";

/**
 * Why TEE-model data was refused. `malformed-words`: request or result words that no tensor encodes
 * (wrong count, a word out of range, non-canonical padding); `content-mismatch`: fetched content whose
 * hash or size is not what the words say; `invalid-manifest`: a manifest that breaks its schema;
 * `invalid-tensor`: values that do not fit the tensor spec they are encoded as.
 */
export type TeeDataErrorReason = "malformed-words" | "content-mismatch" | "invalid-manifest" | "invalid-tensor";

/**
 * Error of the TEE model encoding (manifests, tensor words, referenced content). Never retryable: the
 * same words or bytes fail the same way again.
 */
export class TeeDataError extends OpgError {
  override name = "TeeDataError";
  /** Stable machine-readable reason. */
  readonly reason: TeeDataErrorReason;

  constructor(reason: TeeDataErrorReason, shortMessage: string, opts: { details?: string; cause?: unknown } = {}) {
    super(`${reason}: ${shortMessage}`, { ...opts, retryable: false });
    this.reason = reason;
  }
}
