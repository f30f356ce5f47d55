import {
  argmax,
  type FloatNetwork,
  floatForward,
  quantForward,
  quantizeInput,
  quantizeNetwork,
} from "../../zkml/index.ts";

/**
 * Bit widths tried by the sweep: (activation, weight, input bits), from the compiler's default down.
 * Input bits matter most: each costs one constraint per input value.
 */
export const SWEEP_WIDTHS: readonly (readonly [number, number, number])[] = [
  [16, 12, 16],
  [12, 10, 12],
  [8, 8, 8],
  [8, 8, 6],
  [8, 8, 4],
  [8, 8, 3],
  [8, 8, 2],
  [8, 6, 4],
  [6, 6, 4],
];

/** Accuracy of one quantization against the float model. */
export interface SweepPoint {
  activationBits: number;
  weightBits: number;
  inputBits: number;
  /** Fraction of inputs whose argmax differs from the float model's. */
  disagreement: number;
  /** Largest |float logit − dequantized logit|. */
  maxAbsError: number;
}

/**
 * Quantizes `net` with the compiler's `quantizeNetwork` at each width and compares the integer model
 * (dequantized) with the float forward pass on `inputs`: what narrower activations would cost.
 */
export function quantizationSweep(net: FloatNetwork, calibration: number[][], inputs: number[][]): SweepPoint[] {
  const floats = inputs.map((x) => floatForward(net, x).at(-1)!);
  return SWEEP_WIDTHS.map(([activationBits, weightBits, inputBits]) => {
    const q = quantizeNetwork(net, calibration, { activationBits, weightBits, inputBits });
    let disagree = 0;
    let maxAbsError = 0;
    inputs.forEach((x, k) => {
      const out = quantForward(q, quantizeInput(q, x)).map((v) => Number(v) / 2 ** q.outputFraction);
      const f = floats[k]!;
      if (argmax(out) !== argmax(f)) disagree++;
      f.forEach((v, j) => {
        maxAbsError = Math.max(maxAbsError, Math.abs(v - out[j]!));
      });
    });
    return { activationBits, weightBits, inputBits, disagreement: disagree / inputs.length, maxAbsError };
  });
}
