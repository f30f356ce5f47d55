/**
 * Writes the reference models to `models/fixtures/`: `<name>.onnx`, `<name>.calibration.json`
 * (`{"inputs":[[...], ...]}` for `opg model compile --calibration`), `<name>.sample.json`
 * (`{"input":[...]}`, one request input), `<name>.samples.json` (`{"inputs":[...]}`) and `<name>.meta.json` (shape, range, labels, accuracy).
 * Deterministic: running it twice yields identical files.
 *
 * Usage: npm run build:models [-- tiny demo mnist]
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REFERENCE_MODEL_BUILDERS, type ReferenceModel } from "../models/index.ts";

/** Where fixtures go, relative to the repository root. */
export const MODEL_FIXTURE_DIR = join(import.meta.dirname, "..", "models", "fixtures");

type ModelName = keyof typeof REFERENCE_MODEL_BUILDERS;

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value)}\n`);
}

/** Writes one model's fixture files; returns the ONNX sha256. */
export function writeModelFixtures(model: ReferenceModel, dir = MODEL_FIXTURE_DIR): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${model.name}.onnx`), model.onnx);
  writeJson(join(dir, `${model.name}.calibration.json`), { inputs: model.calibrationInputs });
  writeJson(join(dir, `${model.name}.sample.json`), { input: model.sampleInputs[0] });
  writeJson(join(dir, `${model.name}.samples.json`), { inputs: model.sampleInputs });
  const sha256 = createHash("sha256").update(model.onnx).digest("hex");
  writeJson(join(dir, `${model.name}.meta.json`), {
    name: model.name,
    description: model.description,
    onnxSha256: sha256,
    shape: model.shape,
    inputShape: model.inputShape,
    inputRange: model.inputRange,
    labels: model.labels,
    heldOutAccuracy: model.heldOutAccuracy ?? null,
    weightsOrigin: model.weightsOrigin,
  });
  return sha256;
}

function parseNames(argv: string[]): ModelName[] {
  const known = Object.keys(REFERENCE_MODEL_BUILDERS) as ModelName[];
  if (argv.length === 0) return known;
  for (const name of argv) {
    if (!known.includes(name as ModelName)) {
      throw new Error(`unknown model "${name}" (known: ${known.join(", ")})`);
    }
  }
  return argv as ModelName[];
}

function main(): void {
  for (const name of parseNames(process.argv.slice(2))) {
    const started = performance.now();
    const model = REFERENCE_MODEL_BUILDERS[name]();
    const sha256 = writeModelFixtures(model);
    const accuracy = model.heldOutAccuracy
      ? `, held-out accuracy ${(model.heldOutAccuracy.accuracy * 100).toFixed(2)}% (${model.heldOutAccuracy.samples})`
      : "";
    const ms = (performance.now() - started).toFixed(0);
    console.log(
      `${name}: [${model.shape.join(", ")}] ${model.onnx.length} bytes sha256 ${sha256}${accuracy} (${ms} ms)`,
    );
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  try {
    main();
  } catch (error) {
    console.error(`build-models: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
