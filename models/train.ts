import type { Prng } from "../zkml/index.ts";
import type { DenseLayer, Mlp } from "./mlp.ts";

/** Adam's usual moment decay rates and epsilon (Kingma & Ba). */
const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
const ADAM_EPSILON = 1e-8;

/** A labelled classification dataset. */
export interface Dataset {
  readonly inputs: number[][];
  readonly labels: number[];
}

/** Training settings for {@link trainClassifier}. */
export interface TrainOptions {
  /** Layer widths, input first: `[784, 56, 10]`. */
  readonly shape: readonly number[];
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** L2 penalty on weights (keeps them small, which keeps quantization error small). */
  readonly weightDecay: number;
  readonly prng: Prng;
}

interface Params {
  w: Float64Array;
  b: Float64Array;
  inSize: number;
  outSize: number;
}

function initParams(shape: readonly number[], prng: Prng): Params[] {
  const params: Params[] = [];
  for (let l = 0; l + 1 < shape.length; l++) {
    const inSize = shape[l]!;
    const outSize = shape[l + 1]!;
    const std = Math.sqrt(2 / inSize); // He initialisation for ReLU layers
    const w = new Float64Array(inSize * outSize);
    for (let k = 0; k < w.length; k++) w[k] = prng.normal() * std;
    params.push({ w, b: new Float64Array(outSize), inSize, outSize });
  }
  return params;
}

/** Forward pass keeping every activation (post-ReLU for hidden layers, logits for the last). */
function forwardAll(params: Params[], x: ArrayLike<number>): Float64Array[] {
  const acts: Float64Array[] = [Float64Array.from(x)];
  params.forEach((p, l) => {
    const input = acts[l]!;
    const y = Float64Array.from(p.b);
    for (let i = 0; i < p.inSize; i++) {
      const xi = input[i]!;
      if (xi === 0) continue;
      const row = i * p.outSize;
      for (let j = 0; j < p.outSize; j++) y[j]! += xi * p.w[row + j]!;
    }
    if (l + 1 < params.length) for (let j = 0; j < y.length; j++) if (y[j]! < 0) y[j] = 0;
    acts.push(y);
  });
  return acts;
}

/** Softmax cross-entropy gradient w.r.t. logits: softmax(z) − onehot(label). */
function logitGradient(logits: Float64Array, label: number): Float64Array {
  let max = -Infinity;
  for (const z of logits) max = Math.max(max, z);
  const g = new Float64Array(logits.length);
  let sum = 0;
  for (let j = 0; j < g.length; j++) {
    g[j] = Math.exp(logits[j]! - max);
    sum += g[j]!;
  }
  for (let j = 0; j < g.length; j++) g[j]! /= sum;
  g[label]! -= 1;
  return g;
}

/** Accumulates one sample's gradient into `grads` (backpropagation through ReLU layers). */
function backward(params: Params[], grads: Params[], acts: Float64Array[], label: number): void {
  let delta = logitGradient(acts[acts.length - 1]!, label);
  for (let l = params.length - 1; l >= 0; l--) {
    const p = params[l]!;
    const g = grads[l]!;
    const input = acts[l]!;
    for (let j = 0; j < p.outSize; j++) g.b[j]! += delta[j]!;
    const prev = l > 0 ? new Float64Array(p.inSize) : undefined;
    for (let i = 0; i < p.inSize; i++) {
      const xi = input[i]!;
      const row = i * p.outSize;
      if (xi !== 0) for (let j = 0; j < p.outSize; j++) g.w[row + j]! += xi * delta[j]!;
      if (prev && xi > 0) {
        let s = 0;
        for (let j = 0; j < p.outSize; j++) s += p.w[row + j]! * delta[j]!;
        prev[i] = s; // ReLU derivative: zero where the activation was clipped
      }
    }
    if (prev) delta = prev;
  }
}

function zerosLike(params: Params[]): Params[] {
  return params.map((p) => ({ ...p, w: new Float64Array(p.w.length), b: new Float64Array(p.b.length) }));
}

/** One Adam step on a flat parameter vector. */
function adamStep(value: Float64Array, grad: Float64Array, m: Float64Array, v: Float64Array, lr: number, t: number) {
  const c1 = 1 - ADAM_BETA1 ** t;
  const c2 = 1 - ADAM_BETA2 ** t;
  for (let k = 0; k < value.length; k++) {
    const gk = grad[k]!;
    m[k] = ADAM_BETA1 * m[k]! + (1 - ADAM_BETA1) * gk;
    v[k] = ADAM_BETA2 * v[k]! + (1 - ADAM_BETA2) * gk * gk;
    value[k]! -= (lr * (m[k]! / c1)) / (Math.sqrt(v[k]! / c2) + ADAM_EPSILON);
  }
}

function shuffledIndices(n: number, prng: Prng): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = prng.int(i + 1);
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx;
}

/**
 * Trains a ReLU MLP classifier with mini-batch Adam on softmax cross-entropy. Plain TypeScript,
 * deterministic for a given PRNG and dataset. Returns float32 weights.
 */
export function trainClassifier(data: Dataset, opts: TrainOptions): Mlp {
  const params = initParams(opts.shape, opts.prng);
  const m = zerosLike(params);
  const v = zerosLike(params);
  let step = 0;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const order = shuffledIndices(data.inputs.length, opts.prng);
    for (let start = 0; start < order.length; start += opts.batchSize) {
      const batch = order.slice(start, start + opts.batchSize);
      const grads = zerosLike(params);
      for (const k of batch) backward(params, grads, forwardAll(params, data.inputs[k]!), data.labels[k]!);
      step++;
      params.forEach((p, l) => {
        const g = grads[l]!;
        for (let k = 0; k < g.w.length; k++) g.w[k] = g.w[k]! / batch.length + opts.weightDecay * p.w[k]!;
        for (let k = 0; k < g.b.length; k++) g.b[k] = g.b[k]! / batch.length;
        adamStep(p.w, g.w, m[l]!.w, v[l]!.w, opts.learningRate, step);
        adamStep(p.b, g.b, m[l]!.b, v[l]!.b, opts.learningRate, step);
      });
    }
  }
  return { layers: params.map((p, l) => toDenseLayer(p, l + 1 < params.length)) };
}

function toDenseLayer(p: Params, relu: boolean): DenseLayer {
  return { inSize: p.inSize, outSize: p.outSize, weights: Float32Array.from(p.w), bias: Float32Array.from(p.b), relu };
}

/** A randomly initialised (untrained) float32 MLP with He-scaled weights and small biases. */
export function randomMlp(shape: readonly number[], prng: Prng): Mlp {
  const params = initParams(shape, prng);
  for (const p of params) for (let j = 0; j < p.b.length; j++) p.b[j] = prng.uniform(-0.1, 0.1);
  return { layers: params.map((p, l) => toDenseLayer(p, l + 1 < params.length)) };
}
