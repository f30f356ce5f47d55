import { spawnSync } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WitnessCalculatorBuilder } from "circom_runtime";
import pino from "pino";
import { expect } from "vitest";
import {
  attr,
  buildMlp,
  compileModel,
  createGraphBuilder,
  createPrng,
  createProgress,
  loadCompiledModel,
  type Manifest,
  packLayout,
  quantForward,
  quantTrace,
  readR1cs,
  TensorType,
  unpackValues,
  witnessInput,
} from "../../../zkml/index.ts";
import { namedWitness, readSymbols, toWitness } from "../support/zkml/namedWitness.ts";
import { unsatisfiedConstraints } from "../support/zkml/r1cs.ts";
import { readQuantNetwork } from "../support/zkml/readQuantNetwork.ts";

/** Repository root. */
export const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
/** The reference tiny model (4 → 4 → 2, ReLU) and its calibration set, committed fixtures. */
export const TINY_ONNX = join(ROOT, "models/fixtures/tiny.onnx");
export const TINY_CALIBRATION = join(ROOT, "models/fixtures/tiny.calibration.json");

/** A fresh temporary directory for one test file. */
export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `opg-zkml-${prefix}-`));
}

/** Progress reporter that stays silent in tests. */
export function quietProgress() {
  return createProgress({ logger: pino({ level: "silent" }), tty: false });
}

/** Calibration inputs of the tiny reference model. */
export async function tinyCalibration(): Promise<number[][]> {
  return (JSON.parse(await readFile(TINY_CALIBRATION, "utf8")) as { inputs: number[][] }).inputs;
}

/** Compiles the tiny reference model into `<dir>/tiny` (uses the cached dev ptau). */
export async function compileTiny(
  dir: string,
  optimization: "O1" | "O2" = "O1",
): Promise<{ outDir: string; manifest: Manifest }> {
  const outDir = join(dir, "tiny");
  const manifest = await compileModel(TINY_ONNX, {
    outDir,
    calibration: await tinyCalibration(),
    optimization,
    progress: quietProgress(),
  });
  return { outDir, manifest };
}

/** Runs `opg …` as a child process (the real CLI entry point). */
export function opg(...args: string[]) {
  return spawnSync(process.execPath, ["bin/opg.mjs", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, OPG_LOG_LEVEL: "warn" },
  });
}

/** Seeded uniform random inputs in [lo, hi). */
export function randomVectors(count: number, size: number, lo: number, hi: number, seed: number): number[][] {
  const prng = createPrng(seed);
  return Array.from({ length: count }, () => Array.from({ length: size }, () => prng.uniform(lo, hi)));
}

/** Checks ORT(quantized ONNX) == circuit witness == integer reference on every input; returns stats. */
export async function checkEquivalence(dir: string, inputs: number[][]) {
  const model = await loadCompiledModel(dir, { executionProvider: "cpu" });
  const net = await readQuantNetwork(dir, model.manifest);
  const r1cs = await readR1cs(join(dir, "circuit.r1cs"));
  const symbols = await readSymbols(join(dir, "circuit.sym"));
  const wc = await WitnessCalculatorBuilder(await readFile(join(dir, "circuit.wasm")));
  const { publicSignals: ps } = model.manifest;
  const outputLayout = packLayout(ps.output.bitsPerValue, BigInt(ps.output.min));
  let saturated = 0;
  let high = 0;
  let low = 0;
  try {
    for (const x of inputs) {
      const q = model.quantizeInput(x);
      const { output, outputWords } = await model.infer(q);
      const witness = await wc.calculateWitness(witnessInput(model.packInput(q)), true);
      const circuitWords = witness.slice(1, 1 + ps.outputWords);
      expect(circuitWords).toEqual(outputWords);
      expect(unpackValues(circuitWords, ps.output.values, outputLayout)).toEqual(output);
      expect(quantForward(net, q)).toEqual(output);
      expect(witness.slice(1 + ps.outputWords, 1 + ps.outputWords + ps.inputWords)).toEqual(model.packInput(q));
      expect(unsatisfiedConstraints(r1cs, witness)).toEqual([]);
      const named = namedWitness(net, q);
      expect(toWitness(named, symbols, r1cs.nWires)).toEqual(witness);
      const trace = quantTrace(net, q);
      if (trace.saturated > 0) saturated++;
      if (trace.high > 0) high++;
      if (trace.low > 0) low++;
    }
  } finally {
    await model.close();
  }
  return { saturated, high, low };
}

/**
 * A 6 → 8 → 8 → 3 MLP (ReLU, linear, linear) calibrated on small one-hot inputs (each coordinate
 * alone, ±0.25) and evaluated on dense "corner" inputs (|x| ≥ 0.5): layer outputs exceed every
 * calibrated range, so the ReLU layer saturates at its maximum and the hidden linear layer at both ends.
 */
export function saturatingModel(samples: number) {
  const w = randomVectors(3 + 8 + 8 + 9, 8, -1, 1, 7);
  const half = w.slice(19, 23).map((r) => r.map((v) => v * 3));
  const halfBias = w[27]!.slice(0, 4);
  const bytes = buildMlp({
    inputShape: [1, 6],
    linearOp: "matmul",
    layers: [
      { weights: w.slice(0, 8).map((r) => r.slice(0, 6)), bias: w[8]!, relu: true },
      // Rows 4..7 negate rows 0..3: a neuron that saturates high has a twin that saturates low.
      {
        weights: [...half, ...half.map((r) => r.map((v) => -v))],
        bias: [...halfBias, ...halfBias.map((b) => -b)],
        relu: false,
      },
      { weights: w.slice(9, 12).map((r) => r.map((v) => v * 4)), bias: [0.1, -0.2, 0.3], relu: false },
    ],
  });
  const calibration = [0.25, -0.25].flatMap((s) =>
    Array.from({ length: 6 }, (_, i) => Array.from({ length: 6 }, (_, j) => (i === j ? s : 0))),
  );
  const inputs = randomVectors(samples, 6, -1, 1, 2).map((x) => x.map((v) => Math.sign(v) * (0.5 + Math.abs(v) / 2)));
  return { bytes, calibration, inputs };
}

/**
 * A 6 → 2 graph using every supported op: Relu of the input (an identity layer without rescale),
 * Reshape, MatMul + Add (bias folded), Relu twice (idempotent), Identity, Add of a constant after
 * ReLU (an identity layer), Gemm with alpha, beta and transB = 0.
 */
export function allOpsGraph(): Uint8Array {
  const w = randomVectors(3, 6, -1, 1, 9).flat();
  return createGraphBuilder()
    .input("x", [1, 6])
    .initializer("shape", [2], [1, -1], TensorType.int64)
    .initializer("M", [6, 3], w)
    .initializer("c", [3], [0.5, -0.5, 0.25])
    .initializer("c2", [1], [0.1])
    .initializer("G", [3, 2], [1, -1, 0.5, 2, -0.25, 1])
    .initializer("gb", [2], [0.3, -0.3])
    .node("Relu", ["x"], ["r0"])
    .node("Reshape", ["r0", "shape"], ["r1"])
    .node("MatMul", ["r1", "M"], ["m"])
    .node("Add", ["c", "m"], ["a"])
    .node("Relu", ["a"], ["r2"])
    .node("Relu", ["r2"], ["r3"])
    .node("Identity", ["r3"], ["i"])
    .node("Add", ["i", "c2"], ["a2"])
    .node("Gemm", ["a2", "G", "gb"], ["y"], { alpha: attr.float(0.5), beta: attr.float(2) })
    .output("y", [1, 2])
    .build();
}
