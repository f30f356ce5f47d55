import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import * as ort from "onnxruntime-node";
import type { Hex } from "viem";
import {
  parseTeeManifest,
  type TeeManifest,
  type TensorSpec,
  type TensorValues,
  teeManifestHash,
  tensorSize,
} from "../../sdk/index.ts";
import { createOnnxSession, type ExecutionProvider } from "../../zkml/index.ts";
import { RelayerError } from "../common/errors.ts";

/** A TEE model's manifest and ONNX session, ready to run on decoded inputs. */
export type TeeModel = {
  readonly manifest: TeeManifest;
  readonly manifestPath: string;
  /** keccak256 of the manifest file: what the model registered as `manifestHash`. */
  readonly manifestHash: Hex;
  readonly onnxPath: string;
  readonly executionProvider: "cuda" | "cpu";
  /** Runs the model on its inputs (manifest order); returns its outputs (manifest order; see `encodeResultTensors`). */
  infer(inputs: readonly TensorValues[]): Promise<TensorValues[]>;
  close(): Promise<void>;
};

/** Finds an installed npm package's directory from `fromDir` upwards (its `exports` may hide package.json). */
function packageDir(name: string, fromDir: string): string | undefined {
  for (let dir = resolve(fromDir); ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The ONNX file a manifest names: next to it, or inside the installed npm package of the exact version. */
async function onnxPathOf(manifest: TeeManifest, manifestPath: string): Promise<string> {
  const base = dirname(manifestPath);
  const { file, package: pkg } = manifest.onnx;
  if (file !== undefined) return resolve(base, file);
  const dir = packageDir(pkg!.name, base);
  if (!dir) throw new RelayerError(`${manifestPath}: npm package ${pkg!.name} is not installed`);
  const { version } = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as { version: string };
  if (version !== pkg!.version) {
    throw new RelayerError(
      `${manifestPath}: npm package ${pkg!.name} is ${version}, the manifest pins ${pkg!.version}`,
    );
  }
  return join(dir, pkg!.path);
}

const ORT_TYPES: Readonly<Record<TensorSpec["dtype"], string>> = { float32: "float32", int64: "int64" };

/** Refuses a manifest whose tensors are not the graph's: names, element types and fixed dimensions. */
function checkGraph(session: ort.InferenceSession, manifest: TeeManifest, onnxPath: string): void {
  const problems: string[] = [];
  const sides = [
    ["input", manifest.inputs, session.inputNames, session.inputMetadata],
    ["output", manifest.outputs, session.outputNames, session.outputMetadata],
  ] as const;
  for (const [side, specs, names, metadata] of sides) {
    for (const spec of specs) {
      const index = names.indexOf(spec.name);
      const meta = metadata[index];
      if (index < 0 || !meta?.isTensor) {
        problems.push(`the graph has no ${side} tensor "${spec.name}" (it has ${names.join(", ")})`);
        continue;
      }
      if (meta.type !== ORT_TYPES[spec.dtype])
        problems.push(`${spec.name} is ${meta.type}, the manifest says ${spec.dtype}`);
      const fixedDiffers =
        meta.shape.length !== spec.shape.length ||
        meta.shape.some((d, i) => typeof d === "number" && d !== spec.shape[i]);
      if (fixedDiffers) problems.push(`${spec.name} has shape [${meta.shape}], the manifest pins [${spec.shape}]`);
    }
  }
  if (problems.length > 0) {
    throw new RelayerError(`the TEE manifest does not describe ${onnxPath}`, { details: problems.join("; ") });
  }
}

/**
 * Opens a TEE model: parses and checks the manifest, checks the ONNX file's sha256 against it, creates the
 * onnxruntime session on the execution provider `executionProvider` picks (a named error when CUDA is asked
 * for and missing), and checks the graph's tensors against the manifest.
 */
export async function loadTeeModel(
  manifestPath: string,
  opts: { executionProvider: ExecutionProvider },
): Promise<TeeModel> {
  const path = resolve(manifestPath);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new RelayerError(`cannot read TEE manifest ${path}`, { cause });
  }
  const manifest = parseTeeManifest(JSON.parse(new TextDecoder().decode(bytes)));
  const onnxPath = await onnxPathOf(manifest, path);
  const onnx = await readFile(onnxPath).catch((cause) => {
    throw new RelayerError(`cannot read the TEE model's ONNX file ${onnxPath}`, { cause });
  });
  const sha256 = createHash("sha256").update(onnx).digest("hex");
  if (sha256 !== manifest.onnx.sha256) {
    throw new RelayerError(`${onnxPath} is not the manifest's model`, {
      details: `sha256 ${sha256}, the manifest pins ${manifest.onnx.sha256}`,
    });
  }
  const { session, ep } = await createOnnxSession(onnxPath, opts.executionProvider);
  checkGraph(session, manifest, onnxPath);

  return {
    manifest,
    manifestPath: path,
    manifestHash: teeManifestHash(bytes),
    onnxPath,
    executionProvider: ep,
    async infer(inputs) {
      if (inputs.length !== manifest.inputs.length) {
        throw new RelayerError(`the model takes ${manifest.inputs.length} input tensors, got ${inputs.length}`);
      }
      const feeds: Record<string, ort.Tensor> = {};
      for (const [i, spec] of manifest.inputs.entries()) {
        feeds[spec.name] = new ort.Tensor(spec.dtype, inputs[i]!, spec.shape);
      }
      const results = await session.run(feeds);
      return manifest.outputs.map((spec) => {
        const data = results[spec.name]?.data;
        if (!(data instanceof Float32Array || data instanceof BigInt64Array) || data.length !== tensorSize(spec)) {
          throw new RelayerError(`the model's output ${spec.name} does not have the manifest's dtype and shape`);
        }
        return data;
      });
    },
    close: () => session.release(),
  };
}
