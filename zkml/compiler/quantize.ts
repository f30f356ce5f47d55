import { ZkmlError } from "../errors.ts";
import type { FloatDense, FloatNetwork } from "./parseNetwork.ts";

/** Largest power-of-two exponent used for a scale; beyond it a value is effectively zero. */
const MAX_FRACTION_BITS = 40;
/** Integers stay below 2^52 so float64 ONNX arithmetic is exact (and circuit values far below the field). */
const MAX_EXACT_BITS = 52;

/** Bit widths of quantized values. */
export interface QuantOptions {
  /** Signed activation width B: activations are in [-2^(B-1), 2^(B-1)). */
  activationBits: number;
  /** Signed weight width: weights are in [-2^(W-1), 2^(W-1)). */
  weightBits: number;
}

/**
 * One quantized dense layer: `z = W·x + b` (integers), `q = floor(z / 2^shift)`, clamped to the
 * activation range, then ReLU when `relu`. Value = integer / 2^fraction-bits.
 */
export interface QuantDense {
  weights: number[][];
  /** Integer bias, including the `2^(shift-1)` offset that turns floor into round-half-up. */
  bias: number[];
  relu: boolean;
  /** Fraction bits of the layer input, the weights and the output (`shift = in + weight - out`). */
  inputFraction: number;
  weightFraction: number;
  outputFraction: number;
  shift: number;
  /** Signed bit width that holds `floor(z / 2^shift)` for every in-range input (≥ activation bits). */
  quotientBits: number;
}

/** The integer network: what the circuit proves and the quantized ONNX model computes. */
export interface QuantNetwork {
  activationBits: number;
  inputSize: number;
  outputSize: number;
  inputFraction: number;
  outputFraction: number;
  layers: QuantDense[];
}

/** Float forward pass; returns every layer's output (after ReLU) for a flattened input. */
export function floatForward(net: FloatNetwork, input: number[]): number[][] {
  const outs: number[][] = [];
  let x = input;
  for (const layer of net.layers) {
    x = layer.weights.map((row, o) => {
      let acc = layer.bias[o]!;
      for (let i = 0; i < row.length; i++) acc += row[i]! * x[i]!;
      return layer.relu ? Math.max(0, acc) : acc;
    });
    outs.push(x);
  }
  return outs;
}

/** Fraction bits f such that maxAbs · 2^f fits in `bits` signed bits. */
function fractionFor(maxAbs: number, bits: number): number {
  if (!(maxAbs > 0)) return MAX_FRACTION_BITS;
  return Math.min(MAX_FRACTION_BITS, Math.floor(Math.log2((2 ** (bits - 1) - 1) / maxAbs)));
}

/**
 * The fewest fraction bits (≤ `max`) that represent every weight exactly, else `max`: identity and
 * integer layers get f = 0, hence no rescale and no remainder bits.
 */
function exactFraction(weights: number[], max: number): number {
  for (let f = 0; f < max; f++) {
    if (weights.every((w) => Number.isInteger(w * 2 ** f))) return f;
  }
  return max;
}

/** Signed width Q so that floor(z / 2^k) fits for |z| ≤ zMax. */
function quotientBitsFor(zMax: number, shift: number, minBits: number): number {
  const hi = Math.floor(zMax / 2 ** shift);
  const lo = Math.floor(-zMax / 2 ** shift);
  let q = minBits;
  while (hi >= 2 ** (q - 1) || lo < -(2 ** (q - 1))) q++;
  return q;
}

function quantizeLayer(
  layer: FloatDense,
  index: number,
  inputFraction: number,
  maxOut: number,
  opts: QuantOptions,
): QuantDense {
  const maxW = Math.max(...layer.weights.flat().map(Math.abs));
  const weightFraction = exactFraction(layer.weights.flat(), fractionFor(maxW || 1, opts.weightBits));
  const outputFraction = Math.min(inputFraction + weightFraction, fractionFor(maxOut, opts.activationBits));
  const shift = inputFraction + weightFraction - outputFraction;
  const weights = layer.weights.map((row) => row.map((w) => Math.round(w * 2 ** weightFraction)));
  const roundOffset = shift > 0 ? 2 ** (shift - 1) : 0;
  const bias = layer.bias.map((b) => Math.round(b * 2 ** (inputFraction + weightFraction)) + roundOffset);
  const xMax = 2 ** (opts.activationBits - 1);
  let zMax = 0;
  weights.forEach((row, o) => {
    zMax = Math.max(zMax, row.reduce((a, w) => a + Math.abs(w), 0) * xMax + Math.abs(bias[o]!));
  });
  const quotientBits = quotientBitsFor(zMax, shift, opts.activationBits);
  if (zMax >= 2 ** MAX_EXACT_BITS || quotientBits + shift > MAX_EXACT_BITS) {
    throw new ZkmlError(
      "UnsupportedModel",
      `layer ${index} (${layer.nodes.join(", ")}) overflows exact integer range`,
      {
        details: `accumulator bound 2^${Math.log2(zMax).toFixed(1)} ≥ 2^${MAX_EXACT_BITS}; lower --weight-bits or --bits`,
      },
    );
  }
  return { weights, bias, relu: layer.relu, inputFraction, weightFraction, outputFraction, shift, quotientBits };
}

/**
 * Quantizes a float network with power-of-two scales calibrated on `samples` (flattened inputs):
 * the input scale covers the largest |input|, each layer's output scale its largest |output|.
 */
export function quantizeNetwork(net: FloatNetwork, samples: number[][], opts: QuantOptions): QuantNetwork {
  if (samples.length === 0) throw new ZkmlError("BadCalibration", "calibration needs at least one input");
  const inputSize = net.layers[0]!.weights[0]!.length;
  let maxIn = 0;
  const maxOut = net.layers.map(() => 0);
  samples.forEach((s, n) => {
    if (s.length !== inputSize || s.some((v) => !Number.isFinite(v))) {
      throw new ZkmlError(
        "BadCalibration",
        `calibration input ${n} has ${s.length} values, expected ${inputSize} finite numbers`,
      );
    }
    for (const v of s) maxIn = Math.max(maxIn, Math.abs(v));
    floatForward(net, s).forEach((out, l) => {
      for (const v of out) maxOut[l] = Math.max(maxOut[l]!, Math.abs(v));
    });
  });
  const inputFraction = fractionFor(maxIn || 1, opts.activationBits);
  const layers: QuantDense[] = [];
  let fraction = inputFraction;
  net.layers.forEach((layer, l) => {
    const q = quantizeLayer(layer, l, fraction, maxOut[l]!, opts);
    layers.push(q);
    fraction = q.outputFraction;
  });
  return {
    activationBits: opts.activationBits,
    inputSize,
    outputSize: net.layers.at(-1)!.weights.length,
    inputFraction,
    outputFraction: fraction,
    layers,
  };
}

/** Float → integer input: round to the input scale and saturate to the activation range. */
export function quantizeValues(values: number[], fraction: number, bits: number): bigint[] {
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** (bits - 1) - 1;
  return values.map((v) => BigInt(Math.min(hi, Math.max(lo, Math.round(v * 2 ** fraction)))));
}

/**
 * Integer forward pass with exactly the circuit's semantics (exact in float64 by construction):
 * floor division by 2^shift, saturation to B bits, ReLU.
 */
export function quantForward(net: QuantNetwork, input: bigint[]): bigint[] {
  const lo = -(2 ** (net.activationBits - 1));
  const hi = 2 ** (net.activationBits - 1) - 1;
  let x = input.map(Number);
  for (const layer of net.layers) {
    x = layer.weights.map((row, o) => {
      let z = layer.bias[o]!;
      for (let i = 0; i < row.length; i++) z += row[i]! * x[i]!;
      const q = Math.min(hi, Math.max(lo, Math.floor(z / 2 ** layer.shift)));
      return layer.relu ? Math.max(0, q) : q;
    });
  }
  return x.map(BigInt);
}
