import onnxProto from "onnx-proto";

const { onnx } = onnxProto;

/** ONNX IR version written: IR 8 is what onnx-proto 8 (ONNX 1.10) defines and onnxruntime reads. */
export const ONNX_IR_VERSION = 8;
/** Default-domain opset written: 13 covers Gemm/MatMul/Add/Relu/Flatten/Reshape/Div/Floor/Clip with float64. */
export const ONNX_OPSET = 13;

/** Element types used by the builders (values of `onnx.TensorProto.DataType`). */
export const TensorType = {
  float: 1,
  int64: 7,
  double: 11,
} as const;
/** One of the element types in {@link TensorType}. */
export type TensorElementType = (typeof TensorType)[keyof typeof TensorType];

/** A typed ONNX attribute value; build with {@link attr}. */
export type AttributeValue =
  | { kind: "int"; value: number }
  | { kind: "float"; value: number }
  | { kind: "ints"; value: number[] }
  | { kind: "floats"; value: number[] }
  | { kind: "string"; value: string };

/** Constructors for typed attributes (ONNX distinguishes `1` from `1.0`). */
export const attr = {
  int: (value: number): AttributeValue => ({ kind: "int", value }),
  float: (value: number): AttributeValue => ({ kind: "float", value }),
  ints: (value: number[]): AttributeValue => ({ kind: "ints", value }),
  floats: (value: number[]): AttributeValue => ({ kind: "floats", value }),
  string: (value: string): AttributeValue => ({ kind: "string", value }),
};

/** Low-level graph builder: any op (supported by the compiler or not), any wiring. */
export interface GraphBuilder {
  /** Declares a graph input. `shape` entries are sizes; a string is a symbolic dimension. */
  input(name: string, shape: (number | string)[], type?: TensorElementType): GraphBuilder;
  /** Declares a graph output. */
  output(name: string, shape: (number | string)[], type?: TensorElementType): GraphBuilder;
  /** Adds a constant tensor (row-major `data`, length = product of `dims`). */
  initializer(name: string, dims: number[], data: ArrayLike<number>, type?: TensorElementType): GraphBuilder;
  /** Adds a node; `name` defaults to `<opType>_<index>`. */
  node(
    opType: string,
    inputs: string[],
    outputs: string[],
    attributes?: Record<string, AttributeValue>,
    name?: string,
  ): GraphBuilder;
  /** Serializes the model to ONNX protobuf bytes. */
  build(options?: { opset?: number; producer?: string; docString?: string }): Uint8Array;
}

function valueInfo(name: string, shape: (number | string)[], type: TensorElementType) {
  return {
    name,
    type: {
      tensorType: {
        elemType: type,
        shape: { dim: shape.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function tensorRawData(data: ArrayLike<number>, type: TensorElementType): Uint8Array {
  const n = data.length;
  if (type === TensorType.float) return new Uint8Array(Float32Array.from(data).buffer);
  if (type === TensorType.double) return new Uint8Array(Float64Array.from(data).buffer);
  const ints = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    if (!Number.isSafeInteger(v)) throw new Error(`int64 initializer value ${v} at index ${i} is not a safe integer`);
    ints[i] = BigInt(v);
  }
  return new Uint8Array(ints.buffer);
}

function attributeProto(name: string, a: AttributeValue) {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.kind) {
    case "int":
      return { name, type: T.INT, i: a.value };
    case "float":
      return { name, type: T.FLOAT, f: a.value };
    case "ints":
      return { name, type: T.INTS, ints: a.value };
    case "floats":
      return { name, type: T.FLOATS, floats: a.value };
    case "string":
      return { name, type: T.STRING, s: new TextEncoder().encode(a.value) };
  }
}

/**
 * Creates a builder for an arbitrary ONNX graph. Used for reference models and for tests that need
 * unusual graphs (unsupported ops, odd shapes).
 */
export function createGraphBuilder(graphName = "model"): GraphBuilder {
  const inputs: ReturnType<typeof valueInfo>[] = [];
  const outputs: ReturnType<typeof valueInfo>[] = [];
  const initializers: object[] = [];
  const nodes: object[] = [];
  const builder: GraphBuilder = {
    input(name, shape, type = TensorType.float) {
      inputs.push(valueInfo(name, shape, type));
      return builder;
    },
    output(name, shape, type = TensorType.float) {
      outputs.push(valueInfo(name, shape, type));
      return builder;
    },
    initializer(name, dims, data, type = TensorType.float) {
      const size = dims.reduce((a, b) => a * b, 1);
      if (size !== data.length) {
        throw new Error(`initializer ${name}: dims [${dims}] hold ${size} values but ${data.length} were given`);
      }
      initializers.push({ name, dims, dataType: type, rawData: tensorRawData(data, type) });
      return builder;
    },
    node(opType, nodeInputs, nodeOutputs, attributes = {}, name) {
      nodes.push({
        name: name ?? `${opType}_${nodes.length}`,
        opType,
        input: nodeInputs,
        output: nodeOutputs,
        attribute: Object.entries(attributes).map(([k, v]) => attributeProto(k, v)),
      });
      return builder;
    },
    build(options = {}) {
      const model = onnx.ModelProto.create({
        irVersion: ONNX_IR_VERSION,
        producerName: options.producer ?? "opg-zkml",
        docString: options.docString ?? "",
        opsetImport: [{ domain: "", version: options.opset ?? ONNX_OPSET }],
        graph: { name: graphName, input: inputs, output: outputs, initializer: initializers, node: nodes },
      });
      return onnx.ModelProto.encode(model).finish();
    },
  };
  return builder;
}

/** One dense layer: `y = W·x + b`, optionally followed by ReLU. */
export interface DenseLayerSpec {
  /** `weights[out][in]` (the PyTorch `nn.Linear` layout). */
  weights: number[][];
  /** One bias per output. */
  bias: number[];
  /** Apply ReLU after this layer. */
  relu: boolean;
}

/** Options of {@link buildMlp}. */
export interface MlpSpec {
  layers: DenseLayerSpec[];
  /** Input shape including the batch dimension, e.g. `[1, 4]` or `[1, 1, 28, 28]` (flattened first). */
  inputShape: number[];
  /** `"gemm"` (default) emits Gemm(transB=1); `"matmul"` emits MatMul + Add with a transposed weight. */
  linearOp?: "gemm" | "matmul";
  inputName?: string;
  outputName?: string;
}

/** Checks that layer sizes chain. */
function checkMlp(spec: MlpSpec): void {
  if (spec.layers.length === 0) throw new Error("buildMlp: at least one layer is required");
  if (spec.inputShape[0] !== 1) throw new Error(`buildMlp: batch size must be 1, got inputShape [${spec.inputShape}]`);
  let width = spec.inputShape.slice(1).reduce((a, b) => a * b, 1);
  spec.layers.forEach((layer, i) => {
    if (layer.weights.length === 0) throw new Error(`buildMlp: layer ${i} has no outputs`);
    layer.weights.forEach((row, o) => {
      if (row.length !== width)
        throw new Error(`buildMlp: layer ${i} row ${o} has ${row.length} weights, expected ${width}`);
    });
    if (layer.bias.length !== layer.weights.length) {
      throw new Error(`buildMlp: layer ${i} has ${layer.bias.length} biases for ${layer.weights.length} outputs`);
    }
    width = layer.weights.length;
  });
}

/**
 * Builds a float32 multi-layer perceptron as ONNX bytes (batch 1). Inputs of rank > 2 are flattened.
 *
 * @example buildMlp({ inputShape: [1, 2], layers: [{ weights: [[1, -1]], bias: [0], relu: true }] })
 */
export function buildMlp(spec: MlpSpec): Uint8Array {
  checkMlp(spec);
  const inputName = spec.inputName ?? "input";
  const outputName = spec.outputName ?? "output";
  const g = createGraphBuilder("mlp").input(inputName, spec.inputShape);
  let current = inputName;
  if (spec.inputShape.length !== 2) {
    g.node("Flatten", [current], ["flat"], { axis: attr.int(1) }, "flatten");
    current = "flat";
  }
  spec.layers.forEach((layer, i) => {
    const outs = layer.weights.length;
    const last = i === spec.layers.length - 1;
    const linearOut = last && !layer.relu ? outputName : `dense${i}`;
    const ins = layer.weights[0]!.length;
    if ((spec.linearOp ?? "gemm") === "gemm") {
      g.initializer(`W${i}`, [outs, ins], layer.weights.flat());
      g.initializer(`b${i}`, [outs], layer.bias);
      g.node("Gemm", [current, `W${i}`, `b${i}`], [linearOut], { transB: attr.int(1) }, `gemm${i}`);
    } else {
      const transposed = Array.from({ length: ins }, (_, c) => layer.weights.map((row) => row[c]!)).flat();
      g.initializer(`W${i}`, [ins, outs], transposed);
      g.initializer(`b${i}`, [outs], layer.bias);
      g.node("MatMul", [current, `W${i}`], [`mm${i}`], {}, `matmul${i}`);
      g.node("Add", [`mm${i}`, `b${i}`], [linearOut], {}, `add${i}`);
    }
    current = linearOut;
    if (layer.relu) {
      const reluOut = last ? outputName : `relu${i}`;
      g.node("Relu", [current], [reluOut], {}, `relu${i}`);
      current = reluOut;
    }
  });
  g.output(outputName, [1, spec.layers.at(-1)!.weights.length]);
  return g.build();
}
