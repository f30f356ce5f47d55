import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  type Hex,
  RawContractError,
  type TransactionReceipt,
} from "viem";
import { inferenceHubWithErrorsAbi, RequestStatus } from "../abi/index.ts";
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

/**
 * What to do about each Solidity error a dApp meets, by name: the hub's own and those of the token,
 * registry and staking that bubble up through it. An error missing here still decodes by name.
 */
export const REVERT_HINTS: Readonly<Record<string, string>> = {
  HubFeeAboveMax: "the price rose since the quote: quote again and pass the new total as maxTotalFee",
  ERC20InsufficientAllowance: "approve the hub for the fee (approve) or pay by permit (request with permit: true)",
  ERC20InsufficientBalance: "the paying account holds too little OPG: fund it",
  ERC2612ExpiredSignature: "the permit's deadline passed: sign a new permit",
  ERC2612InvalidSigner: "the permit was signed by another account or for another token: sign it again",
  HubPermitFailed: "the token refused the permit: sign it again, or approve the hub instead",
  HubModelInactive: "the model is deactivated in the ModelRegistry: pick an active model",
  RegistryModelUnknown: "no such model id in the ModelRegistry: check the deployment's model ids",
  HubModeUnsupported: "the model's verification mode is not served by this hub",
  HubInputLengthMismatch: "the input has the wrong number of words: encode it with encodeInput(manifest, values)",
  HubInputWordOutOfField: "an input word is not below the BN254 field: encode it with encodeInput(manifest, values)",
  HubCallbackGasAboveCap: "callbackGasLimit is above the hub's maxCallbackGas: lower it",
  HubInvalidCallbackFlags: "callbackFlags takes CALLBACK_ON_COMMIT (1) | CALLBACK_ON_SETTLE (2) only, with a gas limit",
  HubUnexpectedStatus: "the request is not in the status this call needs: read it with getInference",
  HubRequestMismatch: "the request struct differs from the one emitted in Requested: resupply it unchanged",
  HubCommitDeadlineNotPassed: "the commit deadline has not passed yet: refund after it (getInference gives it)",
  HubProofDeadlineNotPassed: "the proof deadline has not passed yet: slash after it (getInference gives it)",
  HubCommitDeadlinePassed: "the commit deadline passed: the request can only be refunded now",
  HubProofDeadlinePassed: "the proof deadline passed: the commitment can only be slashed now",
  EnforcedPause: "the hub is paused: new requests are stopped; refunds and withdrawals still work",
};

/**
 * A call reverted with a Solidity custom error the SDK could decode: `errorName` and `args` as declared
 * (`HubFeeAboveMax(total, maxTotalFee)`), `hint` saying what to do about it. `cause` is viem's error.
 */
export class ContractRevertError extends OpgError {
  override name = "ContractRevertError";
  /** The Solidity error's name, e.g. `ERC20InsufficientAllowance`. */
  readonly errorName: string;
  /** Its arguments, decoded with the ABI. */
  readonly args: readonly unknown[];
  /** What to do about it, when known. */
  readonly hint: string | undefined;

  /** @param what The call, e.g. `InferenceHub.request`. */
  constructor(what: string, errorName: string, args: readonly unknown[], cause: unknown) {
    const hint = REVERT_HINTS[errorName];
    super(`${what} reverted: ${errorName}(${args.map(String).join(", ")})`, { details: hint, cause });
    this.errorName = errorName;
    this.args = args;
    this.hint = hint;
  }
}

/**
 * The custom error inside a viem error, decoded by name with `abi` (the hub's merged ABI by default), or
 * `undefined` when it is no revert or one with unknown data.
 */
export function decodeRevert(
  error: unknown,
  abi: readonly unknown[] = inferenceHubWithErrorsAbi,
): { errorName: string; args: readonly unknown[] } | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (reverted instanceof ContractFunctionRevertedError && reverted.data?.errorName) {
    return { errorName: reverted.data.errorName, args: reverted.data.args ?? [] };
  }
  // A revert viem could not name with the call's ABI (a callee's error) carries only its data.
  const raw = error.walk((e) => e instanceof RawContractError);
  const data = raw instanceof RawContractError ? (typeof raw.data === "object" ? raw.data.data : raw.data) : undefined;
  if (!data || data.length < 10) return undefined;
  try {
    const decoded = decodeErrorResult({ abi: abi as typeof inferenceHubWithErrorsAbi, data });
    return { errorName: decoded.errorName, args: decoded.args ?? [] };
  } catch {
    return undefined;
  }
}

/** Runs `call`; a revert it throws is rethrown as `ContractRevertError` naming `what`, anything else as is. */
export async function withDecodedRevert<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const revert = decodeRevert(error);
    if (revert) throw new ContractRevertError(what, revert.errorName, revert.args, error);
    throw error;
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
    super(requestId, status, `ended ${statusName(status)} before it was ${awaited}`, {
      details:
        status === RequestStatus.Refunded
          ? "no node committed in time; the fee went back to the requester: request again"
          : "the node committed but never proved; the requester got the fee back plus part of its bond",
    });
  }
}

/** A request did not reach the awaited stage in time. Retryable: waiting longer may see it. */
export class InferenceTimeoutError extends InferenceError {
  override name = "InferenceTimeoutError";

  constructor(requestId: Hex, status: RequestStatus, awaited: string, timeoutMs: number) {
    super(requestId, status, `was not ${awaited} within ${timeoutMs} ms`, {
      details: `last status ${statusName(status)}: is a node serving the model? wait again, or refund/slash after the deadline`,
      retryable: true,
    });
  }
}

/**
 * The request is gone from the chain: a reorganization dropped the block holding it (its transaction may
 * come back, or not). Waiting cannot help; send the request again once the old one is known to be gone.
 */
export class InferenceDroppedError extends InferenceError {
  override name = "InferenceDroppedError";

  constructor(requestId: Hex) {
    super(requestId, RequestStatus.None, "is no longer on the chain (dropped by a reorganization)", {
      details: "send the request again",
    });
  }
}
