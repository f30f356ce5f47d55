import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import * as snarkjs from "snarkjs";
import solc from "solc";
import { zkmlConfig } from "../config.ts";
import { ZkmlError } from "../errors.ts";
import { ARTIFACT_FILES } from "../manifest.ts";
import type { Progress } from "../progress.ts";
import { parseVerificationKey, renderBatchVerifier, verificationKeyHash } from "./batchVerifierSolidity.ts";

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** solc settings: identical to hardhat.config.ts so the verifier bytecode matches a Hardhat build. */
const SOLC_SETTINGS = { evmVersion: "cancun", optimizer: { enabled: true, runs: 10_000 } } as const;
/** The repository root: generated contracts import its `contracts/` interfaces and libraries. */
const REPO_ROOT = join(import.meta.dirname, "..", "..");
/** The batch verifier's contract name in every compiled model. */
const BATCH_VERIFIER_CONTRACT = "Groth16BatchVerifier";
/** The source name solc compiles the batch verifier under: where such a file sits in this repository. */
const BATCH_VERIFIER_SOURCE = "contracts/verifiers/generated/Groth16BatchVerifier.sol";
/** EIP-170: the most runtime code a contract may have. */
const EIP170_CODE_LIMIT = 24_576;
/** circom's output buffer can be large for big circuits' logs. */
const CIRCOM_MAX_BUFFER = 64 * 1024 * 1024;

/** Facts about the compiled constraint system. */
export interface CircuitInfo {
  constraints: number;
  nPublic: number;
  wires: number;
}

/**
 * circom simplification level. `O1` (default) removes only signal-to-signal equalities. `O2` also
 * substitutes every linear constraint away; on wide layers that inlines each input's bit
 * decomposition into every accumulator (MNIST 784→56→10: constraints of 23,566 terms, a 121 MB r1cs
 * and a 150 MB zkey, versus 980 more — small — constraints and a 4.7 MB r1cs with O1).
 */
export type CircomOptimization = "O1" | "O2";

/**
 * Compiles `<dir>/circuit.circom` with circom2 (WebAssembly): `--O1|--O2 --r1cs --wasm --sym`.
 * Writes circuit.r1cs, circuit.sym and circuit_js/circuit.wasm.
 */
export async function compileCircom(
  dir: string,
  optimization: CircomOptimization,
  progress: Progress,
): Promise<CircuitInfo> {
  const done = progress.step(`compiling circuit (circom --${optimization})`);
  try {
    await run(
      process.execPath,
      [zkmlConfig().circomBin, "circuit.circom", `--${optimization}`, "--r1cs", "--wasm", "--sym", "-o", "."],
      {
        cwd: dir,
        maxBuffer: CIRCOM_MAX_BUFFER,
      },
    );
  } catch (cause) {
    const e = cause as { stderr?: string; stdout?: string };
    throw new ZkmlError("CircuitCompileFailed", "circom failed to compile the generated circuit", {
      details: `${e.stderr ?? ""}${e.stdout ?? ""}`.slice(-4000),
      cause,
    });
  }
  const info = await snarkjs.r1cs.info(join(dir, "circuit.r1cs"), undefined);
  done();
  return { constraints: info.nConstraints, nPublic: info.nPubInputs + info.nOutputs, wires: info.nVars };
}

/**
 * Groth16 setup: circuit-specific zkey from the ptau plus one random phase-2 contribution, then the
 * verification key. Writes circuit.zkey and verification_key.json.
 */
export async function groth16Setup(dir: string, ptauPath: string, progress: Progress): Promise<void> {
  const done = progress.step("Groth16 setup (zkey + phase-2 contribution)");
  const zkey0 = join(dir, "circuit_0000.zkey");
  const result = await snarkjs.zKey.newZKey(join(dir, "circuit.r1cs"), ptauPath, zkey0, progress.toolLogger);
  if (result === -1)
    throw new ZkmlError("PtauInvalid", "snarkjs could not create the zkey (ptau too small or not prepared)");
  await snarkjs.zKey.contribute(zkey0, join(dir, "circuit.zkey"), "opg compile", randomBytes(32).toString("hex"));
  await rm(zkey0);
  const vk = await snarkjs.zKey.exportVerificationKey(join(dir, "circuit.zkey"));
  await writeFile(join(dir, "verification_key.json"), `${JSON.stringify(vk, null, 2)}\n`);
  done();
}

/** A compiled contract as written to `verifier.json` / `batch-verifier.json`. */
interface SolidityArtifact {
  contractName: string;
  solcVersion: string;
  abi: unknown[];
  bytecode: string;
  deployedBytecode: string;
}

type SolcOutput = {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<
    string,
    Record<string, { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>
  >;
};

/**
 * Resolves a generated contract's imports from this repository's `contracts/` tree (the interfaces and
 * libraries the batch verifier builds on), and nothing else.
 */
function findContractImport(path: string): { contents: string } | { error: string } {
  if (!path.startsWith("contracts/") || path.includes("..")) return { error: `import ${path} is not under contracts/` };
  try {
    return { contents: readFileSync(join(REPO_ROOT, path), "utf8") };
  } catch {
    return { error: `import ${path} not found under ${REPO_ROOT}` };
  }
}

/** Compiles one source with the project's solc settings; throws `CircuitCompileFailed` with solc's errors. */
function compileSolidity(sourceName: string, content: string, contractName: string): SolidityArtifact {
  const input = {
    language: "Solidity",
    sources: { [sourceName]: { content } },
    settings: {
      ...SOLC_SETTINGS,
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findContractImport })) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  const contract = output.contracts?.[sourceName]?.[contractName];
  if (errors.length > 0 || !contract) {
    throw new ZkmlError("CircuitCompileFailed", `solc failed to compile the generated ${contractName}`, {
      details: errors.map((e) => e.formattedMessage).join("\n"),
    });
  }
  return {
    contractName,
    solcVersion: solc.version(),
    abi: contract.abi,
    bytecode: `0x${contract.evm.bytecode.object}`,
    deployedBytecode: `0x${contract.evm.deployedBytecode.object}`,
  };
}

/**
 * Exports the snarkjs Solidity verifier and compiles it with the solc npm package. Writes
 * verifier.sol and verifier.json (`{ abi, bytecode }`).
 */
export async function buildSolidityVerifier(dir: string, progress: Progress): Promise<void> {
  const done = progress.step("Solidity verifier (snarkjs export + solc)");
  const templates = join(dirname(require.resolve("snarkjs")), "..", "templates");
  const template = await readFile(join(templates, "verifier_groth16.sol.ejs"), "utf8");
  const exported = await snarkjs.zKey.exportSolidityVerifier(join(dir, "circuit.zkey"), { groth16: template });
  const source = `// GENERATED by the OPG model compiler from circuit.zkey (snarkjs template). Do not edit.\n${exported}`;
  await writeFile(join(dir, ARTIFACT_FILES.verifierSol), source);
  const artifact = compileSolidity("verifier.sol", source, "Groth16Verifier");
  await writeFile(join(dir, ARTIFACT_FILES.verifierJson), `${JSON.stringify(artifact, null, 2)}\n`);
  done();
}

/**
 * Renders the batch verifier (`IBatchProofVerifier`, the model's on-chain verifier) from
 * verification_key.json and compiles it with the solc npm package against this repository's
 * `contracts/` interfaces. Writes batch-verifier.sol and batch-verifier.json (`{ abi, bytecode, … }`).
 *
 * @throws ZkmlError `CircuitCompileFailed` when solc fails or the runtime code exceeds EIP-170's limit.
 */
export async function buildBatchVerifier(dir: string, progress: Progress): Promise<void> {
  const done = progress.step("batch verifier (OPG template + solc)");
  const vk = parseVerificationKey(JSON.parse(await readFile(join(dir, ARTIFACT_FILES.verificationKey), "utf8")));
  const source = renderBatchVerifier(vk, {
    contractName: BATCH_VERIFIER_CONTRACT,
    // Compiled as if it sat at BATCH_VERIFIER_SOURCE, so its imports name this repository's contracts/.
    contractsRoot: "../..",
    source: ARTIFACT_FILES.verificationKey,
    command: "opg model compile",
  });
  await writeFile(join(dir, ARTIFACT_FILES.batchVerifierSol), source);
  const artifact = compileSolidity(BATCH_VERIFIER_SOURCE, source, BATCH_VERIFIER_CONTRACT);
  const runtimeBytes = (artifact.deployedBytecode.length - 2) / 2;
  if (runtimeBytes > EIP170_CODE_LIMIT) {
    throw new ZkmlError(
      "CircuitCompileFailed",
      `the batch verifier's runtime code is ${runtimeBytes} bytes, over EIP-170's ${EIP170_CODE_LIMIT}`,
      { details: `${vk.nPublic} public signals: pack more values per word` },
    );
  }
  const json = { ...artifact, sourceName: BATCH_VERIFIER_SOURCE, vkHash: verificationKeyHash(vk) };
  await writeFile(join(dir, ARTIFACT_FILES.batchVerifierJson), `${JSON.stringify(json, null, 2)}\n`);
  done();
}

/** Moves `circuit_js/circuit.wasm` to `circuit.wasm` and drops circom's JS helpers (CommonJS, unused). */
export async function flattenWasm(dir: string): Promise<void> {
  await rename(join(dir, "circuit_js", "circuit.wasm"), join(dir, "circuit.wasm"));
  await rm(join(dir, "circuit_js"), { recursive: true, force: true });
}
