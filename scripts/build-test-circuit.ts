/**
 * Builds the small test circuit `circuits/test/affine.circom` (y = 3·x0 + 5·x1 + 7, inputs range-checked
 * to 32 bits) into committed fixtures, so tests never re-run a trusted setup:
 *
 * - `test/fixtures/test-circuit/affine.wasm`, `affine.zkey`, `verification_key.json`
 * - `test/fixtures/test-circuit/proof-<name>.json`: `{ input, output, publicSignals, proofBytes }` fixtures
 * - `contracts/verifiers/generated/TestCircuitVerifier.sol`: snarkjs' Solidity verifier, contract renamed
 *   `TestCircuitGroth16Verifier` and marked generated.
 * - `contracts/verifiers/generated/TestCircuitBatchVerifier.sol`: the model compiler's batch verifier
 *   (`IBatchProofVerifier`) for the same key.
 * - `test/fixtures/test-circuit/batch-proofs.json`: {@link BATCH_PROOFS} proofs of distinct inputs,
 *   `{ count, proofs, publicSignals }` (proofs concatenated, signals proof by proof), for the batch tests.
 * - `test/fixtures/test-circuit/other-key/`: a second, independent setup of the same circuit (other
 *   entropy, so another α, β, δ and IC): its `verification_key.json` and `proofs.json` (same format), and
 *   `test/sol/fixtures/OtherKeyBatchVerifier.sol`, so tests can present a valid proof of another model.
 *
 * The powers of tau (2^8) and the phase-2 contributions are made locally with fixed entropy: development
 * only, never for production keys. Usage: `npm run build:test-circuit` (a few seconds);
 * `npm run build:test-circuit -- --batch` rebuilds only the batch verifiers and batch fixtures from the
 * committed key, leaving the key and `proof-*.json` (which the gas snapshot depends on) untouched.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import * as snarkjs from "snarkjs";
import { encodeProof, type Groth16Proof, parseVerificationKey, renderBatchVerifier } from "../zkml/index.ts";

const ROOT = join(import.meta.dirname, "..");
const BIN = join(ROOT, "node_modules", ".bin");
const CIRCUIT = join(ROOT, "circuits", "test", "affine.circom");
const FIXTURE_DIR = join(ROOT, "test", "fixtures", "test-circuit");
const VERIFIER_PATH = join(ROOT, "contracts", "verifiers", "generated", "TestCircuitVerifier.sol");
const BATCH_VERIFIER_PATH = join(ROOT, "contracts", "verifiers", "generated", "TestCircuitBatchVerifier.sol");
const OTHER_KEY_DIR = join(FIXTURE_DIR, "other-key");
const OTHER_KEY_VERIFIER_PATH = join(ROOT, "test", "sol", "fixtures", "OtherKeyBatchVerifier.sol");
/** 2^8 = 256 constraints: the circuit has 65; the smallest power that fits with room to grow. */
const PTAU_POWER = 8;
/** Fixed entropy keeps the build reproducible; the keys are for tests only. */
const ENTROPY = "opg-test-circuit-insecure-dev-entropy";
/** Entropy of the second, independent setup ("another model" in the batch tests). */
const OTHER_ENTROPY = "opg-test-circuit-other-key-insecure-dev-entropy";
/** Proofs in `batch-proofs.json`: enough for batches of 16 without repeating one. */
const BATCH_PROOFS = 16;
/** Proofs of the other key: enough to mix into batches and to fill a batch of its own. */
const OTHER_KEY_PROOFS = 4;
/** Inputs of the committed fixture proofs (two, so tests can present a proof for another request). */
const FIXTURE_INPUTS: Record<string, [bigint, bigint]> = {
  a: [11n, 22n],
  b: [1234567n, 4294967295n],
};

function run(cmd: string, args: string[]): void {
  execFileSync(join(BIN, cmd), args, { stdio: ["ignore", "ignore", "inherit"], cwd: ROOT });
}

/** circom → r1cs + wasm in `work`; returns the r1cs path. */
function compileCircuit(work: string): string {
  run("circom2", [CIRCUIT, "--r1cs", "--wasm", "--O2", "-l", join(ROOT, "node_modules"), "-o", work]);
  return join(work, "affine.r1cs");
}

/** A fresh powers of tau (2^PTAU_POWER) and Groth16 setup from `entropy`; writes `zkey` and `vkPath`. */
function setup(work: string, r1cs: string, entropy: string, zkey: string, vkPath: string): void {
  const ptau0 = join(work, "pot_0.ptau");
  const ptau1 = join(work, "pot_1.ptau");
  const ptau = join(work, "pot_final.ptau");
  run("snarkjs", ["powersoftau", "new", "bn128", String(PTAU_POWER), ptau0]);
  run("snarkjs", ["powersoftau", "contribute", ptau0, ptau1, "--name=dev", `-e=${entropy}`]);
  run("snarkjs", ["powersoftau", "prepare", "phase2", ptau1, ptau]);
  const zkey0 = join(work, "affine_0.zkey");
  run("snarkjs", ["groth16", "setup", r1cs, ptau, zkey0]);
  run("snarkjs", ["zkey", "contribute", zkey0, zkey, "--name=dev", `-e=${entropy}`]);
  run("snarkjs", ["zkey", "export", "verificationkey", zkey, vkPath]);
  rmSync(zkey0);
}

/** Renders the batch verifier of the key at `vkPath` into `outPath` (a file under `contractsRoot`'s tree). */
function writeBatchVerifier(vkPath: string, outPath: string, contractName: string, contractsRoot: string): void {
  const vk = parseVerificationKey(JSON.parse(readFileSync(vkPath, "utf8")));
  const source = relative(ROOT, vkPath);
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(
    outPath,
    renderBatchVerifier(vk, { contractName, contractsRoot, source, command: "npm run build:test-circuit -- --batch" }),
  );
}

/** `count` proofs of distinct inputs: `{ count, proofs (concatenated), publicSignals (proof by proof) }`. */
async function writeBatchProofs(wasm: string, zkey: string, count: number, salt: bigint, outPath: string) {
  const proofs: string[] = [];
  const publicSignals: string[] = [];
  for (let i = 0n; i < BigInt(count); i++) {
    // Distinct inputs spread over the 32-bit range, so no two proofs share a signal.
    const x = [1000n + 7919n * i + salt, 4294967295n - 104729n * i - salt];
    const { proof, publicSignals: signals } = await snarkjs.groth16.fullProve({ x: x.map(String) }, wasm, zkey);
    proofs.push(encodeProof(proof as Groth16Proof).slice(2));
    publicSignals.push(...signals);
  }
  const fixture = { count, proofs: `0x${proofs.join("")}`, publicSignals };
  writeFileSync(outPath, `${JSON.stringify(fixture, null, 2)}\n`);
}

/**
 * The batch verifier of the committed key, its batch proofs, and a second independent setup with its own
 * proofs and batch verifier.
 */
async function buildBatchFixtures(work: string, r1cs: string): Promise<void> {
  const wasm = join(FIXTURE_DIR, "affine.wasm");
  writeBatchVerifier(
    join(FIXTURE_DIR, "verification_key.json"),
    BATCH_VERIFIER_PATH,
    "TestCircuitBatchVerifier",
    "../..",
  );
  await writeBatchProofs(
    wasm,
    join(FIXTURE_DIR, "affine.zkey"),
    BATCH_PROOFS,
    0n,
    join(FIXTURE_DIR, "batch-proofs.json"),
  );

  mkdirSync(OTHER_KEY_DIR, { recursive: true });
  const otherZkey = join(work, "other.zkey");
  const otherVk = join(OTHER_KEY_DIR, "verification_key.json");
  setup(work, r1cs, OTHER_ENTROPY, otherZkey, otherVk);
  writeBatchVerifier(otherVk, OTHER_KEY_VERIFIER_PATH, "OtherKeyBatchVerifier", "../../../contracts");
  // Other inputs than the main batch's (salt), so a mixed batch never holds one statement twice.
  await writeBatchProofs(wasm, otherZkey, OTHER_KEY_PROOFS, 3n, join(OTHER_KEY_DIR, "proofs.json"));
}

async function main(): Promise<void> {
  const batchOnly = process.argv.includes("--batch");
  const work = mkdtempSync(join(tmpdir(), "opg-test-circuit-"));
  try {
    mkdirSync(FIXTURE_DIR, { recursive: true });
    const r1cs = compileCircuit(work);
    if (!batchOnly) await buildKeyAndProofs(work, r1cs);
    await buildBatchFixtures(work, r1cs);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  // snarkjs keeps worker threads alive; exit explicitly once everything is written.
  process.exit(0);
}

/** The committed key, wasm, snarkjs verifier and the `proof-<name>.json` fixtures. */
async function buildKeyAndProofs(work: string, r1cs: string): Promise<void> {
  const zkey = join(FIXTURE_DIR, "affine.zkey");
  setup(work, r1cs, ENTROPY, zkey, join(FIXTURE_DIR, "verification_key.json"));
  const wasm = join(FIXTURE_DIR, "affine.wasm");
  writeFileSync(wasm, readFileSync(join(work, "affine_js", "affine.wasm")));

  const rawVerifier = join(work, "verifier.sol");
  run("snarkjs", ["zkey", "export", "solidityverifier", zkey, rawVerifier]);
  const solidity = readFileSync(rawVerifier, "utf8").replace(
    /contract Groth16Verifier/,
    "contract TestCircuitGroth16Verifier",
  );
  mkdirSync(join(VERIFIER_PATH, ".."), { recursive: true });
  writeFileSync(
    VERIFIER_PATH,
    `// GENERATED by scripts/build-test-circuit.ts from circuits/test/affine.circom (snarkjs); do not edit.\n${solidity}`,
  );

  for (const [name, x] of Object.entries(FIXTURE_INPUTS)) {
    const { proof, publicSignals } = await snarkjs.groth16.fullProve({ x: x.map(String) }, wasm, zkey);
    const output = [publicSignals[0]];
    writeFileSync(
      join(FIXTURE_DIR, `proof-${name}.json`),
      `${JSON.stringify(
        { input: x.map(String), output, publicSignals, proofBytes: encodeProof(proof as Groth16Proof) },
        null,
        2,
      )}\n`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
