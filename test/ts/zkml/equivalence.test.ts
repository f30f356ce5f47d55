import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clampKind, compileModel } from "../../../zkml/index.ts";
import { readQuantNetwork } from "../support/zkml/readQuantNetwork.ts";
import {
  allOpsGraph,
  checkEquivalence,
  compileTiny,
  quietProgress,
  randomVectors,
  saturatingModel,
  TINY_ONNX,
  tempDir,
  tinyCalibration,
} from "./helpers.ts";

/** Random inputs per model (the issue asks for ≥ 200). */
const SAMPLES = 256;

describe("quantized ONNX == circuit (tiny reference model)", () => {
  let dir: string;
  let outDir: string;
  beforeAll(async () => {
    dir = await tempDir("equiv");
    ({ outDir } = await compileTiny(dir));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(`agrees bit for bit on ${SAMPLES} random inputs, witnesses satisfy the R1CS`, async () => {
    await checkEquivalence(outDir, randomVectors(SAMPLES, 4, -1.2, 1.2, 1));
  });

  it("reports accuracy: small error, argmax agreement", async () => {
    const manifest = JSON.parse(await readFile(join(outDir, "manifest.json"), "utf8"));
    expect(manifest.accuracy.samples).toBeGreaterThan(0);
    expect(manifest.accuracy.maxAbsError).toBeLessThan(0.01);
    expect(manifest.accuracy.argmaxAgreement).toBeGreaterThan(0.95);
  });
});

describe("saturation: a model driven past its calibrated range (MatMul + Add graph)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir("sat");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(`clamps identically in ONNX (Clip) and in the circuit on ${SAMPLES} inputs`, async () => {
    const { bytes, calibration: oneHot, inputs: corners } = saturatingModel(SAMPLES);
    const onnxPath = join(dir, "sat.onnx");
    await writeFile(onnxPath, bytes);
    const outDir = join(dir, "sat");
    const manifest = await compileModel(onnxPath, { outDir, calibration: oneHot, progress: quietProgress() });
    // Every clamp the generator emits is exercised: unsigned ReLU saturation, signed saturation of
    // a hidden linear layer, and unsaturated logits.
    const net = await readQuantNetwork(outDir, manifest);
    expect(net.layers.map((l) => clampKind(l).kind)).toEqual(["reluHigh", "signed", "none"]);
    // Inputs that saturate some neuron: at the maximum (ReLU and signed layers) and at the minimum.
    const { saturated, high, low } = await checkEquivalence(outDir, corners);
    expect(saturated).toBeGreaterThan(SAMPLES / 8);
    expect(high).toBeGreaterThan(0);
    expect(low).toBeGreaterThan(0);
  });
});

describe("narrow unsigned inputs (calibration ≥ 0, --input-bits 5)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir("unsigned");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(`packs 5-bit unsigned inputs and agrees bit for bit on ${SAMPLES} inputs (out-of-range ones clamp)`, async () => {
    const calibration = (await tinyCalibration()).map((x) => x.map(Math.abs));
    const outDir = join(dir, "tiny-u5");
    const manifest = await compileModel(TINY_ONNX, {
      outDir,
      calibration,
      activationBits: 8,
      weightBits: 8,
      inputBits: 5,
      progress: quietProgress(),
    });
    expect(manifest.scales.inputBits).toBe(5);
    expect(manifest.publicSignals.input).toMatchObject({ bitsPerValue: 5, min: 0, valuesPerWord: 50 });
    // Negative values and values past the calibrated maximum exercise the input clamp.
    await checkEquivalence(outDir, randomVectors(SAMPLES, 4, -0.5, 1.5, 5));
  });
});

describe("every supported op (identity layers without rescale, folded biases, Gemm alpha/beta)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir("ops");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(`compiles and agrees bit for bit on ${SAMPLES} inputs`, async () => {
    const onnxPath = join(dir, "ops.onnx");
    await writeFile(onnxPath, allOpsGraph());
    const outDir = join(dir, "ops");
    const manifest = await compileModel(onnxPath, { outDir, inputRange: [-2, 2], progress: quietProgress() });
    expect(manifest.scales.layers.map((l) => l.shift)).toContain(0);
    expect(manifest.calibration).toMatchObject({ source: "random", inputRange: [-2, 2] });
    await checkEquivalence(outDir, randomVectors(SAMPLES, 6, -2.5, 2.5, 4));
  });
});
