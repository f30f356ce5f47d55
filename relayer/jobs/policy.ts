import type { HubRequest } from "../../abi/index.ts";
import type { RelayerConfig } from "../common/config.ts";

/** Why a request is not worth serving under the operator's terms. */
export type Decline = { reason: "fee" | "callbackGas"; message: string };

/**
 * Checks a request against the operator's terms before any gas is spent on it: a model fee below
 * `minModelFee`, or a callback gas limit above what the node provisions, is declined.
 */
export function declineReason(policy: RelayerConfig["policy"], req: HubRequest): Decline | undefined {
  if (req.callbackFlags !== 0 && req.callbackGasLimit > policy.maxCallbackGas) {
    return {
      reason: "callbackGas",
      message: `callback gas limit ${req.callbackGasLimit} is above the node's maximum ${policy.maxCallbackGas}`,
    };
  }
  if (req.modelFee < policy.minModelFee) {
    return { reason: "fee", message: `model fee ${req.modelFee} is below the node's minimum ${policy.minModelFee}` };
  }
  return undefined;
}
