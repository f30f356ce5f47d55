import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { compileCircuit } from "./compileCircuit.ts";
import { BASELINE_TEMPLATES, type BaselineNetwork, generateBaselineCircuit } from "./generateBaselineCircuit.ts";

/** Measurements of one baseline build, cached beside the artifacts (`build.json`). */
export interface BaselineBuild {
  readonly dir: string;
  readonly r1csPath: string;
  readonly wasmPath: string;
  readonly zkeyPath: string;
  readonly vkeyPath: string;
  readonly constraints: number;
  readonly publicSignals: number;
  readonly circom: { readonly seconds: number; readonly peakRssMiB?: number };
  readonly setup: { readonly seconds: number; readonly ptau: string };
  /** sha256 of the generated circuit + templates + ptau name: a cache hit needs all three equal. */
  readonly key: string;
  /** True when the artifacts and timings were reused from an earlier run. */
  readonly cached: boolean;
}

const MAIN = "baseline_main";

/**
 * Generates, compiles (circom2 `--O2`) and sets up (Groth16 zkey with one phase-2 contribution) the
 * baseline circuit for `net` in `dir`, timing each step. Reuses a previous build with the same
 * circuit and ptau unless `fresh`. `dir` must lie under the repository (circom2 is WASI-sandboxed).
 */
export async function buildBaseline(
  net: BaselineNetwork,
  dir: string,
  opts: { ptau: string; fresh?: boolean; log?: (line: string) => void },
): Promise<BaselineBuild> {
  const log = opts.log ?? (() => {});
  const source = generateBaselineCircuit(net);
  const templates = readFileSync(BASELINE_TEMPLATES, "utf8");
  const key = createHash("sha256").update(source).update(templates).update(opts.ptau).digest("hex");
  const record = join(dir, "build.json");
  if (!opts.fresh && existsSync(record)) {
    const previous = JSON.parse(readFileSync(record, "utf8")) as BaselineBuild;
    if (previous.key === key && existsSync(previous.zkeyPath)) return { ...previous, cached: true };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(BASELINE_TEMPLATES, join(dir, "baseline.circom"));
  writeFileSync(join(dir, `${MAIN}.circom`), source);
  log("baseline: compiling with circom2 --O2");
  const circom = await compileCircuit(join(dir, `${MAIN}.circom`), dir);
  const info = (await snarkjs.r1cs.info(circom.r1csPath)) as {
    nConstraints: number;
    nPubInputs: number;
    nOutputs: number;
  };
  log(`baseline: ${info.nConstraints} constraints, circom ${circom.seconds.toFixed(1)} s; Groth16 setup`);
  const zkeyPath = join(dir, `${MAIN}.zkey`);
  const started = performance.now();
  const zkey0 = join(dir, `${MAIN}_0000.zkey`);
  await snarkjs.zKey.newZKey(circom.r1csPath, opts.ptau, zkey0);
  await snarkjs.zKey.contribute(zkey0, zkeyPath, "baseline", createHash("sha256").update(key).digest("hex"));
  rmSync(zkey0);
  const vkeyPath = join(dir, "verification_key.json");
  writeFileSync(vkeyPath, JSON.stringify(await snarkjs.zKey.exportVerificationKey(zkeyPath)));
  const build: BaselineBuild = {
    dir,
    r1csPath: circom.r1csPath,
    wasmPath: circom.wasmPath,
    zkeyPath,
    vkeyPath,
    constraints: info.nConstraints,
    publicSignals: info.nPubInputs + info.nOutputs,
    circom: { seconds: circom.seconds, ...(circom.peakRssMiB ? { peakRssMiB: circom.peakRssMiB } : {}) },
    setup: { seconds: (performance.now() - started) / 1000, ptau: opts.ptau },
    key,
    cached: false,
  };
  writeFileSync(record, `${JSON.stringify(build, null, 2)}\n`);
  return build;
}
