import type { Address } from "viem";
import { inferenceHubWithErrorsAbi } from "../../abi/index.ts";
import type { ReadClient } from "../clients.ts";
import { withDecodedRevert } from "../errors.ts";

/** What a request costs now, in OPG wei. */
export type Quote = {
  /** Paid to the committing node on settlement. */
  modelFee: bigint;
  /** Burned on settlement. */
  settlementFee: bigint;
  /** Prices the consumer callback gas asked for; paid to the node on settlement, zero without callbacks. */
  callbackFee: bigint;
  /** The sum: the amount to approve, and the least `maxTotalFee` accepted. */
  total: bigint;
};

/**
 * Reads `InferenceHub.quoteRequest` for a request with these callback settings (none by default); throws
 * `ContractRevertError` (`RegistryModelUnknown`, `HubModelInactive`, `HubCallbackGasAboveCap`, ...) for a
 * request the hub would refuse.
 */
export async function quote(
  publicClient: ReadClient,
  {
    hub,
    modelId,
    callbackGasLimit = 0,
    callbackFlags = 0,
  }: { hub: Address; modelId: bigint; callbackGasLimit?: number; callbackFlags?: number },
): Promise<Quote> {
  const [modelFee, settlementFee, callbackFee, total] = await withDecodedRevert("InferenceHub.quoteRequest", () =>
    publicClient.readContract({
      address: hub,
      abi: inferenceHubWithErrorsAbi,
      functionName: "quoteRequest",
      args: [modelId, callbackGasLimit, callbackFlags],
    }),
  );
  return { modelFee, settlementFee, callbackFee, total };
}
