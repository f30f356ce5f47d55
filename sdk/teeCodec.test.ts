import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeOutput, encodeInput } from "./encoding.ts";
import { encodeTensors } from "./teeModel/teeEncoding.ts";
import { TeeManifestSchema } from "./teeModel/teeManifest.ts";

const manifest = JSON.parse(
  readFileSync(join(import.meta.dirname, "..", "models", "tee", "ppocr-cls", "manifest.json"), "utf8"),
);

describe("encodeInput / decodeOutput for a TEE model's manifest", () => {
  it("decodes the OCR classifier's inline softmax with the manifest's labels", () => {
    const { outputs } = TeeManifestSchema.parse(manifest);
    const words = encodeTensors(outputs, { "softmax_0.tmp_0": [0.125, 0.875] });
    const decoded = decodeOutput(manifest, words);
    expect(decoded.floats).toEqual([0.125, 0.875]);
    expect(decoded.argmax).toBe(1);
    expect(decoded.label).toBe("180°");
    expect(decodeOutput(manifest, words, { labels: ["up", "down"] }).label).toBe("down");
  });

  it("names the by-reference input instead of packing values it cannot carry", () => {
    expect(() => encodeInput(manifest, [1, 2, 3])).toThrow(/x \(reference\).*encodeTensors/);
  });

  it("refuses words of the wrong count", () => {
    expect(() => decodeOutput(manifest, [1n, 2n])).toThrow(/2 words/);
  });
});
