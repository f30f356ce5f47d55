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

/**
 * A transaction the sender still holds: not mined yet (it keeps replacing it), or not sent because an
 * earlier nonce is stuck. Retryable: sending the same logical transaction again joins the pending one.
 */
export class TxPendingError extends RelayerError {
  override name = "TxPendingError";
  /** The nonce that is pending (the stuck one when nothing was sent). */
  readonly nonce: number;
  /** How long that nonce has waited for a receipt. */
  readonly pendingForMs: number;

  constructor(shortMessage: string, opts: { nonce: number; pendingForMs: number; details?: string }) {
    super(shortMessage, { details: opts.details, retryable: true });
    this.nonce = opts.nonce;
    this.pendingForMs = opts.pendingForMs;
  }
}

/** JSON-RPC error codes that mean "try again" (rate limits, node busy, internal hiccups), unless the message says otherwise. */
const RETRYABLE_RPC_CODES = new Set([-32005, -32603, -32000, 429]);
/** HTTP statuses worth retrying. */
const RETRYABLE_HTTP = new Set([408, 425, 429, 500, 502, 503, 504]);
/** Messages of transient faults that viem reports without a structured code. */
const TRANSIENT_MESSAGE = /ECONNRESET|ECONNREFUSED|EPIPE|socket hang up|fetch failed|network|timed? ?out|terminated/i;
/**
 * Node messages (geth, Erigon, Nethermind, Besu, Hardhat/EDR wordings) of failures that resending the same
 * request cannot fix. Many nodes send them as -32000, the code they also use for "busy": the message decides.
 */
const PERMANENT_NODE_MESSAGE = new RegExp(
  [
    "insufficient funds",
    "enough funds",
    "nonce too low",
    "nonce has already been used",
    "intrinsic gas too low",
    "requires at least \\d+ gas",
    "exceeds block gas limit",
    "exceeds (the )?transaction gas cap",
    "gas limit reached",
    "execution reverted",
    "transaction reverted",
    "out of gas",
    "gas required exceeds allowance",
    "invalid opcode",
    "invalid sender",
    "invalid signature",
    "tip higher than fee cap",
    "priority fee per gas higher than max fee",
  ].join("|"),
  "i",
);
/** Node messages about nonce or fee races that the sender resolves by resyncing or repricing. */
const NONCE_RACE =
  /nonce too low|nonce has already been used|replacement transaction underpriced|already known|known transaction/i;
/** Messages that mean the node already holds exactly this signed transaction. */
const ALREADY_KNOWN = /already known|known transaction/i;
/** Fee and pool conditions that pass with the market: retry later, do not count as failures. */
const FEE_MARKET = /underpriced|too low for the next block|less than block base fee|txpool is full/i;

/** `reverted with custom error 'Name(args)'`, as hardhat node words a revert. */
const CUSTOM_ERROR_IN_MESSAGE = /custom error '(\w+)\(/;

/** Every message along a viem error's cause chain (the node's own words are in the innermost ones). */
function nodeText(error: unknown): string {
  const parts: string[] = [];
  for (let e = error, depth = 0; e && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof BaseError) parts.push(e.shortMessage, e.details ?? "");
    else if (e instanceof Error) parts.push(e.message);
    else if (typeof e === "object" && "message" in e) parts.push(String((e as { message: unknown }).message));
    else parts.push(String(e));
  }
  return parts.join(" | ");
}

/** The node's message, not viem's generic summary ("Missing or invalid parameters"). */
function innermostMessage(error: BaseError): string {
  const rpc = error.walk((e) => e instanceof RpcRequestError);
  return rpc instanceof RpcRequestError ? (rpc.details ?? rpc.shortMessage) : error.shortMessage;
}

/**
 * Normalizes any thrown value into a `RelayerError`, decoding contract reverts by name and marking
 * transport faults retryable. A JSON-RPC error is retryable by code only when its message names no
 * permanent failure (insufficient funds, nonce too low, intrinsic gas, block gas limit, revert, out of gas).
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
    const text = nodeText(error);
    if (PERMANENT_NODE_MESSAGE.test(text)) {
      return new RelayerError("RPC node refused the request", {
        details: innermostMessage(error),
        cause: error,
        retryable: false,
      });
    }
    const rpc = error.walk((e) => e instanceof RpcRequestError);
    if (rpc instanceof RpcRequestError && RETRYABLE_RPC_CODES.has(rpc.code)) {
      return new RelayerError("RPC node error", { details: innermostMessage(error), cause: error, retryable: true });
    }
    const retryable = TRANSIENT_MESSAGE.test(text) || FEE_MARKET.test(text) || ALREADY_KNOWN.test(text);
    return new RelayerError(error.shortMessage, { details: error.details, cause: error, retryable });
  }
  if (error instanceof Error) {
    return new RelayerError(error.message, { cause: error, retryable: TRANSIENT_MESSAGE.test(error.message) });
  }
  return new RelayerError(String(error));
}

/** True when the error says the nonce was consumed or must be re-read from the node. */
export function isNonceRace(error: unknown): boolean {
  return NONCE_RACE.test(nodeText(error));
}

/** True when the node already holds this exact signed transaction (a rebroadcast, not a failure). */
export function isAlreadyKnown(error: unknown): boolean {
  return ALREADY_KNOWN.test(nodeText(error));
}

/** True when the node refused a transaction because the account cannot pay its gas limit at its fees. */
export function isInsufficientFunds(error: unknown): boolean {
  return /insufficient funds|enough funds/i.test(nodeText(error));
}

/** True when the node refused a replacement as not paying enough more than the transaction it replaces. */
export function isUnderpriced(error: unknown): boolean {
  return /underpriced/i.test(nodeText(error));
}
