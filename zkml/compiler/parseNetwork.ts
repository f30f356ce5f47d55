import { ZkmlError } from "../errors.ts";
import type { OnnxModel, OnnxNode, OnnxTensor } from "../onnx/readModel.ts";

/** Ops the compiler understands (batch size 1). */
export const SUPPORTED_OPS = ["Gemm", "MatMul", "Add", "Relu", "Flatten", "Reshape", "Identity"] as const;

/** A dense layer in the float domain: `y = W·x + b`, then ReLU when `relu`. */
export interface FloatDense {
  /** `weights[out][in]`. */
  weights: number[][];
  bias: number[];
  relu: boolean;
  /** ONNX nodes this layer came from (for messages). */
  nodes: string[];
}

/** The model as a chain of dense layers acting on one flattened vector. */
export interface FloatNetwork {
  inputName: string;
  inputShape: number[];
  outputShape: number[];
  layers: FloatDense[];
}

interface Dyn {
  name: string;
  shape: number[];
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function unsupported(node: OnnxNode, why: string): never {
  throw new ZkmlError("UnsupportedModel", `node ${node.name} (${node.opType}): ${why}`, {
    details: `Supported: ${SUPPORTED_OPS.join(", ")} on a single chain, batch size 1.`,
  });
}

/** Walks the graph in order, turning each op into dense layers / reshapes of the one live vector. */
function createWalker(model: OnnxModel) {
  const consts = model.initializers;
  const layers: FloatDense[] = [];
  let live: Dyn;
  let lastWasLinear = false;
  let reluIsLast = false;

  const input = model.inputs[0]!;
  const inputShape = input.shape.map((d, i) => (typeof d === "number" && d > 0 ? d : i === 0 ? 1 : Number.NaN));
  if (inputShape.some(Number.isNaN) || inputShape[0] !== 1) {
    throw new ZkmlError("UnsupportedModel", `input ${input.name} has shape [${input.shape}]`, {
      details: "The input needs fixed dimensions with batch size 1 (a symbolic first dimension is read as 1).",
    });
  }
  live = { name: input.name, shape: inputShape };

  function takeLive(node: OnnxNode, name: string | undefined): void {
    if (name !== live.name)
      unsupported(node, `reads "${name}", not the current activation (branching graphs are not supported)`);
  }
  function constant(node: OnnxNode, name: string | undefined): OnnxTensor {
    const t = name === undefined ? undefined : consts.get(name);
    if (!t) unsupported(node, `operand "${name}" must be a constant (initializer)`);
    return t;
  }
  function needVector(node: OnnxNode): number {
    if (live.shape.length !== 2 || live.shape[0] !== 1) {
      unsupported(node, `needs a [1, K] input, got [${live.shape}] (add a Flatten before it)`);
    }
    return live.shape[1]!;
  }
  function pushDense(node: OnnxNode, weights: number[][], bias: number[]): void {
    layers.push({ weights, bias, relu: false, nodes: [node.name] });
    live = { name: node.outputs[0]!, shape: [1, weights.length] };
    lastWasLinear = true;
  }
  function broadcastBias(node: OnnxNode, t: OnnxTensor, n: number, scale = 1): number[] {
    if (t.data.length === 1) return Array(n).fill(t.data[0]! * scale);
    if (t.data.length === n) return t.data.map((v) => v * scale);
    return unsupported(node, `bias ${t.name} has ${t.data.length} values, expected 1 or ${n}`);
  }

  function gemm(node: OnnxNode): void {
    takeLive(node, node.inputs[0]);
    const k = needVector(node);
    const a = node.attributes;
    if ((a.transA ?? 0) !== 0) unsupported(node, "transA=1 is not supported");
    const alpha = Number(a.alpha ?? 1);
    const beta = Number(a.beta ?? 1);
    const w = constant(node, node.inputs[1]);
    if (w.dims.length !== 2) unsupported(node, `weight ${w.name} must be 2-D, got [${w.dims}]`);
    const transB = (a.transB ?? 0) !== 0;
    const [rows, cols] = w.dims as [number, number];
    const [kDim, n] = transB ? [cols, rows] : [rows, cols];
    if (kDim !== k) unsupported(node, `weight ${w.name} [${w.dims}] does not fit input [${live.shape}]`);
    const weights = Array.from({ length: n }, (_, o) =>
      Array.from({ length: k }, (_, i) => alpha * w.data[transB ? o * cols + i : i * cols + o]!),
    );
    const c = node.inputs[2] ? constant(node, node.inputs[2]) : undefined;
    pushDense(node, weights, c ? broadcastBias(node, c, n, beta) : Array(n).fill(0));
  }

  function matmul(node: OnnxNode): void {
    takeLive(node, node.inputs[0]);
    const k = needVector(node);
    const w = constant(node, node.inputs[1]);
    if (w.dims.length !== 2 || w.dims[0] !== k)
      unsupported(node, `weight ${w.name} [${w.dims}] does not fit input [${live.shape}]`);
    const n = w.dims[1]!;
    pushDense(
      node,
      Array.from({ length: n }, (_, o) => Array.from({ length: k }, (_, i) => w.data[i * n + o]!)),
      Array(n).fill(0),
    );
  }

  function add(node: OnnxNode): void {
    const [x, y] = node.inputs;
    const constName = x === live.name ? y : x;
    takeLive(node, x === live.name ? x : y);
    const n = size(live.shape);
    const c = constant(node, constName);
    const bias = broadcastBias(node, c, n);
    const prev = layers.at(-1);
    if (lastWasLinear && prev && !prev.relu && live.shape.length === 2) {
      prev.bias = prev.bias.map((b, i) => b + bias[i]!);
      prev.nodes.push(node.name);
      live = { name: node.outputs[0]!, shape: live.shape };
      return;
    }
    const identity = Array.from({ length: n }, (_, o) => Array.from({ length: n }, (_, i) => (i === o ? 1 : 0)));
    const shape = live.shape;
    pushDense(node, identity, bias);
    live.shape = shape;
  }

  function relu(node: OnnxNode): void {
    takeLive(node, node.inputs[0]);
    const prev = layers.at(-1);
    if (prev && lastWasLinear) {
      prev.relu = true;
      prev.nodes.push(node.name);
    } else if (!reluIsLast) {
      // ReLU of the input or of a rescaled value: an identity layer whose rescale step yields the sign bit.
      const n = size(live.shape);
      const identity = Array.from({ length: n }, (_, o) => Array.from({ length: n }, (_, i) => (i === o ? 1 : 0)));
      layers.push({ weights: identity, bias: Array(n).fill(0), relu: true, nodes: [node.name] });
    } // else ReLU of a ReLU: idempotent, nothing to add.
    reluIsLast = true;
    lastWasLinear = false;
    live = { name: node.outputs[0]!, shape: live.shape };
  }

  function reshape(node: OnnxNode): void {
    takeLive(node, node.inputs[0]);
    const n = size(live.shape);
    let shape: number[];
    if (node.opType === "Flatten") {
      const axis = Number(node.attributes.axis ?? 1);
      const ax = axis < 0 ? axis + live.shape.length : axis;
      shape = [size(live.shape.slice(0, ax)), size(live.shape.slice(ax))];
    } else if (node.opType === "Reshape") {
      const target = constant(node, node.inputs[1]).data.map((d, i) => (d === 0 ? live.shape[i]! : d));
      const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      shape = target.map((d) => (d === -1 ? n / known : d));
    } else shape = live.shape;
    if (size(shape) !== n || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
      unsupported(node, `cannot reshape [${live.shape}] to [${shape}]`);
    }
    live = { name: node.outputs[0]!, shape };
  }

  function step(node: OnnxNode): void {
    if (node.domain && node.domain !== "ai.onnx") unsupported(node, `op domain "${node.domain}" is not supported`);
    if (!["Relu", "Flatten", "Reshape", "Identity"].includes(node.opType)) reluIsLast = false;
    switch (node.opType) {
      case "Gemm":
        gemm(node);
        return;
      case "MatMul":
        matmul(node);
        return;
      case "Add":
        add(node);
        return;
      case "Relu":
        relu(node);
        return;
      case "Flatten":
      case "Reshape":
      case "Identity":
        lastWasLinear = lastWasLinear && node.opType === "Identity";
        reshape(node);
        return;
      default:
        throw new ZkmlError("UnsupportedOp", `unsupported op ${node.opType} in node ${node.name}`, {
          details: `Supported ops: ${SUPPORTED_OPS.join(", ")} (batch size 1).`,
        });
    }
  }
  return { step, layers, live: () => live, inputShape };
}

/**
 * Turns a parsed ONNX graph into a chain of float dense layers. Every op outside
 * {@link SUPPORTED_OPS}, any branching, and any shape the compiler cannot handle is a `ZkmlError`
 * naming the node.
 */
export function parseNetwork(model: OnnxModel): FloatNetwork {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new ZkmlError(
      "UnsupportedModel",
      `the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs; exactly one of each is supported`,
    );
  }
  const walker = createWalker(model);
  for (const node of model.nodes) walker.step(node);
  const out = walker.live();
  if (out.name !== model.outputs[0]!.name) {
    throw new ZkmlError(
      "UnsupportedModel",
      `graph output ${model.outputs[0]!.name} is not the end of the layer chain (${out.name})`,
    );
  }
  if (walker.layers.length === 0)
    throw new ZkmlError("UnsupportedModel", "the model has no Gemm, MatMul, Add or Relu layer");
  return {
    inputName: model.inputs[0]!.name,
    inputShape: walker.inputShape,
    outputShape: out.shape,
    layers: walker.layers,
  };
}
