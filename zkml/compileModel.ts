import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { WitnessCalculatorBuilder } from "circom_runtime";
import * as ort from "onnxruntime-node";
import { measureAccuracy, randomInputs } from "./compiler/accuracy.ts";
import { emitQuantizedOnnx, QUANTIZED_INPUT } from "./compiler/emitQuantizedOnnx.ts";
import { generateCircuit } from "./compiler/generateCircuit.ts";
import { type FloatNetwork, parseNetwork } from "./compiler/parseNetwork.ts";
import {
  networkLayouts,
  type QuantNetwork,
  quantForward,
  quantizeInput,
  quantizeNetwork,
} from "./compiler/quantize.ts";
import { ZkmlError } from "./errors.ts";
import { ARTIFACT_FILES, MANIFEST_VERSION, type Manifest, ManifestSchema } from "./manifest.ts";
import { readModel } from "./onnx/readModel.ts";
import { type PackLayout, packValues, wordCount } from "./packing.ts";
import { createProgress, type Progress } from "./progress.ts";
import {
  buildBatchVerifier,
  buildSolidityVerifier,
  type CircomOptimization,
  compileCircom,
  flattenWasm,
  groth16Setup,
} from "./setup/buildArtifacts.ts";
import { checkUserPtau, devPtau, type PtauInfo, requiredPower } from "./setup/ptau.ts";
import { witnessInput } from "./witnessInput.ts";

/** Random calibration inputs drawn when none are given. */
const RANDOM_CALIBRATION_SAMPLES = 512;
/** Random inputs for the accuracy report when no calibration set is given. */
const ACCURACY_SAMPLES = 256;
/** Fixed seeds: the same model compiles to the same quantization. */
const CALIBRATION_SEED = 0x0c41;
const ACCURACY_SEED = 0xacc0;
/** O1: O2's substitution blows up wide layers' constraints (see CircomOptimization). */
const DEFAULT_OPTIMIZATION: CircomOptimization = "O1";
/** Inputs checked at compile time against the circuit's witness and the quantized ONNX model. */
const SELF_CHECK_SAMPLES = 8;

/** Options of {@link compileModel}. */
export interface CompileOptions {
  outDir: string;
  /** A prepared ptau file; without it a cached development ptau (insecure) is used. */
  ptau?: string;
  /** Calibration inputs in the float domain (flattened); else random inputs in `inputRange`. */
  calibration?: number[][];
  /** Range of random calibration inputs (default [-1, 1]). */
  inputRange?: [number, number];
  /** Activation bits B of hidden layers (default 16; ReLU layers unsigned, others signed). */
  activationBits?: number;
  /** Input bits (default B); inputs are unsigned when every calibration input is ≥ 0. */
  inputBits?: number;
  /** Signed weight bits (default 12). */
  weightBits?: number;
  /** circom simplification (default O1; see {@link CircomOptimization}). */
  optimization?: CircomOptimization;
  /** Progress reporter (default: terminal lines at a TTY, pino otherwise). */
  progress?: Progress;
}

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

async function loadNetwork(onnxPath: string) {
  const bytes = await readFile(onnxPath).catch((cause) => {
    throw new ZkmlError("BadInput", `cannot read model file ${onnxPath}`, { cause });
  });
  const model = readModel(bytes, basename(onnxPath));
  return { bytes: new Uint8Array(bytes), net: parseNetwork(model), inputElemType: model.inputs[0]!.elemType };
}

function calibrationSet(net: FloatNetwork, opts: CompileOptions) {
  const size = net.layers[0]!.weights[0]!.length;
  if (opts.calibration) {
    opts.calibration.forEach((s, i) => {
      if (!Array.isArray(s) || s.length !== size) {
        throw new ZkmlError(
          "BadCalibration",
          `calibration input ${i} has ${s?.length} values, the model takes ${size}`,
        );
      }
    });
    return { inputs: opts.calibration, source: "given" as const, range: null };
  }
  const range = opts.inputRange ?? [-1, 1];
  return {
    inputs: randomInputs(RANDOM_CALIBRATION_SAMPLES, size, range, CALIBRATION_SEED),
    source: "random" as const,
    range,
  };
}

/** Checks circuit witness == quantized ONNX == JS integer model on a few inputs before publishing. */
async function selfCheck(dir: string, qnet: QuantNetwork, inputs: number[][]): Promise<void> {
  const wc = await WitnessCalculatorBuilder(await readFile(join(dir, ARTIFACT_FILES.wasm)));
  const session = await ort.InferenceSession.create(join(dir, ARTIFACT_FILES.quantizedModel));
  const layouts = networkLayouts(qnet);
  const outWords = wordCount(qnet.outputSize, layouts.output);
  try {
    for (const x of inputs.slice(0, SELF_CHECK_SAMPLES)) {
      const q = quantizeInput(qnet, x);
      const expected = quantForward(qnet, q);
      const witness = await wc.calculateWitness(witnessInput(packValues(q, layouts.input)), true);
      const res = await session.run({
        [QUANTIZED_INPUT]: new ort.Tensor("float64", Float64Array.from(q, Number), [1, q.length]),
      });
      const onnxOut = Array.from(Object.values(res)[0]!.data as Float64Array, (v) => BigInt(v));
      const circuitWords = witness.slice(1, 1 + outWords);
      if (onnxOut.join() !== expected.join() || circuitWords.join() !== packValues(expected, layouts.output).join()) {
        throw new ZkmlError(
          "CircuitCompileFailed",
          "self-check failed: circuit, quantized ONNX and integer model disagree",
          {
            details: `input ${q.join(",")}: expected ${expected.join(",")}, onnx ${onnxOut.join(",")}`,
          },
        );
      }
    }
  } finally {
    await session.release();
  }
}

async function choosePtau(constraints: number, nPublic: number, opts: CompileOptions, progress: Progress) {
  const need = requiredPower(constraints, nPublic);
  if (opts.ptau) return { path: resolve(opts.ptau), info: await checkUserPtau(resolve(opts.ptau), need, progress) };
  return devPtau(need, progress);
}

/** Writes every artifact into `dir` (a fresh temporary directory) and returns the manifest. */
async function buildInto(dir: string, onnxPath: string, opts: CompileOptions, progress: Progress): Promise<Manifest> {
  const { bytes, net, inputElemType } = await loadNetwork(onnxPath);
  const B = opts.activationBits ?? 16;
  const weightBits = opts.weightBits ?? 12;
  const inputBits = opts.inputBits ?? B;
  if (!(B >= 4 && B <= 32) || !(weightBits >= 2 && weightBits <= 24) || !(inputBits >= 1 && inputBits <= 32)) {
    throw new ZkmlError(
      "BadInput",
      `activation bits ${B} must be in [4, 32], weight bits ${weightBits} in [2, 24] and input bits ${inputBits} in [1, 32]`,
    );
  }
  const calibration = calibrationSet(net, opts);
  const qnet = quantizeNetwork(net, calibration.inputs, { activationBits: B, weightBits, inputBits });
  const sample =
    calibration.source === "given"
      ? calibration.inputs
      : randomInputs(ACCURACY_SAMPLES, qnet.inputSize, calibration.range!, ACCURACY_SEED);
  const accuracy = await measureAccuracy(bytes, net, qnet, sample, inputElemType);
  progress.note(
    `float vs quantized over ${accuracy.samples} inputs: max |error| ${accuracy.maxAbsError.toExponential(3)}` +
      (accuracy.argmaxAgreement === null ? "" : `, argmax agreement ${(accuracy.argmaxAgreement * 100).toFixed(1)}%`),
    { accuracy },
  );
  await writeFile(join(dir, ARTIFACT_FILES.circuit), generateCircuit(qnet));
  await writeFile(join(dir, ARTIFACT_FILES.quantizedModel), emitQuantizedOnnx(qnet));
  const optimization = opts.optimization ?? DEFAULT_OPTIMIZATION;
  const info = await compileCircom(dir, optimization, progress);
  await flattenWasm(dir);
  const ptau = await choosePtau(info.constraints, info.nPublic, opts, progress);
  await groth16Setup(dir, ptau.path, progress);
  await buildSolidityVerifier(dir, progress);
  await buildBatchVerifier(dir, progress);
  await selfCheck(dir, qnet, sample);
  return assembleManifest(dir, {
    onnxPath,
    bytes,
    net,
    qnet,
    accuracy,
    calibration,
    ptau: ptau.info,
    constraints: info.constraints,
    weightBits,
    optimization,
    sampleSource: calibration.source === "given" ? "calibration" : "random",
  });
}

interface ManifestParts {
  onnxPath: string;
  bytes: Uint8Array;
  net: FloatNetwork;
  qnet: QuantNetwork;
  accuracy: Manifest["accuracy"] extends infer A ? Omit<A, "source"> : never;
  calibration: { inputs: number[][]; source: "given" | "random"; range: [number, number] | null };
  ptau: PtauInfo;
  constraints: number;
  weightBits: number;
  optimization: CircomOptimization;
  sampleSource: "calibration" | "random";
}

async function assembleManifest(dir: string, p: ManifestParts): Promise<Manifest> {
  const layouts = networkLayouts(p.qnet);
  const inputWords = wordCount(p.qnet.inputSize, layouts.input);
  const outputWords = wordCount(p.qnet.outputSize, layouts.output);
  const section = (values: number, words: number, offset: number, layout: PackLayout) => ({
    values,
    words,
    offset,
    bitsPerValue: layout.bitsPerValue,
    valuesPerWord: layout.valuesPerWord,
    min: Number(layout.min),
  });
  const artifacts: Record<string, string> = {};
  for (const file of Object.values(ARTIFACT_FILES)) artifacts[file] = sha256(await readFile(join(dir, file)));
  const manifest: Manifest = {
    version: MANIFEST_VERSION,
    name: basename(p.onnxPath).replace(/\.onnx$/, ""),
    modelHash: `0x${sha256(p.bytes)}`,
    constraints: p.constraints,
    inputShape: p.net.inputShape,
    outputShape: p.net.outputShape,
    scales: {
      activationBits: p.qnet.activationBits,
      weightBits: p.weightBits,
      inputBits: p.qnet.inputBits,
      inputFractionBits: p.qnet.inputFraction,
      outputFractionBits: p.qnet.outputFraction,
      saturation: "clamp",
      layers: p.qnet.layers.map((l, i) => ({
        inputs: l.weights[0]!.length,
        outputs: l.weights.length,
        relu: l.relu,
        weightFractionBits: l.weightFraction,
        outputFractionBits: l.outputFraction,
        shift: l.shift,
        quotientBits: l.quotientBits,
        outputMin: l.outMin,
        outputMax: l.outMax,
        nodes: p.net.layers[i]!.nodes,
      })),
    },
    publicSignals: {
      inputWords,
      outputWords,
      order: "output++input",
      encoding: "offset-binary (v - min), little-endian within word",
      output: section(p.qnet.outputSize, outputWords, 0, layouts.output),
      input: section(p.qnet.inputSize, inputWords, outputWords, layouts.input),
    },
    accuracy: { ...p.accuracy, source: p.sampleSource },
    calibration: {
      source: p.calibration.source,
      samples: p.calibration.inputs.length,
      inputRange: p.calibration.range,
    },
    ptau: p.ptau,
    files: { ...ARTIFACT_FILES },
    artifacts,
    compiler: { circom: "circom2 (npm, WebAssembly)", snarkjs: "0.7", optimization: `--${p.optimization}` },
    createdAt: new Date().toISOString(),
  };
  return ManifestSchema.parse(manifest);
}

/**
 * Compiles an ONNX model into a provable package in `opts.outDir`: circuit, r1cs, wasm, zkey,
 * verification key, Solidity verifiers (snarkjs' and the batch verifier; source + compiled), quantized ONNX
 * model and manifest.json.
 * Everything is built in a temporary sibling directory and renamed into place at the end, so a
 * failure never leaves a partial package behind.
 *
 * @throws ZkmlError naming what was wrong (model, op, calibration, ptau, toolchain).
 */
export async function compileModel(onnxPath: string, opts: CompileOptions): Promise<Manifest> {
  const progress = opts.progress ?? createProgress();
  const outDir = resolve(opts.outDir);
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const tmp = join(dirname(outDir), `.${basename(outDir)}.tmp-${tag}`);
  await mkdir(tmp, { recursive: true });
  try {
    const manifest = await buildInto(tmp, onnxPath, opts, progress);
    await writeFile(join(tmp, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    const old = join(dirname(outDir), `.${basename(outDir)}.old-${tag}`);
    const existed = await stat(outDir).then(
      () => true,
      () => false,
    );
    if (existed) await rename(outDir, old);
    await rename(tmp, outDir);
    if (existed) await rm(old, { recursive: true, force: true });
    return manifest;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
