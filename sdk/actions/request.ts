import { type Address, type Hex, parseEventLogs, type TransactionReceipt } from "viem";
import { type HubRequest, inferenceHubWithErrorsAbi } from "../../abi/index.ts";
import type { SdkClients } from "../clients.ts";
import { EventMissingError } from "../errors.ts";
import { getFeeToken } from "./approve.ts";
import { quote } from "./quote.ts";
import { signPermit } from "./signPermit.ts";
import { writeAndWait } from "./writeAndWait.ts";

/** How long a permit `request` signs stays valid: ample for a congested mempool, short for a leaked one. */
const PERMIT_VALIDITY_S = 3_600n;

/** A request for an inference. */
export type RequestParameters = {
  hub: Address;
  modelId: bigint;
  /** Packed input words (the model's `packInput` of its quantized input). */
  input: readonly bigint[];
  /** Gas for each consumer callback; 0 (default) with no callbacks. */
  callbackGasLimit?: number;
  /** `CALLBACK_ON_COMMIT` | `CALLBACK_ON_SETTLE`, or 0 (default). */
  callbackFlags?: number;
  /** Most the request may cost; defaults to the current quote, so a price rise before mining reverts. */
  maxTotalFee?: bigint;
  /**
   * Pay by EIP-2612 permit for `maxTotalFee` (one transaction, `requestWithPermit`) instead of an existing
   * allowance (`approve` first). `true` signs one valid for an hour of chain time.
   */
  permit?: boolean | { deadline: bigint };
};

/** A mined request: its id and struct as emitted in `Requested`, the transaction hash and receipt. */
export type RequestResult = { requestId: Hex; request: HubRequest; hash: Hex; receipt: TransactionReceipt };

/**
 * Requests an inference from the wallet's account, paying by allowance or permit, waits for the receipt
 * and reads the request's id from its `Requested` event. Reverts decode by name, the token's and
 * registry's included (`ERC20InsufficientAllowance`, `RegistryModelUnknown`, ...).
 */
export async function request(clients: SdkClients, parameters: RequestParameters): Promise<RequestResult> {
  const { hub, modelId, input, callbackGasLimit = 0, callbackFlags = 0 } = parameters;
  const maxTotalFee =
    parameters.maxTotalFee ??
    (await quote(clients.publicClient, { hub, modelId, callbackGasLimit, callbackFlags })).total;
  const args = [modelId, input, callbackGasLimit, callbackFlags, maxTotalFee] as const;
  const target = { contractName: "InferenceHub", address: hub, abi: inferenceHubWithErrorsAbi } as const;
  let receipt: TransactionReceipt;
  if (parameters.permit) {
    const deadline =
      parameters.permit === true
        ? (await clients.publicClient.getBlock()).timestamp + PERMIT_VALIDITY_S
        : parameters.permit.deadline;
    const token = await getFeeToken(clients.publicClient, { hub });
    const { v, r, s } = await signPermit(clients, { token, spender: hub, value: maxTotalFee, deadline });
    receipt = await writeAndWait(clients, {
      ...target,
      functionName: "requestWithPermit",
      args: [...args, deadline, v, r, s],
    });
  } else {
    receipt = await writeAndWait(clients, { ...target, functionName: "request", args });
  }
  const [event] = parseEventLogs({ abi: inferenceHubWithErrorsAbi, logs: receipt.logs, eventName: "Requested" });
  if (!event) throw new EventMissingError("Requested", receipt.transactionHash);
  const { requestId, request: emitted } = event.args;
  return { requestId, request: emitted, hash: receipt.transactionHash, receipt };
}
