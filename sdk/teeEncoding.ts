import type { ModelCodec } from "./encoding.ts";
import { decodeTensors, encodeTensors } from "./teeModel/teeEncoding.ts";
import { TeeDataError } from "./teeModel/teeError.ts";
import { type TeeManifest, TeeManifestSchema } from "./teeModel/teeManifest.ts";

/**
 * The codec of a TEE-mode model, from its manifest (`sdk/teeModel/`): a model with one inline input takes its
 * values; a model whose input travels by reference (an image, a prompt) is encoded with `encodeTensors` and a
 * `{ contentHash, uri }` instead, and says so. Outputs decode from the first output tensor: `floats` are its
 * values, `values` the same values as integers where the tensor holds int64 (float32 values are not integers:
 * `values` is then empty).
 */
export function teeCodec(raw: unknown): ModelCodec & { manifest: TeeManifest } {
  const manifest = TeeManifestSchema.parse(raw);
  return {
    manifest,
    encodeInput(values) {
      const [only, ...rest] = manifest.inputs;
      if (!only || rest.length > 0 || only.encoding.kind !== "inline") {
        throw new TeeDataError(
          "invalid-tensor",
          `${manifest.name} takes ${manifest.inputs.map((s) => `${s.name} (${s.encoding.kind})`).join(", ")}: ` +
            "build its words with encodeTensors(manifest.inputs, { name: values or { contentHash, uri } })",
        );
      }
      return encodeTensors(manifest.inputs, { [only.name]: values });
    },
    decodeOutput(words) {
      const [first] = decodeTensors(manifest.outputs, words);
      if (!first || first.kind !== "inline") {
        throw new TeeDataError("invalid-tensor", `${manifest.name}: the first output is not inline`);
      }
      const integers = first.values instanceof BigInt64Array ? Array.from(first.values) : [];
      return { values: integers, floats: Array.from(first.values, Number) };
    },
  };
}
