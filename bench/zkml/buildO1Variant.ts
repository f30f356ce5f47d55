import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { compileCircuit } from "./compileCircuit.ts";
import { countR1csTerms } from "./r1csTerms.ts";

/** The compiler's own circuit recompiled with `--O1`, set up and cached like the baseline. */
export interface O1Variant {
  readonly wasmPath: string;
  readonly zkeyPath: string;
  readonly vkeyPath: string;
  readonly constraints: number;
  readonly terms: number;
  readonly circomSeconds: number;
  readonly setupSeconds: number;
  readonly key: string;
}

/**
 * Recompiles a compiled model's `circuit.circom` with circom `--O1` (linear constraints kept, so the
 * unpacked input values stay wires instead of being substituted, as bit sums, into every neuron's
 * constraint) and runs the same Groth16 setup. Measures what the optimisation level costs.
 */
export async function buildO1Variant(
  circuitPath: string,
  dir: string,
  ptau: string,
  fresh = false,
): Promise<O1Variant> {
  const key = createHash("sha256").update(readFileSync(circuitPath)).update(ptau).digest("hex");
  const record = join(dir, "build.json");
  if (!fresh && existsSync(record)) {
    const previous = JSON.parse(readFileSync(record, "utf8")) as O1Variant;
    if (previous.key === key && existsSync(previous.zkeyPath)) return previous;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(circuitPath, join(dir, "circuit.circom"));
  const circom = await compileCircuit(join(dir, "circuit.circom"), dir, { optimization: "--O1" });
  const { constraints, terms } = await countR1csTerms(circom.r1csPath);
  const started = performance.now();
  const zkey0 = join(dir, "circuit_0000.zkey");
  const zkeyPath = join(dir, "circuit.zkey");
  await snarkjs.zKey.newZKey(circom.r1csPath, ptau, zkey0);
  await snarkjs.zKey.contribute(zkey0, zkeyPath, "o1 variant", createHash("sha256").update(key).digest("hex"));
  rmSync(zkey0);
  const vkeyPath = join(dir, "verification_key.json");
  writeFileSync(vkeyPath, JSON.stringify(await snarkjs.zKey.exportVerificationKey(zkeyPath)));
  const variant: O1Variant = {
    wasmPath: circom.wasmPath,
    zkeyPath,
    vkeyPath,
    constraints,
    terms,
    circomSeconds: circom.seconds,
    setupSeconds: (performance.now() - started) / 1000,
    key,
  };
  writeFileSync(record, `${JSON.stringify(variant, null, 2)}\n`);
  return variant;
}
