import { OpgError } from "../common/errors.ts";

/**
 * Why a TEE check failed. Attestation reasons are stable codes a caller can branch on (the CLI prints
 * them); `invalid-argument` is a caller's mistake (bad option, out-of-range field), not a bad document.
 */
export type TeeErrorReason =
  | "malformed-cbor"
  | "malformed-document"
  | "unsupported-algorithm"
  | "bad-signature"
  | "broken-chain"
  | "wrong-root"
  | "expired"
  | "not-yet-valid"
  | "debug-enclave"
  | "bad-digest"
  | "invalid-argument";

/**
 * The error of `tee/`: attestation verification and TEE result signing. The message starts with the
 * reason and names what was wrong (which field, certificate, offset or time). Never retryable: a
 * document that fails once fails again (an expired one stays expired).
 */
export class TeeError extends OpgError {
  override name = "TeeError";
  /** Stable machine-readable reason. */
  readonly reason: TeeErrorReason;

  constructor(reason: TeeErrorReason, shortMessage: string, opts: { cause?: unknown } = {}) {
    super(`${reason}: ${shortMessage}`, { ...opts, retryable: false });
    this.reason = reason;
  }
}
