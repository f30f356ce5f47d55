/**
 * Typed ABIs and Solidity enums of the protocol, generated from the Hardhat build artifacts
 * (`npm run abi:generate`), and the struct types viem derives from them. Imports nothing from Node, so
 * the SDK can ship it to browsers.
 */
import type { ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import type { inferenceHubAbi } from "./contracts.generated.ts";

export * from "./contracts.generated.ts";
export { ABI_SOURCES, type AbiContractName, HUB_CALLEES } from "./sources.ts";

/** `IInferenceHub.Request` as viem encodes and decodes it (emitted in `Requested`, resupplied to `commit`…). */
export type HubRequest = ContractFunctionArgs<typeof inferenceHubAbi, "pure", "hashRequest">[0];

/** `IInferenceHub.HubParams`, the hub's governance parameters, as viem encodes and decodes them. */
export type HubParams = ContractFunctionReturnType<typeof inferenceHubAbi, "view", "params">;

export {
  type Commitment,
  type DecodedSettleItem,
  decodeSettleBatch,
  encodeSettleBatch,
  type SettleBatchEntry,
  settlementBinding,
} from "./settlement.ts";
