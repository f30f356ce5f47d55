import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import {
  attr,
  buildMlp,
  createGraphBuilder,
  floatForward,
  packLayout,
  packValues,
  parseNetwork,
  readModel,
  unpackValues,
  ZkmlError,
} from "../../../zkml/index.ts";
import { allOpsGraph, randomVectors } from "./helpers.ts";

/** ORT's float output vs the compiler's parsed network on random inputs. */
async function expectParsedMatchesOrt(bytes: Uint8Array, inputShape: number[], inputName = "x") {
  const net = parseNetwork(readModel(bytes));
  const session = await ort.InferenceSession.create(bytes);
  const size = inputShape.reduce((a, b) => a * b, 1);
  for (const x of randomVectors(20, size, -2, 2, 5)) {
    const res = await session.run({ [inputName]: new ort.Tensor("float32", Float32Array.from(x), inputShape) });
    const ref = Array.from(Object.values(res)[0]!.data as Float32Array);
    const mine = floatForward(net, x).at(-1)!;
    for (const [i, v] of mine.entries()) expect(v).toBeCloseTo(ref[i]!, 4);
  }
  await session.release();
  return net;
}

const W = randomVectors(6, 6, -1, 1, 9);

describe("ONNX writer and reader", () => {
  it("builds an MLP (Gemm) that onnxruntime runs and the reader parses back", async () => {
    const bytes = buildMlp({
      inputShape: [1, 1, 2, 3],
      inputName: "x",
      layers: [
        { weights: W.slice(0, 4), bias: [0.1, 0.2, -0.3, 0], relu: true },
        { weights: W.slice(4, 6).map((r) => r.slice(0, 4)), bias: [0, 1], relu: false },
      ],
    });
    const model = readModel(bytes);
    expect(model.nodes.map((n) => n.opType)).toEqual(["Flatten", "Gemm", "Relu", "Gemm"]);
    expect(model.initializers.get("W0")!.dims).toEqual([4, 6]);
    const net = await expectParsedMatchesOrt(bytes, [1, 1, 2, 3]);
    expect(net.layers.map((l) => l.relu)).toEqual([true, false]);
    expect(net.outputShape).toEqual([1, 2]);
  });

  it("parses MatMul + Add, Reshape, Identity, standalone Add/Relu and Gemm alpha/beta/transB=0", async () => {
    const g = allOpsGraph();
    const net = await expectParsedMatchesOrt(g, [1, 6]);
    // Relu(x) → identity layer; MatMul+Add+Relu → one layer (double Relu idempotent); Add(c2) → identity layer; Gemm.
    expect(net.layers.map((l) => [l.weights.length, l.relu])).toEqual([
      [6, true],
      [3, true],
      [3, false],
      [2, false],
    ]);
  });

  it("rejects a branching graph and batch size > 1, naming the node", () => {
    const branch = createGraphBuilder()
      .input("x", [1, 2])
      .initializer("W", [2, 2], [1, 0, 0, 1])
      .node("Gemm", ["x", "W"], ["h"], { transB: attr.int(1) }, "g1")
      .node("Add", ["h", "x"], ["y"], {}, "residual")
      .output("y", [1, 2]);
    expect(() => parseNetwork(readModel(branch.build()))).toThrow(/node residual \(Add\)/);
    const batch = createGraphBuilder()
      .input("x", [2, 2])
      .initializer("W", [2, 2], [1, 0, 0, 1])
      .node("Gemm", ["x", "W"], ["y"], {}, "g")
      .output("y", [2, 2]);
    expect(() => parseNetwork(readModel(batch.build()))).toThrow(/batch size 1/);
  });

  it("reader rejects garbage and graphs reading undefined tensors", () => {
    expect(() => readModel(new Uint8Array([1, 2, 3, 4, 5]), "junk.onnx")).toThrow(ZkmlError);
    const dangling = createGraphBuilder().input("x", [1, 2]).node("Relu", ["nope"], ["y"], {}, "r").output("y", [1, 2]);
    expect(() => readModel(dangling.build())).toThrow(/node r \(Relu\) reads "nope"/);
  });
});

describe("packing", () => {
  it("round-trips signed values, 15 per word at 16 bits, and checks ranges", () => {
    const layout = packLayout(16);
    expect(layout.valuesPerWord).toBe(15);
    const values = Array.from({ length: 40 }, (_, i) => BigInt((i * 7919) % 65536) - 32768n);
    const words = packValues(values, layout);
    expect(words).toHaveLength(3);
    for (const w of words) expect(w < 1n << 253n).toBe(true);
    expect(unpackValues(words, 40, layout)).toEqual(values);
    expect(() => packValues([32768n], layout)).toThrow(/outside/);
    expect(() => packValues([-32769n], layout)).toThrow(/outside/);
    expect(() => unpackValues(words, 46, layout)).toThrow(/expected 4 words, got 3/);
  });
});
