import { OpgError } from "../common/errors.ts";
import { argmax, type Manifest, packLayout, packValues, quantizeValues, unpackValues } from "../zkml/codec.ts";
import { teeCodec } from "./teeEncoding.ts";
import type { TeeManifest } from "./teeModel/teeManifest.ts";

/**
 * The parts of a ZK model's `manifest.json` (written by `opg model compile`) that say how values travel
 * in words: the scales and the packing of the input and output sections. The whole parsed JSON fits.
 */
export type ZkModelManifest = {
  name?: string;
  scales: Pick<Manifest["scales"], "inputFractionBits" | "outputFractionBits">;
  publicSignals: Pick<Manifest["publicSignals"], "input" | "output">;
};

/** A model's manifest as the SDK takes it: a ZK manifest, or a TEE model's (`format: "opg-tee-model"`, see
 * `teeEncoding.ts`). */
export type ModelManifest = ZkModelManifest | { format: "opg-tee-model"; name?: string; [key: string]: unknown };

/** A decoded output: integers as the model computed them, the floats they stand for, and the class. */
export type DecodedOutput = {
  /** The quantized output values (exactly what the circuit proved). */
  values: bigint[];
  /** The values in the model's domain (value / 2^outputFractionBits). */
  floats: number[];
  /** Index of the largest value (the first on ties): the predicted class. */
  argmax: number;
  /** `labels[argmax]`, when labels were given. */
  label?: string;
};

/** How a model's floats become words and words floats: the seam that lets TEE encodings plug in. */
export type ModelCodec = {
  encodeInput(values: readonly number[]): bigint[];
  decodeOutput(words: readonly bigint[]): { values: bigint[]; floats: number[] };
};

/** The codec of a compiled ZK model: round to its input scale, saturate, pack; unpack and rescale. */
function zkCodec(manifest: ZkModelManifest): ModelCodec {
  const { input, output } = manifest.publicSignals;
  const { inputFractionBits, outputFractionBits } = manifest.scales;
  const inputLayout = packLayout(input.bitsPerValue, BigInt(input.min));
  const outputLayout = packLayout(output.bitsPerValue, BigInt(output.min));
  return {
    encodeInput(values) {
      if (values.length !== input.values) {
        throw new OpgError(`the model takes ${input.values} input values, got ${values.length}`);
      }
      values.forEach((v, i) => {
        if (typeof v !== "number" || !Number.isFinite(v)) throw new OpgError(`input ${i} is not a finite number: ${v}`);
      });
      const max = input.min + 2 ** input.bitsPerValue - 1;
      return packValues(quantizeValues([...values], inputFractionBits, input.min, max), inputLayout);
    },
    decodeOutput(words) {
      const values = unpackValues([...words], output.values, outputLayout);
      return { values, floats: values.map((v) => Number(v) / 2 ** outputFractionBits) };
    },
  };
}

/** The codec for `manifest`: ZK manifests carry their packing; TEE ones go through `teeCodec`. */
export function modelCodec(manifest: ModelManifest): ModelCodec {
  if ("publicSignals" in manifest) return zkCodec(manifest as ZkModelManifest);
  return teeCodec(manifest);
}

/**
 * Encodes float inputs in the model's domain (e.g. 8 features in [-1, 1] for the demo risk model) into
 * the words `request` sends, from the model's manifest alone: rounded to the model's input scale,
 * saturated to its range, packed as the circuit reads them.
 *
 * @throws OpgError for a wrong count or a value that is not a finite number.
 */
export function encodeInput(manifest: ModelManifest, values: readonly number[]): bigint[] {
  return modelCodec(manifest).encodeInput(values);
}

/**
 * Decodes committed output words (`waitForCommitment(...).output`) into the model's values, the floats
 * they stand for and the predicted class (`labels[argmax]` when labels are given, e.g. `["low",
 * "medium", "high"]`). Rejects words the circuit would not accept (count, field, stray bits).
 */
export function decodeOutput(
  manifest: ModelManifest,
  words: readonly bigint[],
  { labels }: { labels?: readonly string[] } = {},
): DecodedOutput {
  const codec = modelCodec(manifest);
  const { values, floats } = codec.decodeOutput(words);
  const best = argmax(floats);
  const decoded: DecodedOutput = { values, floats, argmax: best };
  // A TEE manifest names its classes; labels given by the caller win.
  const named = labels ?? ("manifest" in codec ? (codec.manifest as TeeManifest).outputs[0]?.labels : undefined);
  if (named?.[best] !== undefined) decoded.label = named[best];
  return decoded;
}
