import {
  type Address,
  BaseError,
  type Hex,
  parseEventLogs,
  type TransactionReceipt,
  UserRejectedRequestError,
} from "viem";
import { type HubRequest, inferenceHubWithErrorsAbi, opgTokenAbi } from "../../abi/index.ts";
import type { SdkClients } from "../clients.ts";
import { EventMissingError, withDecodedRevert } from "../errors.ts";
import { approve, getFeeToken } from "./approve.ts";
import { quote } from "./quote.ts";
import { signPermit } from "./signPermit.ts";
import { writeAndWait } from "./writeAndWait.ts";

/** How long a permit `request` signs stays valid: ample for a congested mempool, short for a leaked one. */
const PERMIT_VALIDITY_S = 3_600n;

/** A request for an inference. */
export type RequestParameters = {
  hub: Address;
  modelId: bigint;
  /** Packed input words: `encodeInput(manifest, values)`. */
  input: readonly bigint[];
  /** Gas for each consumer callback; 0 (default) with no callbacks. */
  callbackGasLimit?: number;
  /** `CALLBACK_ON_COMMIT` | `CALLBACK_ON_SETTLE`, or 0 (default). */
  callbackFlags?: number;
  /** Most the request may cost; defaults to the current quote, so a price rise before mining reverts. */
  maxTotalFee?: bigint;
  /**
   * How the fee is paid. Unset (default): with the existing allowance when it covers `maxTotalFee`, else by
   * EIP-2612 permit in the same transaction (`requestWithPermit`), else (a wallet that cannot sign typed
   * data) by an `approve` transaction first. `true` or `{ deadline }`: always by permit. `false`: never by
   * permit (approves `maxTotalFee` first when the allowance is short).
   */
  permit?: boolean | { deadline: bigint };
};

/** How a request was paid. */
export type RequestPayment = "allowance" | "permit" | "approve";

/** A mined request: its id and struct as emitted in `Requested`, the transaction hash and receipt. */
export type RequestResult = {
  requestId: Hex;
  hash: Hex;
  request: HubRequest;
  receipt: TransactionReceipt;
  payment: RequestPayment;
  /** The fee cap the request was sent with. */
  maxTotalFee: bigint;
};

/**
 * Requests an inference from the wallet's account, paying by allowance, permit or approval (see
 * `permit`), waits for the receipt and reads the request's id from its `Requested` event. Reverts throw
 * `ContractRevertError` naming the Solidity error, the token's and registry's included
 * (`ERC20InsufficientAllowance`, `HubFeeAboveMax`, `RegistryModelUnknown`, ...), with what to do.
 */
export async function request(clients: SdkClients, parameters: RequestParameters): Promise<RequestResult> {
  const { hub, modelId, input, callbackGasLimit = 0, callbackFlags = 0 } = parameters;
  const { publicClient, walletClient } = clients;
  const maxTotalFee =
    parameters.maxTotalFee ?? (await quote(publicClient, { hub, modelId, callbackGasLimit, callbackFlags })).total;
  const args = [modelId, input, callbackGasLimit, callbackFlags, maxTotalFee] as const;
  const target = { contractName: "InferenceHub", address: hub, abi: inferenceHubWithErrorsAbi } as const;
  const token = await getFeeToken(publicClient, { hub });
  const allowance =
    parameters.permit === true || typeof parameters.permit === "object"
      ? 0n
      : await publicClient.readContract({
          address: token,
          abi: opgTokenAbi,
          functionName: "allowance",
          args: [walletClient.account.address, hub],
        });
  let payment: RequestPayment =
    allowance >= maxTotalFee ? "allowance" : parameters.permit === false ? "approve" : "permit";
  let permitArgs: readonly [bigint, number, Hex, Hex] | undefined;
  if (payment === "permit") {
    const deadline =
      typeof parameters.permit === "object"
        ? parameters.permit.deadline
        : (await publicClient.getBlock()).timestamp + PERMIT_VALIDITY_S;
    try {
      const { v, r, s } = await signPermit(clients, { token, spender: hub, value: maxTotalFee, deadline });
      permitArgs = [deadline, v, r, s];
    } catch (error) {
      // Only a wallet that cannot sign typed data falls back to approving; a refusal stands.
      const rejected = error instanceof BaseError && error.walk((e) => e instanceof UserRejectedRequestError);
      if (rejected || parameters.permit !== undefined) throw error;
      payment = "approve";
    }
  }
  const receipt = await withDecodedRevert("InferenceHub.request", async () => {
    if (permitArgs)
      return writeAndWait(clients, { ...target, functionName: "requestWithPermit", args: [...args, ...permitArgs] });
    if (payment === "approve") await approve(clients, { hub, token, amount: maxTotalFee });
    return writeAndWait(clients, { ...target, functionName: "request", args });
  });
  const [event] = parseEventLogs({ abi: inferenceHubWithErrorsAbi, logs: receipt.logs, eventName: "Requested" });
  if (!event) throw new EventMissingError("Requested", receipt.transactionHash);
  const { requestId, request: emitted } = event.args;
  return { requestId, hash: receipt.transactionHash, request: emitted, receipt, payment, maxTotalFee };
}
