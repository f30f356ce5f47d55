import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileModel, loadCompiledModel, type Manifest } from "../../../zkml/index.ts";
import { checkEquivalence, quietProgress, ROOT, randomVectors, tempDir } from "./helpers.ts";

/** Inputs per model: the issue asks for ≥ 200 random inputs. */
const SAMPLES = 200;
const FIXTURES = join(ROOT, "models/fixtures");

interface Meta {
  inputShape: number[];
  inputRange: { min: number; max: number };
}

/** Widths per model: the demo at the compiler's defaults, MNIST at the benchmark's 8/8/4 bits. */
const WIDTHS: Record<string, { activationBits?: number; weightBits?: number; inputBits?: number }> = {
  demo: {},
  mnist: { activationBits: 8, weightBits: 8, inputBits: 4 },
};

/**
 * Slow (minutes: the MNIST-shaped circuit needs a 2^13 development ptau on first run): quantized
 * ONNX == circuit witness for the demo and MNIST-shaped reference models. `npm run test:zkml:slow`.
 */
describe.each(["demo", "mnist"])("reference model %s: quantized ONNX == circuit", (name) => {
  let dir: string;
  let outDir: string;
  let manifest: Manifest;
  let meta: Meta;

  beforeAll(async () => {
    dir = await tempDir(`slow-${name}`);
    outDir = join(dir, name);
    meta = JSON.parse(await readFile(join(FIXTURES, `${name}.meta.json`), "utf8"));
    const calibration = JSON.parse(await readFile(join(FIXTURES, `${name}.calibration.json`), "utf8")).inputs;
    manifest = await compileModel(join(FIXTURES, `${name}.onnx`), {
      outDir,
      calibration,
      ...WIDTHS[name],
      progress: quietProgress(),
    });
  }, 1_800_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(`agrees bit for bit on ${SAMPLES} random inputs and on the held-out samples`, async () => {
    const size = meta.inputShape.reduce((a, b) => a * b, 1);
    const random = randomVectors(SAMPLES, size, meta.inputRange.min, meta.inputRange.max, 42);
    const samples = JSON.parse(await readFile(join(FIXTURES, `${name}.samples.json`), "utf8")).inputs as number[][];
    await checkEquivalence(outDir, [...random, ...samples.slice(0, 50)]);
  }, 1_800_000);

  it("proves one inference; snarkjs verifies it", async () => {
    const model = await loadCompiledModel(outDir, { executionProvider: "cpu" });
    try {
      const samples = JSON.parse(await readFile(join(FIXTURES, `${name}.samples.json`), "utf8")).inputs as number[][];
      const q = model.quantizeInput(samples[0]!);
      const started = performance.now();
      const { proof, publicSignals } = await model.prove(q);
      console.log(`${name}: proof in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const vk = JSON.parse(await readFile(join(outDir, "verification_key.json"), "utf8"));
      expect(await snarkjs.groth16.verify(vk, publicSignals.map(String), proof)).toBe(true);
      expect(publicSignals.slice(0, manifest.publicSignals.outputWords)).toEqual((await model.infer(q)).outputWords);
    } finally {
      await model.close();
    }
  }, 600_000);

  it("keeps the classifier's decisions after quantization", () => {
    console.log(`${name}: ${manifest.constraints} constraints, accuracy`, manifest.accuracy);
    expect(manifest.accuracy.argmaxAgreement).toBeGreaterThan(0.97);
  });
});
