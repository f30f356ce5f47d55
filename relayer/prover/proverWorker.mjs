// Prover worker process: one Groth16 proof at a time with snarkjs (which runs its own BN254 worker
// threads; it cannot itself run inside a worker thread). Plain JavaScript so it needs no TypeScript
// loader. IPC messages in: { id, wasm, zkey, witnessInput }; out: { id, proof, publicSignals, ms } or
// { id, error }.
import * as snarkjs from "snarkjs";

const parentPort = { postMessage: (msg) => process.send(msg) };
process.on("disconnect", () => process.exit(0));
process.on("message", async ({ id, wasm, zkey, witnessInput }) => {
  const started = performance.now();
  try {
    const { proof, publicSignals } = await snarkjs.groth16.fullProve(witnessInput, wasm, zkey);
    parentPort.postMessage({ id, proof, publicSignals, ms: performance.now() - started });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
