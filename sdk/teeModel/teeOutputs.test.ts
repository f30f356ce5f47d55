import { describe, expect, it } from "vitest";
import { contentHash, decodeTensorReference, tensorToBytes } from "./teeEncoding.ts";
import { parseTeeManifest, type TensorSpec } from "./teeManifest.ts";
import { contentUri, encodeResultTensors, fetchTeeOutputs } from "./teeOutputs.ts";

const manifest = parseTeeManifest({
  format: "opg-tee-model",
  version: 1,
  name: "two outputs",
  onnx: { sha256: "0".repeat(64), file: "model.onnx" },
  inputs: [{ name: "x", dtype: "float32", shape: [1, 2], encoding: { kind: "inline" } }],
  outputs: [
    { name: "scores", dtype: "float32", shape: [1, 2], encoding: { kind: "inline" } },
    { name: "mask", dtype: "int64", shape: [2, 2], encoding: { kind: "reference", maxUriBytes: 248 } },
  ],
  words: { input: 1, output: 1 + 3 + 8 },
});
const scores = new Float32Array([0.25, 0.75]);
const mask = new BigInt64Array([1n, -2n, 3n, -4n]);

describe("TEE outputs by reference", () => {
  it("encodes a referenced output as its hash and <base><hash>, and returns the content to publish", () => {
    const { words, contents } = encodeResultTensors(manifest.outputs, [scores, mask], {
      contentBaseUrl: "https://node.example/content/",
    });
    const bytes = tensorToBytes(manifest.outputs[1]!, mask);
    expect(contents).toEqual([null, bytes]);
    const reference = decodeTensorReference(manifest.outputs[1]!, words.slice(1));
    expect(reference.contentHash).toBe(contentHash(bytes));
    expect(reference.uri).toBe(contentUri("https://node.example/content/", contentHash(bytes)));
  });

  it("needs a content base URL for an output by reference", () => {
    expect(() => encodeResultTensors(manifest.outputs, [scores, mask])).toThrow(/mask is returned by reference/);
  });

  it("fetches a referenced output, checks it against the signed hash, and refuses other bytes", async () => {
    const bytes = tensorToBytes(manifest.outputs[1]!, mask);
    // A data: URI: the real fetch, no server needed; the words name it as a node's URL would.
    const dataUrl = `data:application/octet-stream;base64,${Buffer.from(bytes).toString("base64")}`;
    const specs: TensorSpec[] = [...manifest.outputs];
    const { words } = encodeResultTensors(specs, [scores, mask], { contentBaseUrl: "https://node.example/content/" });
    const viaData = { fetch: (_uri: string, init: { signal?: AbortSignal }) => fetch(dataUrl, init) };
    const [first, second] = await fetchTeeOutputs(manifest, words, viaData);
    expect(first).toEqual(scores);
    expect(second).toEqual(mask);

    const tampered = bytes.slice();
    tampered[0] = tampered[0]! ^ 1;
    const lying = { fetch: async () => new Response(tampered) };
    await expect(fetchTeeOutputs(manifest, words, lying)).rejects.toThrow(/content-mismatch: mask: .* does not match/);
    const gone = { fetch: async () => new Response("gone", { status: 404 }) };
    await expect(fetchTeeOutputs(manifest, words, gone)).rejects.toMatchObject({
      name: "TeeContentUnavailableError",
      retryable: true,
    });
  });
});
