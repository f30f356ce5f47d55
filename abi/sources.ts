/**
 * The contracts whose ABIs `scripts/generate-abis.ts` writes to `abi/contracts.generated.ts`, keyed by
 * contract name, with the source file (under the repository root) Hardhat compiled each from. Adding a
 * contract here and running `npm run abi:generate` is all it takes to get its typed ABI.
 */
export const ABI_SOURCES = {
  OPGToken: "contracts/OPGToken.sol",
  ModelRegistry: "contracts/ModelRegistry.sol",
  NodeStaking: "contracts/NodeStaking.sol",
  InferenceHub: "contracts/InferenceHub.sol",
  Groth16VerifierAdapter: "contracts/verifiers/Groth16VerifierAdapter.sol",
  TestCircuitGroth16Verifier: "contracts/verifiers/generated/TestCircuitVerifier.sol",
  TestCircuitBatchVerifier: "contracts/verifiers/generated/TestCircuitBatchVerifier.sol",
  InferenceConsumer: "contracts/consumer/InferenceConsumer.sol",
  EnclaveRegistry: "contracts/tee/EnclaveRegistry.sol",
  AutomataNitroAdapter: "contracts/tee/adapters/AutomataNitroAdapter.sol",
  InsecureDevAttestationAdapter: "contracts/tee/adapters/InsecureDevAttestationAdapter.sol",
  AutomataNitroVerifierDouble: "contracts/mocks/AutomataNitroVerifierDouble.sol",
  MockInferenceConsumer: "contracts/mocks/MockInferenceConsumer.sol",
  RiskTieredVault: "contracts/examples/RiskTieredVault.sol",
} as const;

/** Name of a contract with a generated ABI. */
export type AbiContractName = keyof typeof ABI_SOURCES;

/**
 * The contracts the hub calls. Their errors bubble up through the hub unchanged, so the merged
 * `inferenceHubWithErrorsAbi` carries them and a revert from any of them decodes by name.
 */
export const HUB_CALLEES = [
  "OPGToken",
  "NodeStaking",
  "ModelRegistry",
  "Groth16VerifierAdapter",
  "EnclaveRegistry",
] as const;

/** Folder (in solc's source names) whose Solidity enums are generated as `as const` objects. */
export const ENUM_SOURCE_PREFIX = "project/contracts/";
