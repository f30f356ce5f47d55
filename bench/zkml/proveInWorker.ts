import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as snarkjs from "snarkjs";

/**
 * The relayer's prover process (`relayer/prover/proverWorker.mjs`): the benchmark proves the way a
 * node does, and each circuit's peak memory is measured in a process of its own.
 */
const PROVER_WORKER = join(import.meta.dirname, "..", "..", "relayer", "prover", "proverWorker.mjs");

/** Proofs of one circuit: its artifacts and one witness input per proof. */
export interface ProveJob {
  wasm: string;
  zkey: string;
  vkey: string;
  witnessInputs: Record<string, unknown>[];
}

/** What proving a job measured. */
export interface ProveResult {
  proveSeconds: number[];
  /** Proofs that snarkjs verified against the job's verification key. */
  verified: number;
  /** Peak resident memory (VmHWM) of the prover process after the last proof. */
  vmHwmMiB: number;
}

/** A reply of the prover worker (its IPC protocol). */
interface WorkerReply {
  id: number;
  proof?: snarkjs.SnarkjsProof;
  publicSignals?: string[];
  ms?: number;
  vmHwmMiB?: number;
  error?: string;
}

/**
 * Proves every witness input of `job`, one at a time, in a fresh prover worker process, and verifies
 * each proof here. Proving time is the worker's own `fullProve` time.
 */
export async function proveInWorker(job: ProveJob): Promise<ProveResult> {
  const vkey = JSON.parse(readFileSync(job.vkey, "utf8"));
  const worker = fork(PROVER_WORKER, [], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const request = (id: number, witnessInput: Record<string, unknown>) =>
    new Promise<WorkerReply>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`prover worker exited (code ${code})`));
      worker.once("exit", onExit);
      worker.once("message", (reply: WorkerReply) => {
        worker.off("exit", onExit);
        resolve(reply);
      });
      worker.send({ id, wasm: job.wasm, zkey: job.zkey, witnessInput });
    });
  const proveSeconds: number[] = [];
  let verified = 0;
  let vmHwmMiB = 0;
  try {
    for (const [id, witnessInput] of job.witnessInputs.entries()) {
      const reply = await request(id, witnessInput);
      if (reply.error !== undefined) throw new Error(`prover worker: ${reply.error}`);
      proveSeconds.push(reply.ms! / 1000);
      vmHwmMiB = reply.vmHwmMiB!;
      if (await snarkjs.groth16.verify(vkey, reply.publicSignals!, reply.proof!)) verified++;
    }
  } finally {
    worker.kill();
  }
  return { proveSeconds, verified, vmHwmMiB };
}
