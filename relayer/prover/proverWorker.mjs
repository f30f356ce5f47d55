// Prover worker process: one Groth16 proof at a time with snarkjs (which runs its own BN254 worker
// threads; it cannot itself run inside a worker thread). Plain JavaScript so it needs no TypeScript
// loader. IPC messages in: { id, wasm, zkey, witnessInput }; out: { id, proof, publicSignals, ms,
// vmHwmMiB } or { id, error }. Used by the relayer's prover pool and by `npm run bench:zkml`, which
// reads vmHwmMiB (the process's peak memory so far) to compare circuits.
import { readFileSync } from "node:fs";
import * as snarkjs from "snarkjs";

/** Peak resident memory of this process in MiB: VmHWM on Linux, the current RSS elsewhere. */
function peakMemoryMiB() {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (kb) return Number(kb[1]) / 1024;
  } catch {
    // no procfs on this platform
  }
  return process.memoryUsage().rss / 2 ** 20;
}

const parentPort = { postMessage: (msg) => process.send(msg) };
process.on("disconnect", () => process.exit(0));
process.on("message", async ({ id, wasm, zkey, witnessInput }) => {
  const started = performance.now();
  try {
    const { proof, publicSignals } = await snarkjs.groth16.fullProve(witnessInput, wasm, zkey);
    const ms = performance.now() - started;
    parentPort.postMessage({ id, proof, publicSignals, ms, vmHwmMiB: peakMemoryMiB() });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
