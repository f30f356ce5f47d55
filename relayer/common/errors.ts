import { BaseError, ContractFunctionRevertedError, HttpRequestError, RpcRequestError, TimeoutError } from "viem";
import { OpgError } from "../../common/errors.ts";

/**
 * Error of the relayer. `retryable` is the only thing retry loops branch on: transient transport
 * faults are retryable, reverts and bad input are not.
 */
export class RelayerError extends OpgError {
  override name = "RelayerError";
}

/** A revert decoded with the contract ABI: `errorName` is the Solidity custom error. */
export class RevertError extends RelayerError {
  override name = "RevertError";
  readonly errorName: string;
  readonly args: readonly unknown[];

  constructor(errorName: string, args: readonly unknown[], cause?: unknown) {
    super(`reverted with ${errorName}`, {
      details: args.length ? `(${args.map((a) => String(a)).join(", ")})` : undefined,
      cause,
      retryable: false,
    });
    this.errorName = errorName;
    this.args = args;
  }
}

/** JSON-RPC error codes that mean "try again" (rate limits, node busy, internal hiccups). */
const RETRYABLE_RPC_CODES = new Set([-32005, -32603, -32000, 429]);
/** HTTP statuses worth retrying. */
const RETRYABLE_HTTP = new Set([408, 425, 429, 500, 502, 503, 504]);
/** Messages of transient faults that viem reports without a structured code. */
const TRANSIENT_MESSAGE = /ECONNRESET|ECONNREFUSED|EPIPE|socket hang up|fetch failed|network|timed? ?out|terminated/i;
/** Node messages about nonce/fee races that a resubmission fixes. */
const NONCE_RACE = /nonce too low|replacement transaction underpriced|already known|nonce has already been used/i;

/** `reverted with custom error 'Name(args)'`, as hardhat node words a revert. */
const CUSTOM_ERROR_IN_MESSAGE = /custom error '(\w+)\(/;

/**
 * Normalizes any thrown value into a `RelayerError`, decoding contract reverts by name and marking
 * transport faults retryable.
 */
export function classifyError(error: unknown): RelayerError {
  if (error instanceof RelayerError) return error;
  if (error instanceof BaseError) {
    const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (revert instanceof ContractFunctionRevertedError) {
      // Some nodes (hardhat node) report custom errors only in the message: recover the name from it.
      const fromMessage = CUSTOM_ERROR_IN_MESSAGE.exec(`${revert.reason ?? ""} ${error.message}`)?.[1];
      const name = revert.data?.errorName ?? fromMessage ?? revert.reason ?? "unknown revert";
      return new RevertError(name, (revert.data?.args as readonly unknown[] | undefined) ?? [], error);
    }
    const http = error.walk((e) => e instanceof HttpRequestError);
    if (http instanceof HttpRequestError) {
      const retryable = http.status === undefined || RETRYABLE_HTTP.has(http.status);
      return new RelayerError("RPC HTTP request failed", { details: error.shortMessage, cause: error, retryable });
    }
    if (error.walk((e) => e instanceof TimeoutError)) {
      return new RelayerError("RPC request timed out", { cause: error, retryable: true });
    }
    const rpc = error.walk((e) => e instanceof RpcRequestError);
    if (rpc instanceof RpcRequestError && RETRYABLE_RPC_CODES.has(rpc.code)) {
      return new RelayerError("RPC node error", { details: rpc.shortMessage, cause: error, retryable: true });
    }
    const text = `${error.shortMessage} ${error.details ?? ""}`;
    const retryable = TRANSIENT_MESSAGE.test(text) || NONCE_RACE.test(text);
    return new RelayerError(error.shortMessage, { details: error.details, cause: error, retryable });
  }
  if (error instanceof Error) {
    return new RelayerError(error.message, { cause: error, retryable: TRANSIENT_MESSAGE.test(error.message) });
  }
  return new RelayerError(String(error));
}

/** True when the error says the nonce was consumed or must be re-read from the node. */
export function isNonceRace(error: unknown): boolean {
  const text = error instanceof BaseError ? `${error.shortMessage} ${error.details}` : String(error);
  return NONCE_RACE.test(text);
}
