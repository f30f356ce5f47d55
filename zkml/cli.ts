import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { compileModel } from "./compileModel.ts";
import { ZkmlError } from "./errors.ts";
import { loadCompiledModel } from "./loadCompiledModel.ts";
import { releaseProverThreads } from "./releaseProverThreads.ts";

const InputFileSchema = z.object({ input: z.array(z.number().finite()).min(1) });
const CalibrationFileSchema = z.union([
  z.object({ inputs: z.array(z.array(z.number().finite()).min(1)).min(1) }),
  z.array(z.array(z.number().finite()).min(1)).min(1),
]);

async function readJson(path: string, what: string): Promise<unknown> {
  const text = await readFile(path, "utf8").catch((cause) => {
    throw new ZkmlError("BadInput", `cannot read ${what} ${path}`, { cause });
  });
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ZkmlError("BadInput", `${what} ${path} is not valid JSON`, { cause });
  }
}

async function readInputFile(path: string): Promise<number[]> {
  const parsed = InputFileSchema.safeParse(await readJson(path, "input file"));
  if (!parsed.success) {
    throw new ZkmlError("BadInput", `input file ${path} must be {"input": [numbers…]}`, {
      details: parsed.error.message,
    });
  }
  return parsed.data.input;
}

async function readCalibration(path: string): Promise<number[][]> {
  const parsed = CalibrationFileSchema.safeParse(await readJson(path, "calibration file"));
  if (!parsed.success) {
    throw new ZkmlError("BadCalibration", `calibration file ${path} must be {"inputs": [[numbers…]…]}`, {
      details: parsed.error.message,
    });
  }
  return Array.isArray(parsed.data) ? parsed.data : parsed.data.inputs;
}

function parseRange(text: string): [number, number] {
  const parts = text.split(",").map(Number);
  if (parts.length !== 2 || parts.some((p) => !Number.isFinite(p)) || parts[0]! >= parts[1]!) {
    throw new ZkmlError("BadInput", `--input-range must be "min,max" with min < max, got "${text}"`);
  }
  return [parts[0]!, parts[1]!];
}

function parseOptimization(text: string): "O1" | "O2" {
  if (text !== "O1" && text !== "O2") throw new ZkmlError("BadInput", `--optimization must be O1 or O2, got "${text}"`);
  return text;
}

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x), 2);

/** Runs a command body and always releases snarkjs' worker threads so the process can exit. */
async function withProver<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } finally {
    await releaseProverThreads();
  }
}

/** Adds `opg model compile | infer | prove`. */
export function registerModelCommands(program: Command): void {
  const model = program.command("model").description("compile ONNX models into provable circuits; infer; prove");

  model
    .command("compile")
    .description("compile an ONNX model into a quantized model, circuit, Groth16 keys, verifier and manifest")
    .argument("<model>", "ONNX model file")
    .requiredOption("--out <dir>", "output directory (replaced atomically)")
    .option("--ptau <file>", "prepared powers-of-tau file (default: cached development ptau, insecure)")
    .option("--calibration <file>", 'calibration inputs JSON: {"inputs": [[…], …]}')
    .option("--input-range <min,max>", "range of random calibration inputs when none are given", "-1,1")
    .option("--bits <n>", "activation bits of hidden layers (ReLU layers unsigned)", "16")
    .option("--input-bits <n>", "input bits (default: --bits; unsigned when calibration inputs are ≥ 0)")
    .option("--weight-bits <n>", "signed weight bits", "12")
    .option("--optimization <level>", "circom simplification: O1 or O2", "O1")
    .action(async (modelPath: string, o: Record<string, string>) => {
      const calibration = o.calibration ? await readCalibration(o.calibration) : undefined;
      const manifest = await withProver(() =>
        compileModel(modelPath, {
          outDir: o.out!,
          ptau: o.ptau,
          calibration,
          inputRange: parseRange(o.inputRange!),
          activationBits: Number(o.bits),
          ...(o.inputBits === undefined ? {} : { inputBits: Number(o.inputBits) }),
          weightBits: Number(o.weightBits),
          optimization: parseOptimization(o.optimization!),
        }),
      );
      const { accuracy, publicSignals: ps } = manifest;
      console.log(
        `compiled ${manifest.name}: ${manifest.constraints} constraints, ptau 2^${manifest.ptau.power}${manifest.ptau.insecure ? " (INSECURE, development only)" : ""}\n` +
          `public signals: ${ps.outputWords} output word(s) ++ ${ps.inputWords} input word(s)\n` +
          `accuracy over ${accuracy.samples} ${accuracy.source} inputs: max |error| ${accuracy.maxAbsError.toExponential(3)}` +
          (accuracy.argmaxAgreement === null
            ? ""
            : `, argmax agreement ${(accuracy.argmaxAgreement * 100).toFixed(1)}%`) +
          `\nartifacts in ${o.out}`,
      );
    });

  model
    .command("infer")
    .description("run the quantized model on a float input")
    .argument("<dir>", "compiled model directory")
    .requiredOption("--input <file>", 'input JSON: {"input": [numbers…]}')
    .option("--execution-provider <ep>", "onnxruntime execution provider: cpu, cuda or auto", "cpu")
    .action(async (dir: string, o: { input: string; executionProvider: string }) => {
      const ep = o.executionProvider;
      if (ep !== "cpu" && ep !== "cuda" && ep !== "auto") {
        throw new ZkmlError("BadInput", `--execution-provider must be cpu, cuda or auto, got "${ep}"`);
      }
      const input = await readInputFile(o.input);
      const compiled = await loadCompiledModel(dir, { executionProvider: ep });
      try {
        const q = compiled.quantizeInput(input);
        const r = await compiled.infer(q);
        console.log(
          json({
            output: r.outputFloat,
            quantizedOutput: r.output,
            outputWords: r.outputWords,
            inputWords: compiled.packInput(q),
          }),
        );
      } finally {
        await compiled.close();
      }
    });

  model
    .command("prove")
    .description("prove an inference; writes proof.json and public.json (snarkjs formats)")
    .argument("<dir>", "compiled model directory")
    .requiredOption("--input <file>", 'input JSON: {"input": [numbers…]}')
    .requiredOption("--out <dir>", "directory for proof.json and public.json")
    .action(async (dir: string, o: { input: string; out: string }) => {
      const input = await readInputFile(o.input);
      const compiled = await loadCompiledModel(dir, { executionProvider: "cpu" });
      try {
        const q = compiled.quantizeInput(input);
        const { proof, publicSignals, proofBytes } = await withProver(() => compiled.prove(q));
        await mkdir(o.out, { recursive: true });
        await writeFile(join(o.out, "proof.json"), `${JSON.stringify(proof, null, 2)}\n`);
        await writeFile(join(o.out, "public.json"), `${json(publicSignals.map(String))}\n`);
        console.log(
          json({ proof: join(o.out, "proof.json"), public: join(o.out, "public.json"), publicSignals, proofBytes }),
        );
      } finally {
        await compiled.close();
      }
    });
}
