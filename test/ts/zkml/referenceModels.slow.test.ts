import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileModel, type Manifest } from "../../../zkml/index.ts";
import { checkEquivalence, quietProgress, ROOT, randomVectors, tempDir } from "./helpers.ts";

/** Inputs per model: the issue asks for ≥ 200 random inputs. */
const SAMPLES = 200;
const FIXTURES = join(ROOT, "zkml/fixtures/models");

interface Meta {
  inputShape: number[];
  inputRange: { min: number; max: number };
}

/**
 * Slow (minutes: the MNIST-shaped circuit needs a 2^14 development ptau on first run): quantized
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
    manifest = await compileModel(join(FIXTURES, `${name}.onnx`), { outDir, calibration, progress: quietProgress() });
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

  it("keeps the classifier's decisions after quantization", () => {
    console.log(`${name}: ${manifest.constraints} constraints, accuracy`, manifest.accuracy);
    expect(manifest.accuracy.argmaxAgreement).toBeGreaterThan(0.97);
  });
});
