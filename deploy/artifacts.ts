import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Abi, Hex } from "viem";

/** Where `hardhat build` writes artifacts, relative to the repository root. */
const ARTIFACTS_DIR = join(import.meta.dirname, "..", "artifacts");

/** The parts of a compiled contract needed to deploy and call it. */
export type ContractArtifact = { readonly abi: Abi; readonly bytecode: Hex };

/** Source file (under the repository root) of each protocol contract, keyed by contract name. */
export const PROTOCOL_SOURCES = {
  OPGToken: "contracts/OPGToken.sol",
  ModelRegistry: "contracts/ModelRegistry.sol",
  NodeStaking: "contracts/NodeStaking.sol",
  InferenceHub: "contracts/InferenceHub.sol",
  Groth16VerifierAdapter: "contracts/verifiers/Groth16VerifierAdapter.sol",
  TestCircuitGroth16Verifier: "contracts/verifiers/generated/TestCircuitVerifier.sol",
  MockInferenceConsumer: "contracts/mocks/MockInferenceConsumer.sol",
} as const;

/** Name of a contract whose artifact `readArtifact` can load. */
export type ProtocolContractName = keyof typeof PROTOCOL_SOURCES;

/**
 * Reads a Hardhat artifact (`artifacts/<source>/<name>.json`); ABIs are never typed by hand.
 * Throws an error naming the missing file and the command that produces it.
 */
export function readArtifact(name: ProtocolContractName, artifactsDir = ARTIFACTS_DIR): ContractArtifact {
  const path = join(artifactsDir, PROTOCOL_SOURCES[name], `${name}.json`);
  if (!existsSync(path)) {
    throw new Error(`artifact for ${name} not found at ${path}: run \`npx hardhat build\` first`);
  }
  const json = JSON.parse(readFileSync(path, "utf8")) as { abi: Abi; bytecode: Hex };
  return { abi: json.abi, bytecode: json.bytecode };
}
