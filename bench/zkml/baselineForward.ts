import type { BaselineNetwork } from "./generateBaselineCircuit.ts";

/** Floor division by 2^shift for signed bigints (BigInt `/` truncates toward zero). */
function floorShift(z: bigint, shift: number): bigint {
  return z >> BigInt(shift); // arithmetic shift = floor division for negative values too
}

/**
 * Integer forward pass with the baseline circuit's semantics: `z = W·x + b`,
 * `q = floor(z / 2^shift)`, clamped to the layer's [outMin, outMax] (the ReLU is the clamp at 0).
 * Exact (bigint) — the reference the circuit's outputs are tested against.
 */
export function baselineForward(net: BaselineNetwork, input: readonly bigint[]): bigint[] {
  let x = [...input];
  for (const layer of net.layers) {
    if (x.length !== layer.weights[0]!.length) {
      throw new Error(`baseline forward: layer expects ${layer.weights[0]!.length} values, got ${x.length}`);
    }
    const current = x;
    x = layer.weights.map((row, o) => {
      let z = BigInt(layer.bias[o]!);
      row.forEach((w, i) => {
        z += BigInt(w) * current[i]!;
      });
      const q = floorShift(z, layer.shift);
      const [lo, hi] = [BigInt(layer.outMin), BigInt(layer.outMax)];
      return q > hi ? hi : q < lo ? lo : q;
    });
  }
  return x;
}
