import { ZkmlError } from "../errors.ts";
import { bitsForRange, type PackLayout, packLayout } from "../packing.ts";
import type { FloatDense, FloatNetwork } from "./parseNetwork.ts";

/** Largest power-of-two exponent used for a scale; beyond it a value is effectively zero. */
const MAX_FRACTION_BITS = 40;
/** Integers stay below 2^52 so float64 ONNX arithmetic is exact (and circuit values far below the field). */
const MAX_EXACT_BITS = 52;

/** Bit widths of quantized values. */
export interface QuantOptions {
  /**
   * Activation width B of hidden layers: ReLU layers are unsigned, in [0, 2^B); others signed, in
   * [-2^(B-1), 2^(B-1)).
   */
  activationBits: number;
  /** Signed weight width: weights are in [-2^(W-1), 2^(W-1)). */
  weightBits: number;
  /**
   * Input width (default B): unsigned, in [0, 2^I), when every calibration input is ≥ 0, else signed.
   * Each input bit costs one constraint per input value, so it is the main lever on wide models.
   */
  inputBits?: number;
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
  /** Signed bit width that holds `floor(z / 2^shift)` for every in-range input. */
  quotientBits: number;
  /**
   * The output is `clamp(floor(z / 2^shift), outMin, outMax)`: [0, 2^B − 1] for hidden ReLU layers
   * (the clamp is the ReLU), [−2^(B−1), 2^(B−1) − 1] for other hidden layers, and the whole quotient
   * range for the last layer (its outputs are not saturated; its shift is 0, so they are exact).
   */
  outMin: number;
  outMax: number;
}

/** The integer network: what the circuit proves and the quantized ONNX model computes. */
export interface QuantNetwork {
  activationBits: number;
  /** Input values are integers in [inputMin, inputMin + 2^inputBits). */
  inputBits: number;
  inputMin: number;
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

/** Fraction bits f such that maxAbs · 2^f ≤ maxInt. */
function fractionFor(maxAbs: number, maxInt: number): number {
  if (!(maxAbs > 0)) return MAX_FRACTION_BITS;
  return Math.min(MAX_FRACTION_BITS, Math.floor(Math.log2(maxInt / maxAbs)));
}

/** Largest value of a signed `bits`-bit integer. */
const signedMax = (bits: number) => 2 ** (bits - 1) - 1;

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

/** Range [lo, hi] of `W·x + b` over every integer input x in [xMin, xMax] (sign-split bound). */
function accumulatorRange(weights: number[][], bias: number[], xMin: number, xMax: number): [number, number] {
  let lo = 0;
  let hi = 0;
  weights.forEach((row, o) => {
    let rowLo = bias[o]!;
    let rowHi = bias[o]!;
    for (const w of row) {
      rowLo += w > 0 ? w * xMin : w * xMax;
      rowHi += w > 0 ? w * xMax : w * xMin;
    }
    lo = Math.min(lo, rowLo);
    hi = Math.max(hi, rowHi);
  });
  return [lo, hi];
}

interface LayerContext {
  index: number;
  last: boolean;
  inputFraction: number;
  /** Integer range of the layer's inputs. */
  xMin: number;
  xMax: number;
  /** Largest |output| over the calibration set (float). */
  maxOut: number;
}

function quantizeLayer(layer: FloatDense, ctx: LayerContext, opts: QuantOptions): QuantDense {
  const maxW = Math.max(...layer.weights.flat().map(Math.abs));
  const weightFraction = exactFraction(layer.weights.flat(), fractionFor(maxW || 1, signedMax(opts.weightBits)));
  const B = opts.activationBits;
  const outLevels = layer.relu ? 2 ** B - 1 : signedMax(B);
  // The last layer is not rescaled: its exact accumulator is the output (no rounding, and no
  // remainder to range-check: the value is bounded by construction).
  const outputFraction = ctx.last
    ? ctx.inputFraction + weightFraction
    : Math.min(ctx.inputFraction + weightFraction, fractionFor(ctx.maxOut, outLevels));
  const shift = ctx.inputFraction + weightFraction - outputFraction;
  const weights = layer.weights.map((row) => row.map((w) => Math.round(w * 2 ** weightFraction)));
  const roundOffset = shift > 0 ? 2 ** (shift - 1) : 0;
  const bias = layer.bias.map((b) => Math.round(b * 2 ** (ctx.inputFraction + weightFraction)) + roundOffset);
  const [zLo, zHi] = accumulatorRange(weights, bias, ctx.xMin, ctx.xMax);
  const zMax = Math.max(-zLo, zHi);
  const quotientBits = quotientBitsFor(zMax, shift, 2);
  if (zMax >= 2 ** MAX_EXACT_BITS || quotientBits + shift > MAX_EXACT_BITS) {
    throw new ZkmlError(
      "UnsupportedModel",
      `layer ${ctx.index} (${layer.nodes.join(", ")}) overflows exact integer range`,
      {
        details: `accumulator bound 2^${Math.log2(zMax).toFixed(1)} ≥ 2^${MAX_EXACT_BITS}; lower --weight-bits or --bits`,
      },
    );
  }
  const qMax = signedMax(quotientBits);
  let outMin: number;
  let outMax: number;
  if (ctx.last) {
    outMin = layer.relu ? 0 : -qMax - 1;
    outMax = qMax;
  } else {
    outMin = layer.relu ? 0 : -signedMax(B) - 1;
    outMax = layer.relu ? 2 ** B - 1 : signedMax(B);
  }
  return {
    weights,
    bias,
    relu: layer.relu,
    inputFraction: ctx.inputFraction,
    weightFraction,
    outputFraction,
    shift,
    quotientBits,
    outMin,
    outMax,
  };
}

/**
 * Quantizes a float network with power-of-two scales calibrated on `samples` (flattened inputs):
 * the input scale covers the largest |input|, each layer's output scale its largest |output|.
 */
export function quantizeNetwork(net: FloatNetwork, samples: number[][], opts: QuantOptions): QuantNetwork {
  if (samples.length === 0) throw new ZkmlError("BadCalibration", "calibration needs at least one input");
  const inputSize = net.layers[0]!.weights[0]!.length;
  let maxIn = 0;
  let minIn = 0;
  const maxOut = net.layers.map(() => 0);
  samples.forEach((s, n) => {
    if (s.length !== inputSize || s.some((v) => !Number.isFinite(v))) {
      throw new ZkmlError(
        "BadCalibration",
        `calibration input ${n} has ${s.length} values, expected ${inputSize} finite numbers`,
      );
    }
    for (const v of s) {
      maxIn = Math.max(maxIn, Math.abs(v));
      minIn = Math.min(minIn, v);
    }
    floatForward(net, s).forEach((out, l) => {
      for (const v of out) maxOut[l] = Math.max(maxOut[l]!, Math.abs(v));
    });
  });
  const inputBits = opts.inputBits ?? opts.activationBits;
  const inputMin = minIn >= 0 ? 0 : -(2 ** (inputBits - 1));
  const inputMax = inputMin + 2 ** inputBits - 1;
  const inputFraction = fractionFor(maxIn || 1, inputMax);
  const layers: QuantDense[] = [];
  let fraction = inputFraction;
  let [xMin, xMax] = [inputMin, inputMax];
  net.layers.forEach((layer, l) => {
    const last = l === net.layers.length - 1;
    const q = quantizeLayer(layer, { index: l, last, inputFraction: fraction, xMin, xMax, maxOut: maxOut[l]! }, opts);
    layers.push(q);
    fraction = q.outputFraction;
    [xMin, xMax] = [q.outMin, q.outMax];
  });
  return {
    activationBits: opts.activationBits,
    inputBits,
    inputMin,
    inputSize,
    outputSize: net.layers.at(-1)!.weights.length,
    inputFraction,
    outputFraction: fraction,
    layers,
  };
}

/** Float → integer input of `net`: round to the input scale and saturate to the input range. */
export function quantizeInput(net: QuantNetwork, values: number[]): bigint[] {
  return quantizeValues(values, net.inputFraction, net.inputMin, net.inputMin + 2 ** net.inputBits - 1);
}

/** Float → integer: round to 2^-fraction and saturate to [lo, hi]. */
export function quantizeValues(values: number[], fraction: number, lo: number, hi: number): bigint[] {
  return values.map((v) => BigInt(Math.min(hi, Math.max(lo, Math.round(v * 2 ** fraction)))));
}

/**
 * Integer forward pass with exactly the circuit's semantics (exact in float64 by construction):
 * floor division by 2^shift, then clamp to [outMin, outMax] (which is also the ReLU).
 */
export function quantForward(net: QuantNetwork, input: bigint[]): bigint[] {
  return quantTrace(net, input).outputs.at(-1)!.map(BigInt);
}

/**
 * The integer forward pass with every layer's outputs, plus how many neurons saturated: `high` when
 * the quotient exceeded outMax, `low` when it fell below outMin other than by ReLU's cut at 0.
 */
export function quantTrace(
  net: QuantNetwork,
  input: bigint[],
): { outputs: number[][]; saturated: number; high: number; low: number } {
  let x = input.map(Number);
  let high = 0;
  let low = 0;
  const outputs: number[][] = [];
  for (const layer of net.layers) {
    const current = x;
    x = layer.weights.map((row, o) => {
      let z = layer.bias[o]!;
      for (let i = 0; i < row.length; i++) z += row[i]! * current[i]!;
      const q = Math.floor(z / 2 ** layer.shift);
      if (q > layer.outMax) high++;
      if (q < layer.outMin && !layer.relu) low++;
      return Math.min(layer.outMax, Math.max(layer.outMin, q));
    });
    outputs.push(x);
  }
  return { outputs, saturated: high + low, high, low };
}

/** Packing layouts of a network's public input and output values. */
export function networkLayouts(net: QuantNetwork): { input: PackLayout; output: PackLayout } {
  const last = net.layers.at(-1)!;
  return {
    input: packLayout(net.inputBits, BigInt(net.inputMin)),
    output: packLayout(bitsForRange(last.outMin, last.outMax), BigInt(last.outMin)),
  };
}
