import { argmax } from "../zkml/index.ts";

/**
 * A dense layer `y = x·W + b` (ONNX `Gemm`/`MatMul` convention): `weights` is row-major
 * `[inSize][outSize]`. All values are float32 (rounded with `Math.fround`) so that a forward pass
 * here and one in onnxruntime use the same numbers.
 */
export interface DenseLayer {
  readonly inSize: number;
  readonly outSize: number;
  readonly weights: Float32Array;
  readonly bias: Float32Array;
  /** ReLU after this layer (hidden layers); the last layer emits logits. */
  readonly relu: boolean;
}

/** A multi-layer perceptron: dense layers, ReLU between them, raw logits out. */
export interface Mlp {
  readonly layers: readonly DenseLayer[];
}

/** Input width of an MLP. */
export function mlpInputSize(mlp: Mlp): number {
  return mlp.layers[0]!.inSize;
}

/** Output width of an MLP. */
export function mlpOutputSize(mlp: Mlp): number {
  return mlp.layers[mlp.layers.length - 1]!.outSize;
}

/** Layer widths, e.g. `[784, 56, 10]`. */
export function mlpShape(mlp: Mlp): number[] {
  return [mlpInputSize(mlp), ...mlp.layers.map((l) => l.outSize)];
}

/** Applies one dense layer (float64 accumulation of float32 values). */
export function denseForward(layer: DenseLayer, x: ArrayLike<number>): Float64Array {
  if (x.length !== layer.inSize) {
    throw new Error(`dense layer expects ${layer.inSize} inputs, got ${x.length}`);
  }
  const y = new Float64Array(layer.outSize);
  for (let j = 0; j < layer.outSize; j++) y[j] = layer.bias[j]!;
  for (let i = 0; i < layer.inSize; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    const row = i * layer.outSize;
    for (let j = 0; j < layer.outSize; j++) y[j]! += xi * layer.weights[row + j]!;
  }
  if (layer.relu) for (let j = 0; j < layer.outSize; j++) if (y[j]! < 0) y[j] = 0;
  return y;
}

/** Plain TypeScript float forward pass: the reference the ONNX model must match. */
export function forwardMlp(mlp: Mlp, input: ArrayLike<number>): number[] {
  let x: ArrayLike<number> = input;
  for (const layer of mlp.layers) x = denseForward(layer, x);
  return Array.from(x);
}

/** Fraction of samples whose argmax output equals the label. */
export function classificationAccuracy(mlp: Mlp, inputs: readonly number[][], labels: readonly number[]): number {
  let correct = 0;
  inputs.forEach((x, k) => {
    if (argmax(forwardMlp(mlp, x)) === labels[k]) correct++;
  });
  return correct / inputs.length;
}
