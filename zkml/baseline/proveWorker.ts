/**
 * Child-process prover for the benchmark, so that each circuit's peak memory (`VmHWM`) is measured
 * in a process of its own. Usage: `tsx zkml/baseline/proveWorker.ts <job.json>`; prints one JSON line.
 *
 * Job: `{ kind: "compiled", modelDir, inputs }` (the model compiler's `prove`) or
 * `{ kind: "baseline", wasm, zkey, vkey, witnessInputs }` (snarkjs fullProve). Every proof is verified.
 */
import { readFileSync } from "node:fs";
import * as snarkjs from "snarkjs";

interface CompiledJob {
  kind: "compiled";
  modelDir: string;
  /** Quantized inputs as decimal strings. */
  inputs: string[][];
}
interface BaselineJob {
  kind: "baseline";
  wasm: string;
  zkey: string;
  vkey: string;
  witnessInputs: Record<string, unknown>[];
}

/** Result line printed by the worker. */
export interface ProveResult {
  proveSeconds: number[];
  verified: number;
  vmHwmMiB: number;
}

function peakMemoryMiB(): number {
  const status = readFileSync("/proc/self/status", "utf8");
  const kb = /VmHWM:\s+(\d+) kB/.exec(status);
  return kb ? Number(kb[1]) / 1024 : process.memoryUsage().rss / 2 ** 20;
}

async function proveCompiled(job: CompiledJob): Promise<Omit<ProveResult, "vmHwmMiB">> {
  const { loadCompiledModel } = await import("../index.ts");
  const model = await loadCompiledModel(job.modelDir, { executionProvider: "cpu" });
  const vkey = JSON.parse(readFileSync(`${job.modelDir}/${model.manifest.files.verificationKey}`, "utf8"));
  const proveSeconds: number[] = [];
  let verified = 0;
  try {
    for (const input of job.inputs) {
      const started = performance.now();
      const { proof, publicSignals } = await model.prove(input.map(BigInt));
      proveSeconds.push((performance.now() - started) / 1000);
      if (await snarkjs.groth16.verify(vkey, publicSignals.map(String), proof)) verified++;
    }
  } finally {
    await model.close();
  }
  return { proveSeconds, verified };
}

async function proveBaseline(job: BaselineJob): Promise<Omit<ProveResult, "vmHwmMiB">> {
  const vkey = JSON.parse(readFileSync(job.vkey, "utf8"));
  const proveSeconds: number[] = [];
  let verified = 0;
  for (const input of job.witnessInputs) {
    const started = performance.now();
    const { proof, publicSignals } = await snarkjs.groth16.fullProve(input, job.wasm, job.zkey);
    proveSeconds.push((performance.now() - started) / 1000);
    if (await snarkjs.groth16.verify(vkey, publicSignals, proof)) verified++;
  }
  return { proveSeconds, verified };
}

async function main(): Promise<void> {
  const jobPath = process.argv[2];
  if (!jobPath) throw new Error("usage: proveWorker.ts <job.json>");
  const job = JSON.parse(readFileSync(jobPath, "utf8")) as CompiledJob | BaselineJob;
  const result = job.kind === "compiled" ? await proveCompiled(job) : await proveBaseline(job);
  console.log(JSON.stringify({ ...result, vmHwmMiB: peakMemoryMiB() } satisfies ProveResult));
  // snarkjs keeps worker threads alive; the measurement is done.
  process.exit(0);
}

main().catch((error) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
