/**
 * Stops snarkjs' shared BN254 worker threads (ffjavascript caches the curve in `globalThis`), so a
 * CLI process can exit. Later snarkjs calls start a fresh curve.
 */
export async function releaseProverThreads(): Promise<void> {
  const g = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null };
  if (g.curve_bn128) await g.curve_bn128.terminate();
}
