import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import * as ort from "onnxruntime-node";
import * as snarkjs from "snarkjs";
import { QUANTIZED_INPUT } from "./compiler/emitQuantizedOnnx.ts";
import { quantizeValues } from "./compiler/quantize.ts";
import { ZkmlError } from "./errors.ts";
import { MANIFEST_VERSION, type Manifest, ManifestSchema } from "./manifest.ts";
import { packLayout, packValues, unpackValues } from "./packing.ts";
import { encodeProof, type Groth16Proof } from "./proofEncoding.ts";
import { witnessInput } from "./witnessInput.ts";

/** Where quantized inference runs. `auto` tries CUDA, then CPU. */
export type ExecutionProvider = "auto" | "cuda" | "cpu";

/** A compiled model ready for inference and proving. */
export interface CompiledModel {
  manifest: Manifest;
  dir: string;
  /** The execution provider the session was created with. */
  executionProvider: "cuda" | "cpu";
  /** Float input (flattened, model domain) → integer input; rejects a wrong length or non-finite value. */
  quantizeInput(floats: number[]): bigint[];
  /** Integer input → input words (what a dApp puts in its request). */
  packInput(quantized: bigint[]): bigint[];
  /** Input words → integer input; rejects a wrong count, a word ≥ the field or stray high bits. */
  unpackInput(words: bigint[]): bigint[];
  /** Runs the quantized ONNX model; equal to the circuit's output bit for bit. */
  infer(quantizedInput: bigint[]): Promise<{ output: bigint[]; outputWords: bigint[]; outputFloat: number[] }>;
  /** Groth16 proof of the inference; `publicSignals` = output words ++ input words. */
  prove(quantizedInput: bigint[]): Promise<{ proof: Groth16Proof; publicSignals: bigint[]; proofBytes: `0x${string}` }>;
  close(): Promise<void>;
}

async function readManifest(dir: string): Promise<Manifest> {
  const text = await readFile(join(dir, "manifest.json"), "utf8").catch((cause) => {
    throw new ZkmlError("CompiledModelInvalid", `${dir} has no manifest.json (not a compiled model)`, { cause });
  });
  const json = JSON.parse(text);
  if (json?.version !== MANIFEST_VERSION) {
    throw new ZkmlError(
      "CompiledModelInvalid",
      `${dir}/manifest.json has format version ${json?.version}, this compiler reads ${MANIFEST_VERSION}: recompile the model`,
    );
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new ZkmlError("CompiledModelInvalid", `${dir}/manifest.json is invalid`, { details: parsed.error.message });
  }
  return parsed.data;
}

async function verifyArtifacts(dir: string, manifest: Manifest): Promise<void> {
  for (const [file, expected] of Object.entries(manifest.artifacts)) {
    const data = await readFile(join(dir, file)).catch((cause) => {
      throw new ZkmlError("CompiledModelInvalid", `artifact ${file} is missing from ${dir}`, { cause });
    });
    const actual = createHash("sha256").update(data).digest("hex");
    if (actual !== expected)
      throw new ZkmlError("CompiledModelInvalid", `artifact ${file} does not match its sha256 in the manifest`);
  }
}

/** onnxruntime-node's CUDA provider library; absent from CPU-only installs (the default here). */
const CUDA_PROVIDER_LIB = join(
  dirname(createRequire(import.meta.url).resolve("onnxruntime-node")),
  "..",
  "bin",
  "napi-v6",
  process.platform,
  process.arch,
  "libonnxruntime_providers_cuda.so",
);

/**
 * An onnxruntime session on the execution provider `ep` picks: `cuda` or a named error when CUDA is
 * unavailable, `cpu`, or `auto` (CUDA when its provider library is installed and loads, else CPU).
 * Also serves models that are not compiled packages (TEE models).
 */
export async function createSession(path: string, ep: ExecutionProvider) {
  // `auto` on a CPU-only install goes straight to CPU instead of letting onnxruntime log a load failure.
  if (ep === "cuda" || (ep === "auto" && existsSync(CUDA_PROVIDER_LIB))) {
    try {
      return {
        session: await ort.InferenceSession.create(path, { executionProviders: ["cuda"] }),
        ep: "cuda" as const,
      };
    } catch (cause) {
      if (ep === "cuda") {
        throw new ZkmlError("BadInput", "the CUDA execution provider is unavailable on this host", {
          details:
            "Install onnxruntime-node with its CUDA binaries (ONNXRUNTIME_NODE_INSTALL=cuda12) or use executionProvider cpu.",
          cause,
        });
      }
    }
  }
  return { session: await ort.InferenceSession.create(path, { executionProviders: ["cpu"] }), ep: "cpu" as const };
}

/**
 * Opens a compiled model directory: parses manifest.json, checks every artifact's sha256, and
 * creates the onnxruntime session for the quantized model.
 *
 * @throws ZkmlError `CompiledModelInvalid` for a missing/altered package.
 */
export async function loadCompiledModel(
  dir: string,
  opts: { executionProvider?: ExecutionProvider } = {},
): Promise<CompiledModel> {
  const root = resolve(dir);
  const manifest = await readManifest(root);
  await verifyArtifacts(root, manifest);
  const { session, ep } = await createSession(
    join(root, manifest.files.quantizedModel),
    opts.executionProvider ?? "auto",
  );
  const { scales, publicSignals: ps } = manifest;
  const inputLayout = packLayout(ps.input.bitsPerValue, BigInt(ps.input.min));
  const outputLayout = packLayout(ps.output.bitsPerValue, BigInt(ps.output.min));
  const inputMin = ps.input.min;
  const inputMax = ps.input.min + 2 ** ps.input.bitsPerValue - 1;

  function checkQuantized(q: bigint[]): void {
    if (!Array.isArray(q) || q.length !== ps.input.values) {
      throw new ZkmlError("BadInput", `the model takes ${ps.input.values} input values, got ${q?.length}`);
    }
    q.forEach((v, i) => {
      if (typeof v !== "bigint" || v < inputMin || v > inputMax)
        throw new ZkmlError("BadInput", `quantized input ${i} = ${v} is outside [${inputMin}, ${inputMax}]`);
    });
  }

  const model: CompiledModel = {
    manifest,
    dir: root,
    executionProvider: ep,
    quantizeInput(floats) {
      if (!Array.isArray(floats) || floats.length !== ps.input.values) {
        throw new ZkmlError(
          "BadInput",
          `the model takes ${ps.input.values} input values (shape [${manifest.inputShape}]), got ${Array.isArray(floats) ? floats.length : typeof floats}`,
        );
      }
      floats.forEach((v, i) => {
        if (typeof v !== "number" || !Number.isFinite(v))
          throw new ZkmlError("BadInput", `input ${i} is not a finite number: ${v}`);
      });
      return quantizeValues(floats, scales.inputFractionBits, inputMin, inputMax);
    },
    packInput(q) {
      checkQuantized(q);
      return packValues(q, inputLayout);
    },
    unpackInput(words) {
      return unpackValues(words, ps.input.values, inputLayout);
    },
    async infer(q) {
      checkQuantized(q);
      const feeds = { [QUANTIZED_INPUT]: new ort.Tensor("float64", Float64Array.from(q, Number), [1, q.length]) };
      const result = await session.run(feeds);
      const output = Array.from(Object.values(result)[0]!.data as Float64Array, (v) => BigInt(v));
      const outputFloat = output.map((v) => Number(v) / 2 ** scales.outputFractionBits);
      return { output, outputWords: packValues(output, outputLayout), outputFloat };
    },
    async prove(q) {
      checkQuantized(q);
      const { proof, publicSignals } = await snarkjs.groth16
        .fullProve(
          witnessInput(packValues(q, inputLayout)),
          join(root, manifest.files.wasm),
          join(root, manifest.files.zkey),
        )
        .catch((cause: unknown) => {
          throw new ZkmlError("ProofFailed", "snarkjs failed to prove the inference", { cause });
        });
      return { proof, publicSignals: publicSignals.map((s) => BigInt(s)), proofBytes: encodeProof(proof) };
    },
    async close() {
      await session.release();
    },
  };
  return model;
}
