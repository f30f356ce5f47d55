import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Abi, Hex } from "viem";
import { ABI_SOURCES, type AbiContractName, contractAbis } from "../abi/index.ts";

/** Where `hardhat build` writes artifacts, relative to the repository root. */
const ARTIFACTS_DIR = join(import.meta.dirname, "..", "artifacts");

/** The parts of a compiled contract needed to deploy and call it. */
export type ContractArtifact<abi extends Abi | readonly unknown[] = Abi> = {
  readonly abi: abi;
  readonly bytecode: Hex;
};

/** Source file (under the repository root) of each protocol contract, keyed by contract name. */
export const PROTOCOL_SOURCES = ABI_SOURCES;

/** Name of a contract whose artifact `readArtifact` can load. */
export type ProtocolContractName = AbiContractName;

/**
 * Reads a Hardhat artifact (`artifacts/<source>/<name>.json`) for its bytecode, with the typed ABI generated
 * from it (`abi/contracts.generated.ts`). Throws an error naming the command that fixes it when the artifact
 * is missing or the generated ABI no longer matches it.
 */
export function readArtifact<name extends ProtocolContractName>(
  name: name,
  artifactsDir = ARTIFACTS_DIR,
): ContractArtifact<(typeof contractAbis)[name]> {
  const path = join(artifactsDir, PROTOCOL_SOURCES[name], `${name}.json`);
  if (!existsSync(path)) {
    throw new Error(`artifact for ${name} not found at ${path}: run \`npx hardhat build\` first`);
  }
  const json = JSON.parse(readFileSync(path, "utf8")) as { abi: Abi; bytecode: Hex };
  const abi = contractAbis[name];
  if (JSON.stringify(json.abi) !== JSON.stringify(abi)) {
    throw new Error(`the generated ABI of ${name} is stale (it differs from ${path}): run \`npm run abi:generate\``);
  }
  return { abi, bytecode: json.bytecode };
}
