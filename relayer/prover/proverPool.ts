import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { encodeProof, type Groth16Proof } from "../../zkml/index.ts";
import { RelayerError } from "../common/errors.ts";

/** A proof job: the model's circuit artifacts and the witness input (signal name → values). */
export type ProveTask = { wasm: string; zkey: string; witnessInput: Record<string, string[]> };
/** A finished proof. */
export type ProveResult = { proof: Groth16Proof; publicSignals: bigint[]; proofBytes: `0x${string}`; ms: number };

type Pending = { task: ProveTask; resolve: (r: ProveResult) => void; reject: (e: Error) => void };
type Slot = { worker: ChildProcess; busy?: { id: number; pending: Pending } };

const WORKER_PATH = fileURLToPath(new URL("./proverWorker.mjs", import.meta.url));

/**
 * A bounded pool of prover worker processes running snarkjs: at most `concurrency` proofs at once, the
 * rest queued in order. Processes rather than worker threads because snarkjs' own thread pool refuses
 * to start inside a worker thread; a process also isolates a prover crash or OOM. A crashed worker
 * fails only its own proof and is replaced.
 */
export function createProverPool(concurrency: number) {
  const queue: Pending[] = [];
  const slots: Slot[] = [];
  let nextId = 0;
  let closed = false;

  function spawn(): Slot {
    const slot: Slot = { worker: fork(WORKER_PATH, [], { stdio: ["ignore", "ignore", "pipe", "ipc"] }) };
    let stderr = "";
    slot.worker.stderr?.on("data", (d) => {
      stderr = (stderr + d).slice(-2000);
    });
    slot.worker.on("message", (msg: { id: number; error?: string } & Partial<ProveResult>) => {
      const busy = slot.busy;
      if (!busy || busy.id !== msg.id) return;
      slot.busy = undefined;
      if (msg.error) busy.pending.reject(new RelayerError("proving failed", { details: msg.error }));
      else {
        const proof = msg.proof as Groth16Proof;
        busy.pending.resolve({
          proof,
          publicSignals: (msg.publicSignals as unknown as string[]).map((s) => BigInt(s)),
          proofBytes: encodeProof(proof),
          ms: msg.ms ?? 0,
        });
      }
      pump();
    });
    slot.worker.on("exit", (code, signal) => {
      slot.busy?.pending.reject(
        new RelayerError("prover worker exited", {
          details: `code ${code}, signal ${signal}: ${stderr}`,
          retryable: true,
        }),
      );
      slot.busy = undefined;
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      if (!closed) pump();
    });
    return slot;
  }

  function pump(): void {
    while (queue.length > 0 && !closed) {
      let slot = slots.find((s) => !s.busy);
      if (!slot && slots.length < concurrency) {
        slot = spawn();
        slots.push(slot);
      }
      if (!slot) return;
      const pending = queue.shift()!;
      const id = nextId++;
      slot.busy = { id, pending };
      slot.worker.send({ id, ...pending.task });
    }
  }

  return {
    /** Queues a proof; resolves when a worker has produced it. */
    prove(task: ProveTask): Promise<ProveResult> {
      if (closed) return Promise.reject(new RelayerError("prover pool is closed"));
      return new Promise((resolve, reject) => {
        queue.push({ task, resolve, reject });
        pump();
      });
    },
    /** Proofs queued or running. */
    depth: () => queue.length + slots.filter((s) => s.busy).length,
    /** Stops the workers; queued proofs are rejected. */
    async close() {
      closed = true;
      for (const p of queue.splice(0)) p.reject(new RelayerError("prover pool closed"));
      for (const s of slots) s.worker.kill("SIGKILL");
      slots.length = 0;
    },
  };
}

export type ProverPool = ReturnType<typeof createProverPool>;
