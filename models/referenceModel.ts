import { buildMlp } from "../zkml/index.ts";
import { type Mlp, mlpShape } from "./mlp.ts";

/** A reference model: its ONNX bytes plus what a tool or dApp needs to feed it. */
export interface ReferenceModel {
  /** File stem under `models/fixtures/` (`demo` → `demo.onnx`). */
  readonly name: string;
  readonly description: string;
  /** ONNX protobuf bytes (float32 MLP, Gemm + Relu, batch 1). */
  readonly onnx: Uint8Array;
  /** The same network as plain data, for TypeScript forward passes. */
  readonly mlp: Mlp;
  /** Layer widths, input first. */
  readonly shape: readonly number[];
  /** ONNX input shape, batch first. */
  readonly inputShape: readonly number[];
  /** Range every input value is expected in. */
  readonly inputRange: { readonly min: number; readonly max: number };
  /** Output class names (index = output position). */
  readonly labels: readonly string[];
  /** A few inputs to try the model with. */
  readonly sampleInputs: number[][];
  /** Representative inputs for the compiler's quantization calibration. */
  readonly calibrationInputs: number[][];
  /** Float accuracy on a held-out synthetic set, when the model was trained. */
  readonly heldOutAccuracy?: { readonly accuracy: number; readonly samples: number };
  /** How the weights were obtained. */
  readonly weightsOrigin: string;
}

/** Serializes an {@link Mlp} (weights stored `[in][out]`) with the project's ONNX writer (`[out][in]`). */
export function mlpToOnnx(mlp: Mlp): Uint8Array {
  const layers = mlp.layers.map((layer) => ({
    weights: Array.from({ length: layer.outSize }, (_, o) =>
      Array.from({ length: layer.inSize }, (_, i) => layer.weights[i * layer.outSize + o]!),
    ),
    bias: Array.from(layer.bias),
    relu: layer.relu,
  }));
  return buildMlp({ inputShape: [1, mlpShape(mlp)[0]!], layers });
}

/** What a reference model states about itself; the rest follows from its network. */
export type ReferenceModelInfo = Omit<ReferenceModel, "onnx" | "mlp" | "shape" | "inputShape">;

/** A reference model from its float network: ONNX bytes, layer widths and batch-1 input shape derived. */
export function referenceModel(mlp: Mlp, info: ReferenceModelInfo): ReferenceModel {
  const shape = mlpShape(mlp);
  return { ...info, onnx: mlpToOnnx(mlp), mlp, shape, inputShape: [1, shape[0]!] };
}
