import onnxProto from "onnx-proto";
import { ZkmlError } from "../errors.ts";

const { onnx } = onnxProto;

/** A constant tensor of the graph, values widened to JS numbers. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  data: number[];
}

/** A graph node with attributes decoded to plain values. */
export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, number | number[] | string>;
}

/** A graph input or output: name, shape (number or symbolic name per dimension) and element type. */
export interface OnnxValueInfo {
  name: string;
  shape: (number | string)[];
  elemType: number;
}

/** A parsed, structurally validated ONNX model. */
export interface OnnxModel {
  opset: number;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializers: Map<string, OnnxTensor>;
  nodes: OnnxNode[];
}

const DT = onnx.TensorProto.DataType;

function toNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (v && typeof v === "object" && "toNumber" in v) return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

function rawValues(t: onnxProto.onnx.ITensorProto, name: string): number[] {
  const raw = t.rawData!;
  const buf = new Uint8Array(raw).slice().buffer; // copy: protobuf slices are unaligned
  switch (t.dataType) {
    case DT.FLOAT:
      return Array.from(new Float32Array(buf));
    case DT.DOUBLE:
      return Array.from(new Float64Array(buf));
    case DT.INT64:
      return Array.from(new BigInt64Array(buf), Number);
    case DT.INT32:
      return Array.from(new Int32Array(buf));
    default:
      throw new ZkmlError("UnsupportedModel", `initializer ${name} has unsupported data type ${t.dataType}`);
  }
}

function decodeTensor(t: onnxProto.onnx.ITensorProto): OnnxTensor {
  const name = t.name ?? "";
  const dims = (t.dims ?? []).map(toNumber);
  let data: number[];
  if (t.rawData && t.rawData.length > 0) data = rawValues(t, name);
  else if (t.floatData?.length) data = t.floatData.slice();
  else if (t.doubleData?.length) data = t.doubleData.slice();
  else if (t.int64Data?.length) data = t.int64Data.map(toNumber);
  else if (t.int32Data?.length) data = t.int32Data.slice();
  else data = [];
  const size = dims.reduce((a, b) => a * b, 1);
  if (data.length !== size) {
    throw new ZkmlError(
      "CorruptModel",
      `initializer ${name}: dims [${dims}] need ${size} values, found ${data.length}`,
    );
  }
  return { name, dims, dataType: t.dataType ?? 0, data };
}

function decodeAttribute(a: onnxProto.onnx.IAttributeProto): number | number[] | string {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.INT:
      return toNumber(a.i);
    case T.FLOAT:
      return a.f ?? 0;
    case T.INTS:
      return (a.ints ?? []).map(toNumber);
    case T.FLOATS:
      return a.floats ?? [];
    case T.STRING:
      return new TextDecoder().decode(a.s ?? new Uint8Array());
    default:
      return `<attribute type ${a.type}>`;
  }
}

function decodeValueInfo(v: onnxProto.onnx.IValueInfoProto): OnnxValueInfo {
  const tt = v.type?.tensorType;
  const dims = tt?.shape?.dim ?? [];
  return {
    name: v.name ?? "",
    elemType: tt?.elemType ?? 0,
    shape: dims.map((d) => (d.dimParam ? d.dimParam : toNumber(d.dimValue ?? 0))),
  };
}

/**
 * Parses ONNX protobuf bytes and checks the graph's structure: it has a graph, inputs and outputs,
 * every node input is produced by a graph input, an initializer or an earlier node (topological order).
 *
 * @throws ZkmlError `CorruptModel` when the bytes are not a valid ONNX model.
 */
export function readModel(bytes: Uint8Array, source = "model"): OnnxModel {
  let proto: onnxProto.onnx.ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (cause) {
    throw new ZkmlError("CorruptModel", `${source} is not a valid ONNX model (protobuf decoding failed)`, { cause });
  }
  const graph = proto.graph;
  if (!graph || (graph.node ?? []).length === 0 || (graph.output ?? []).length === 0) {
    throw new ZkmlError("CorruptModel", `${source} is not a valid ONNX model: it has no graph, nodes or outputs`);
  }
  const opset = (proto.opsetImport ?? []).find((o) => !o.domain || o.domain === "ai.onnx");
  const initializers = new Map<string, OnnxTensor>();
  for (const t of graph.initializer ?? []) initializers.set(t.name ?? "", decodeTensor(t));
  const inputs = (graph.input ?? []).map(decodeValueInfo).filter((i) => !initializers.has(i.name));
  if (inputs.length === 0) throw new ZkmlError("CorruptModel", `${source} has no graph input`);
  const nodes: OnnxNode[] = (graph.node ?? []).map((n, i) => ({
    name: n.name || `${n.opType}_${i}`,
    opType: n.opType ?? "",
    domain: n.domain ?? "",
    inputs: n.input ?? [],
    outputs: n.output ?? [],
    attributes: Object.fromEntries((n.attribute ?? []).map((a) => [a.name ?? "", decodeAttribute(a)])),
  }));
  const known = new Set<string>([...inputs.map((i) => i.name), ...initializers.keys(), ""]);
  for (const n of nodes) {
    const missing = n.inputs.find((i) => !known.has(i));
    if (missing !== undefined) {
      throw new ZkmlError(
        "CorruptModel",
        `${source}: node ${n.name} (${n.opType}) reads "${missing}", which nothing produces before it`,
      );
    }
    for (const o of n.outputs) known.add(o);
  }
  const outputs = (graph.output ?? []).map(decodeValueInfo);
  const unproduced = outputs.find((o) => !known.has(o.name));
  if (unproduced) throw new ZkmlError("CorruptModel", `${source}: graph output ${unproduced.name} is never produced`);
  return { opset: toNumber(opset?.version ?? 0), inputs, outputs, initializers, nodes };
}
