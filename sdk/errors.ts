import type { Hex, TransactionReceipt } from "viem";
import { RequestStatus } from "../abi/index.ts";
import { OpgError } from "../common/errors.ts";

/** Name of a `RequestStatus` value, for messages. */
function statusName(status: number): string {
  return Object.entries(RequestStatus).find(([, value]) => value === status)?.[0] ?? `status ${status}`;
}

/** A transaction was mined but reverted. Not retryable: sending it again reverts again unless state changes. */
export class TransactionRevertedError extends OpgError {
  override name = "TransactionRevertedError";
  readonly hash: Hex;
  readonly receipt: TransactionReceipt;

  /** @param what The call or deployment, e.g. `InferenceHub.request`. */
  constructor(what: string, receipt: TransactionReceipt) {
    super(`${what} transaction ${receipt.transactionHash} reverted`, {
      details: `block ${receipt.blockNumber}, gas used ${receipt.gasUsed}`,
    });
    this.hash = receipt.transactionHash;
    this.receipt = receipt;
  }
}

/** A mined transaction lacks the event it must emit (the address is not the contract meant). */
export class EventMissingError extends OpgError {
  override name = "EventMissingError";

  constructor(eventName: string, hash: Hex) {
    super(`no ${eventName} event in transaction ${hash}`, { details: "is the address the contract meant?" });
  }
}

/** A request did not reach the stage awaited: `status` is where it stands. */
export class InferenceError extends OpgError {
  override name = "InferenceError";
  readonly requestId: Hex;
  readonly status: RequestStatus;

  constructor(
    requestId: Hex,
    status: RequestStatus,
    shortMessage: string,
    opts: ConstructorParameters<typeof OpgError>[1],
  ) {
    super(`request ${requestId} ${shortMessage}`, opts);
    this.requestId = requestId;
    this.status = status;
  }
}

/** A request ended without reaching the awaited stage (refunded, or slashed before settling). */
export class InferenceFailedError extends InferenceError {
  override name = "InferenceFailedError";

  constructor(requestId: Hex, status: RequestStatus, awaited: string) {
    super(requestId, status, `ended ${statusName(status)} before it was ${awaited}`, {});
  }
}

/** A request did not reach the awaited stage in time. Retryable: waiting longer may see it. */
export class InferenceTimeoutError extends InferenceError {
  override name = "InferenceTimeoutError";

  constructor(requestId: Hex, status: RequestStatus, awaited: string, timeoutMs: number) {
    super(requestId, status, `was not ${awaited} within ${timeoutMs} ms`, {
      details: `still ${statusName(status)}: is a node serving the model?`,
      retryable: true,
    });
  }
}
