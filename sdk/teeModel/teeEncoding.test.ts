import { describe, expect, it } from "vitest";
import { createPrng } from "../../zkml/index.ts";
import {
  contentHash,
  decodeInlineTensor,
  decodeTensorReference,
  decodeTensors,
  encodeInlineTensor,
  encodeTensorReference,
  encodeTensors,
  tensorFromBytes,
  tensorToBytes,
  verifyReferencedContent,
} from "./teeEncoding.ts";
import { TeeDataError } from "./teeError.ts";
import { parseTeeManifest, type TensorSpec, tensorWordCount } from "./teeManifest.ts";

/** The BN254 scalar field: the hub refuses any request or result word at or above it. */
const SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

const f32 = (shape: number[], encoding: TensorSpec["encoding"] = { kind: "inline" }): TensorSpec => ({
  name: "t",
  dtype: "float32",
  shape,
  encoding,
});
const i64 = (shape: number[]): TensorSpec => ({ name: "t", dtype: "int64", shape, encoding: { kind: "inline" } });

function expectAllInField(words: readonly bigint[]) {
  for (const w of words) expect(w >= 0n && w < SCALAR_FIELD).toBe(true);
}

describe("inline tensors", () => {
  it("round-trips float32 bit for bit, 7 values per word, special values included", () => {
    const prng = createPrng(7);
    const values = Float32Array.from({ length: 100 }, () => (prng.next() - 0.5) * 1e6);
    values.set([0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 1e-45, 3.4028234663852886e38]);
    const spec = f32([4, 25]);
    const words = encodeInlineTensor(spec, values);
    expect(words).toHaveLength(Math.ceil(100 / 7));
    expectAllInField(words);
    const back = decodeInlineTensor(spec, words) as Float32Array;
    expect(new Uint32Array(back.buffer)).toEqual(new Uint32Array(values.buffer));
  });

  it("round-trips int64 extremes, 3 values per word", () => {
    const values = BigInt64Array.from([0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 42n]);
    const spec = i64([5]);
    const words = encodeInlineTensor(spec, values);
    expect(words).toHaveLength(2);
    expectAllInField(words);
    expect(decodeInlineTensor(spec, words)).toEqual(values);
    expect(encodeInlineTensor(spec, [0, -1, 2n ** 63n - 1n, -(2n ** 63n), 42] as unknown as bigint[])).toEqual(words);
  });

  it("refuses bits outside the used slots, a wrong count and values that do not fit", () => {
    const spec = f32([1, 2]);
    const [word] = encodeInlineTensor(spec, [0.5, 0.25]);
    expect(() => decodeInlineTensor(spec, [word! | (1n << 64n)])).toThrow(/bits beyond its 2 values/);
    expect(() => decodeInlineTensor(spec, [word!, 0n])).toThrow(TeeDataError);
    expect(() => encodeInlineTensor(spec, [1, 2, 3])).toThrow(/3 values, shape \[1,2\] needs 2/);
    expect(() => encodeInlineTensor(i64([1]), [2n ** 63n])).toThrow(/is not an int64/);
  });
});

describe("tensors by reference", () => {
  const spec = f32([1, 3, 48, 192], { kind: "reference", maxUriBytes: 248 });

  it("round-trips hash and URI; every word is below the scalar field", () => {
    const bytes = tensorToBytes(spec, new Float32Array(3 * 48 * 192).fill(-1));
    const reference = { contentHash: contentHash(bytes), uri: "file:///tmp/opg/tee/sample-1.f32" };
    const words = encodeTensorReference(spec, reference);
    expect(words).toHaveLength(tensorWordCount(spec));
    expect(words).toHaveLength(3 + 8);
    expectAllInField(words);
    expect(decodeTensorReference(spec, words)).toEqual(reference);
    expect(verifyReferencedContent(spec, reference, bytes)).toEqual(new Float32Array(3 * 48 * 192).fill(-1));
  });

  it("keeps a non-ASCII URI of exactly the bound and refuses one over it", () => {
    const long = `data:,${"é".repeat(121)}`; // 6 + 242 bytes = 248
    const reference = { contentHash: contentHash(new Uint8Array([1])), uri: long };
    expect(decodeTensorReference(spec, encodeTensorReference(spec, reference)).uri).toBe(long);
    expect(() => encodeTensorReference(spec, { ...reference, uri: `${long}x` })).toThrow(/249 bytes/);
  });

  it("refuses tampered content, content of the wrong size and non-canonical words", () => {
    const bytes = tensorToBytes(spec, new Float32Array(3 * 48 * 192));
    const reference = { contentHash: contentHash(bytes), uri: "https://example.org/x" };
    const tampered = bytes.slice();
    tampered[7] = 1;
    expect(() => verifyReferencedContent(spec, reference, tampered)).toThrow(/does not match its hash/);
    expect(() => tensorFromBytes(spec, bytes.subarray(4))).toThrow(/content is 110588 bytes, expected 110592/);
    const words = encodeTensorReference(spec, reference);
    const padded = [...words];
    padded[10] = 1n; // a byte after the URI's end
    expect(() => decodeTensorReference(spec, padded)).toThrow(/must be zero/);
    const long = [...words];
    long[2] = 249n;
    expect(() => decodeTensorReference(spec, long)).toThrow(/URI length 249/);
  });
});

describe("manifest sides", () => {
  const manifest = parseTeeManifest({
    format: "opg-tee-model",
    version: 1,
    name: "mixed",
    onnx: { sha256: "0".repeat(64), file: "m.onnx" },
    inputs: [
      { name: "image", dtype: "float32", shape: [1, 2, 2], encoding: { kind: "reference", maxUriBytes: 62 } },
      { name: "ids", dtype: "int64", shape: [1, 4], encoding: { kind: "inline" } },
    ],
    outputs: [{ name: "p", dtype: "float32", shape: [1, 2], encoding: { kind: "inline" }, labels: ["a", "b"] }],
    words: { input: 5 + 2, output: 1 },
  });

  it("encodes and decodes every tensor of a side in manifest order", () => {
    const image = tensorToBytes(manifest.inputs[0]!, [1, 2, 3, 4]);
    const reference = { contentHash: contentHash(image), uri: "data:application/octet-stream;base64,AAAA" };
    const words = encodeTensors(manifest.inputs, { image: reference, ids: [1n, -2n, 3n, 4n] });
    expect(words).toHaveLength(manifest.words.input);
    const [decodedImage, decodedIds] = decodeTensors(manifest.inputs, words);
    expect(decodedImage).toMatchObject({ kind: "reference", ...reference });
    expect(decodedIds).toMatchObject({ kind: "inline", values: BigInt64Array.from([1n, -2n, 3n, 4n]) });
    expect(() => encodeTensors(manifest.inputs, { image: reference })).toThrow(/ids: missing/);
    expect(() => decodeTensors(manifest.inputs, words.slice(1))).toThrow(/6 words, the manifest's tensors take 7/);
  });

  it("names a manifest whose word counts or labels disagree with its tensors", () => {
    expect(() =>
      parseTeeManifest({
        ...manifest,
        words: { input: 6, output: 1 },
        outputs: [{ ...manifest.outputs[0], labels: ["a"] }],
      }),
    ).toThrow(/words.input is 6, the input tensors take 7; p: 1 labels for a last dimension of 2/);
  });
});
