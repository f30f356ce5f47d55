/**
 * Model-compiler benchmark: the 784-56-10 MNIST-shaped MLP compiled by the model compiler (weights
 * baked in as constants) against the baseline circuit (weights as private signals, every multiply a
 * constraint; bench/zkml/), side by side in one run: constraints, setup time, median proving
 * time, prover peak memory (VmHWM of a dedicated prover process), and accuracy loss of the quantized
 * model against the float model on synthetic held-out digits.
 *
 * Usage: npm run bench:zkml -- [--ptau <prepared 2^16 ptau>] [--proofs 5] [--samples 1000]
 *        [--out build/bench-zkml] [--fresh] [--skip-compiler] [--skip-baseline] [--sweep] [--sweep-constraints]
 *        [--activation-bits 16] [--weight-bits 12] [--input-bits <activation bits>] [--skip-o1-variant]
 * Not part of `npm test`: it takes minutes (Groth16 setups, proofs) and a 2^16 ptau.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import * as ort from "onnxruntime-node";
import { MNIST_EVAL_SEED, syntheticDigits } from "../../models/index.ts";
import {
  argmax,
  compileModel,
  loadCompiledModel,
  type Manifest,
  parseNetwork,
  type QuantNetwork,
  quantizeInput,
  quantizeNetwork,
  readModel,
  releaseProverThreads,
  witnessInput,
} from "../../zkml/index.ts";
import { type BenchSide, benchTable, summarizeProofs, targetLine } from "./benchReport.ts";
import {
  baselineForward,
  baselineWitnessInput,
  buildBaseline,
  buildO1Variant,
  constraintSweep,
  countR1csTerms,
  quantizationSweep,
} from "./index.ts";
import { type ProveJob, type ProveResult, proveInWorker } from "./proveInWorker.ts";
import { baselineVerifierBytes, compiledVerifierCosts, EIP170_LIMIT } from "./verifierCosts.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
const MODEL = join(ROOT, "models/fixtures/mnist.onnx");
const CALIBRATION = join(ROOT, "models/fixtures/mnist.calibration.json");

interface Options {
  ptau: string;
  proofs: number;
  samples: number;
  out: string;
  fresh: boolean;
  skipCompiler: boolean;
  skipBaseline: boolean;
  sweep: boolean;
  sweepConstraints: boolean;
}

/** Quantization of the benchmark (the compiler's defaults unless `--activation-bits/--weight-bits`). */
let activationBits = 16;
let weightBits = 12;
let inputBits = 16;
/** The compiler compiles with --O1 by default, so the separate --O1 recompilation can be skipped. */
let skipO1Variant = false;

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      ptau: { type: "string", default: join(ROOT, ".opg/cache/ptau/dev_pot16_final.ptau") },
      proofs: { type: "string", default: "5" },
      samples: { type: "string", default: "1000" },
      out: { type: "string", default: join(ROOT, "build/bench-zkml") },
      fresh: { type: "boolean", default: false },
      "skip-compiler": { type: "boolean", default: false },
      "skip-baseline": { type: "boolean", default: false },
      sweep: { type: "boolean", default: false },
      "sweep-constraints": { type: "boolean", default: false },
      "activation-bits": { type: "string", default: "16" },
      "weight-bits": { type: "string", default: "12" },
      "input-bits": { type: "string" },
      "skip-o1-variant": { type: "boolean", default: false },
    },
  });
  activationBits = Number(values["activation-bits"]);
  weightBits = Number(values["weight-bits"]);
  inputBits = Number(values["input-bits"] ?? activationBits);
  skipO1Variant = values["skip-o1-variant"]!;
  const proofs = Number(values.proofs);
  const samples = Number(values.samples);
  if (!Number.isInteger(proofs) || proofs < 1)
    throw new Error(`--proofs must be a positive integer, got ${values.proofs}`);
  if (!Number.isInteger(samples) || samples < 1)
    throw new Error(`--samples must be a positive integer, got ${values.samples}`);
  const ptau = resolve(values.ptau!);
  if (!values["skip-baseline"] && !existsSync(ptau)) {
    throw new Error(`ptau ${ptau} not found: the baseline needs a prepared 2^16 ptau (pass --ptau)`);
  }
  return {
    ptau,
    proofs,
    samples,
    out: resolve(values.out!),
    fresh: values.fresh!,
    skipCompiler: values["skip-compiler"]!,
    skipBaseline: values["skip-baseline"]!,
    sweep: values.sweep!,
    sweepConstraints: values["sweep-constraints"]!,
  };
}

/** Proves a job in a prover process of its own (own VmHWM), keeping the job beside the results. */
async function proveInChild(job: ProveJob, dir: string, name: string): Promise<ProveResult> {
  writeFileSync(join(dir, `${name}.prove-job.json`), JSON.stringify(job));
  return proveInWorker(job);
}

/** Witness inputs of the compiled model's circuit (any optimisation level) for the first `count` inputs. */
async function compiledWitnessInputs(modelDir: string, quantized: bigint[][], count: number) {
  const model = await loadCompiledModel(modelDir, { executionProvider: "cpu" });
  try {
    return quantized.slice(0, count).map((q) => witnessInput(model.packInput(q)));
  } finally {
    await model.close();
  }
}

/**
 * Float vs quantized on the evaluation digits: argmax disagreement and max |error| (float units).
 * Quantized outputs come from the integer model both circuits prove (the compiler's quantization).
 */
async function measureAccuracy(qnet: QuantNetwork, inputs: number[][], quantized: bigint[][]) {
  const float = await ort.InferenceSession.create(MODEL);
  let disagree = 0;
  let maxAbsError = 0;
  const outputs: bigint[][] = [];
  try {
    for (const [k, x] of inputs.entries()) {
      const feeds = { [float.inputNames[0]!]: new ort.Tensor("float32", Float32Array.from(x), [1, x.length]) };
      const f = Array.from((await float.run(feeds))[float.outputNames[0]!]!.data as Float32Array);
      const out = baselineForward(qnet, quantized[k]!);
      outputs.push(out);
      const q = out.map((v) => Number(v) / 2 ** qnet.outputFraction);
      if (argmax(f) !== argmax(q)) disagree++;
      f.forEach((v, j) => {
        maxAbsError = Math.max(maxAbsError, Math.abs(v - q[j]!));
      });
    }
  } finally {
    await float.release();
  }
  return { disagreement: disagree / inputs.length, maxAbsError, samples: inputs.length, outputs };
}

/** Checks that the compiled model (quantized ONNX in onnxruntime) gives exactly the same integers. */
async function checkCompiledOutputs(modelDir: string, inputs: number[][], quantized: bigint[][], expected: bigint[][]) {
  const model = await loadCompiledModel(modelDir, { executionProvider: "cpu" });
  try {
    for (const [k, x] of inputs.entries()) {
      const q = model.quantizeInput(x);
      if (q.join() !== quantized[k]!.join()) throw new Error(`input quantization differs on evaluation input ${k}`);
      const { output } = await model.infer(q);
      if (output.join() !== expected[k]!.join())
        throw new Error(`compiled model and integer reference differ on input ${k}`);
    }
  } finally {
    await model.close();
  }
}

const floatNetwork = () => parseNetwork(readModel(new Uint8Array(readFileSync(MODEL)), "mnist.onnx"));

/** The compiler's quantization of the benchmark model (same calibration, same bit widths). */
function compilerQuantization(calibration: number[][]): QuantNetwork {
  const net = floatNetwork();
  return quantizeNetwork(net, calibration, { activationBits, weightBits, inputBits });
}

type Side = BenchSide;

async function benchCompiler(opts: Options, calibration: number[][], quantized: bigint[][]) {
  const dir = join(opts.out, "compiled");
  let manifest: Manifest;
  let setupSeconds: number | undefined;
  if (!opts.fresh && existsSync(join(dir, "manifest.json"))) {
    manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
    const timing = join(opts.out, "compiled.timing.json");
    if (existsSync(timing)) setupSeconds = JSON.parse(readFileSync(timing, "utf8")).seconds;
  } else {
    const started = performance.now();
    manifest = await compileModel(MODEL, {
      outDir: dir,
      calibration,
      activationBits,
      weightBits,
      inputBits,
    });
    setupSeconds = (performance.now() - started) / 1000;
    writeFileSync(
      join(opts.out, "compiled.timing.json"),
      JSON.stringify({ seconds: setupSeconds, ptau: manifest.ptau }),
    );
  }
  console.log(`compiler: ${manifest.constraints} constraints (ptau ${manifest.ptau.file})`);
  console.log(`compiler: proving ${opts.proofs}× in a child process`);
  const job: ProveJob = {
    wasm: join(dir, manifest.files.wasm),
    zkey: join(dir, manifest.files.zkey),
    vkey: join(dir, manifest.files.verificationKey),
    witnessInputs: await compiledWitnessInputs(dir, quantized, opts.proofs),
  };
  const prove = await proveInChild(job, opts.out, "compiled");
  const side: Side = {
    constraints: manifest.constraints,
    terms: (await countR1csTerms(join(dir, manifest.files.r1cs))).terms,
    setupSeconds,
    setupNote: "compileModel total: quantize, circom, ptau check, Groth16 setup, solc verifier",
    prove: summarizeProofs(prove, loadavg()[0]!),
  };
  return { side, dir };
}

async function benchBaseline(opts: Options, qnet: QuantNetwork, quantizedInputs: bigint[][]) {
  const build = await buildBaseline(qnet, join(opts.out, "baseline"), {
    ptau: opts.ptau,
    fresh: opts.fresh,
    log: (line) => console.log(line),
  });
  console.log(
    `baseline: ${build.constraints} constraints${build.cached ? " (cached build)" : ""}; proving ${opts.proofs}×`,
  );
  const witnessInputs = quantizedInputs.slice(0, opts.proofs).map((q) => baselineWitnessInput(qnet, q));
  const prove = await proveInChild(
    { wasm: build.wasmPath, zkey: build.zkeyPath, vkey: build.vkeyPath, witnessInputs },
    opts.out,
    "baseline",
  );
  const side: Side = {
    constraints: build.constraints,
    terms: (await countR1csTerms(build.r1csPath)).terms,
    setupSeconds: build.circom.seconds + build.setup.seconds,
    setupNote: `circom2 ${build.circom.seconds.toFixed(1)} s (peak ${build.circom.peakRssMiB?.toFixed(0) ?? "?"} MiB) + Groth16 setup ${build.setup.seconds.toFixed(1)} s`,
    prove: summarizeProofs(prove, loadavg()[0]!),
    publicSignals: quantizedInputs[0]!.length + qnet.outputSize,
    verifierBytes: await baselineVerifierBytes(build.zkeyPath, opts.out),
  };
  const fits = side.verifierBytes! <= EIP170_LIMIT;
  console.log(
    `baseline: verifier ${side.verifierBytes} bytes (${fits ? "deployable" : `over the EIP-170 limit of ${EIP170_LIMIT}: not deployable`}), ${side.publicSignals} public signals`,
  );
  return side;
}

/** The compiler's emitted circuit recompiled with circom --O1: same constraints system minus substitution. */
async function benchO1Variant(opts: Options, compiledDir: string, quantized: bigint[][]): Promise<Side> {
  const variant = await buildO1Variant(
    join(compiledDir, "circuit.circom"),
    join(opts.out, "compiled-o1"),
    opts.ptau,
    opts.fresh,
  );
  console.log(`compiler circuit at --O1: ${variant.constraints} constraints; proving ${opts.proofs}×`);
  const job: ProveJob = {
    wasm: variant.wasmPath,
    zkey: variant.zkeyPath,
    vkey: variant.vkeyPath,
    witnessInputs: await compiledWitnessInputs(compiledDir, quantized, opts.proofs),
  };
  const prove = await proveInChild(job, opts.out, "compiled-o1");
  return {
    constraints: variant.constraints,
    terms: variant.terms,
    setupSeconds: variant.circomSeconds + variant.setupSeconds,
    setupNote: `circom2 --O1 ${variant.circomSeconds.toFixed(1)} s + Groth16 setup ${variant.setupSeconds.toFixed(1)} s`,
    prove: summarizeProofs(prove, loadavg()[0]!),
  };
}

async function main(): Promise<void> {
  const opts = parseOptions();
  mkdirSync(opts.out, { recursive: true });
  console.log(
    `bench:zkml on ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString()}`,
  );
  const calibration = (JSON.parse(readFileSync(CALIBRATION, "utf8")) as { inputs: number[][] }).inputs;
  const evalInputs = syntheticDigits(opts.samples, MNIST_EVAL_SEED).inputs;
  const qnet = compilerQuantization(calibration);
  const quantized = evalInputs.map((x) => quantizeInput(qnet, x));
  const accuracy = await measureAccuracy(qnet, evalInputs, quantized);
  if (opts.sweep) {
    for (const p of quantizationSweep(floatNetwork(), calibration, evalInputs)) {
      const pct = (p.disagreement * 100).toFixed(1);
      console.log(
        `sweep ${p.activationBits}/${p.weightBits}/${p.inputBits} bits (activation/weight/input): disagreement ${pct}%, max |error| ${p.maxAbsError.toFixed(3)}`,
      );
    }
  }
  if (opts.sweepConstraints) {
    // circom only (no setup): both circuits' constraint counts at every sweep width.
    await constraintSweep(floatNetwork(), calibration, join(opts.out, "constraint-sweep"), (l) => console.log(l));
  }
  let compiled: Side = {};
  let compiledO1: Side = {};
  if (!opts.skipCompiler) {
    const result = await benchCompiler(opts, calibration, quantized);
    compiled = { ...result.side, ...(await compiledVerifierCosts(result.dir, quantized[0]!)) };
    console.log(
      `compiler: verifier ${compiled.verifierBytes} bytes, verifyProof ${compiled.verifyGas} gas with ${compiled.publicSignals} public signals`,
    );
    if (!skipO1Variant) compiledO1 = await benchO1Variant(opts, result.dir, quantized);
    // Same function: the compiled model's integer outputs equal the reference both circuits prove.
    await checkCompiledOutputs(result.dir, evalInputs, quantized, accuracy.outputs);
    console.log(`compiled model = integer reference on all ${evalInputs.length} evaluation inputs`);
  }
  const baseline = opts.skipBaseline ? {} : await benchBaseline(opts, qnet, quantized);
  const columns = [
    { title: `compiler (constant weights, ${activationBits}/${weightBits}/${inputBits}-bit)`, side: compiled },
    ...(skipO1Variant ? [] : [{ title: "same circuit recompiled at --O1", side: compiledO1 }]),
  ];
  console.log(`\n${benchTable(columns, baseline)}\n`);
  for (const [name, side] of [...columns.map((c) => [c.title, c.side] as const), ["baseline", baseline] as const]) {
    const p = side.prove;
    console.log(
      `${name}: setup = ${side.setupNote ?? "—"}; proofs verified ${p?.verified ?? "—"}, load avg ${p?.loadAverage.toFixed(2) ?? "—"}`,
    );
  }
  console.log(
    `accuracy loss (quantized vs float, ${accuracy.samples} synthetic digits, same integers in every circuit): ` +
      `argmax disagreement ${(accuracy.disagreement * 100).toFixed(2)}%, max |error| ${accuracy.maxAbsError.toFixed(4)}`,
  );
  console.log(targetLine(compiled, baseline, accuracy.disagreement));
  const { outputs: _outputs, ...accuracySummary } = accuracy;
  const results = {
    date: new Date().toISOString(),
    cores: cpus().length,
    compiled,
    compiledO1,
    baseline,
    accuracy: accuracySummary,
  };
  writeFileSync(join(opts.out, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  await releaseProverThreads();
}

main().catch((error) => {
  console.error(`bench:zkml: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
