import { type Hex, keccak256 } from "viem";
import { z } from "zod";
import { TeeDataError } from "./teeError.ts";

/** `format` of a TEE model manifest. */
export const TEE_MANIFEST_FORMAT = "opg-tee-model";
/** Version of the manifest schema this code reads and writes. */
export const TEE_MANIFEST_VERSION = 1;
/** Bytes of a URI packed into one word (31, so a word stays below the BN254 scalar field the hub checks). */
export const URI_BYTES_PER_WORD = 31;
/** `ModelRegistry.MAX_WORDS`: the most words a request's input or a result's output may have. */
export const MAX_MODEL_WORDS = 64;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits");

/** How a tensor travels in request or result words. */
const TensorEncodingSchema = z.discriminatedUnion("kind", [
  /** The values themselves, several per word (float32: 7, int64: 3). */
  z.object({ kind: z.literal("inline") }).strict(),
  /**
   * keccak256 of the raw tensor bytes (two 128-bit words), the URI's byte length (one word) and the URI
   * (31 bytes per word, `ceil(maxUriBytes / 31)` words, unused words zero).
   */
  z
    .object({
      kind: z.literal("reference"),
      maxUriBytes: z
        .number()
        .int()
        .min(1)
        .max(URI_BYTES_PER_WORD * 60),
    })
    .strict(),
]);

/** One input or output tensor of a TEE model. */
const TensorSpecSchema = z
  .object({
    /** The ONNX graph's input or output name (read from the model, not guessed). */
    name: z.string().min(1),
    dtype: z.enum(["float32", "int64"]),
    /** Every dimension fixed: the manifest pins the graph's dynamic dimensions. */
    shape: z.array(z.number().int().positive()).min(1).max(8),
    encoding: TensorEncodingSchema,
    /** Names of the last dimension's entries (e.g. class labels). */
    labels: z.array(z.string()).optional(),
    /** How raw data becomes this tensor (e.g. normalization), for dApps that build inputs. */
    preprocessing: z.string().optional(),
  })
  .strict();

/** Where the ONNX file comes from: a file next to the manifest, or a path inside an npm package. */
const OnnxSourceSchema = z
  .object({
    /** sha256 of the ONNX file: the model's identity (a node refuses a file that differs). */
    sha256: sha256Hex,
    /** Path relative to the manifest's directory. */
    file: z.string().min(1).optional(),
    /** A file inside an installed npm package (exact version). */
    package: z
      .object({ name: z.string().min(1), version: z.string().min(1), path: z.string().min(1) })
      .strict()
      .optional(),
    license: z.string().optional(),
  })
  .strict()
  .refine((o) => (o.file === undefined) !== (o.package === undefined), "give exactly one of file and package");

/** A TEE model manifest (format and word encoding: `docs/tee-enclave-protocol.md`). */
export const TeeManifestSchema = z
  .object({
    format: z.literal(TEE_MANIFEST_FORMAT),
    version: z.literal(TEE_MANIFEST_VERSION),
    name: z.string().min(1),
    description: z.string().optional(),
    onnx: OnnxSourceSchema,
    inputs: z.array(TensorSpecSchema).min(1),
    outputs: z.array(TensorSpecSchema).min(1),
    /** Word counts registered on chain: the sum of the tensors' word counts, in order. */
    words: z.object({ input: z.number().int().min(1), output: z.number().int().min(1) }).strict(),
  })
  .strict();

/** A TEE model manifest. */
export type TeeManifest = z.infer<typeof TeeManifestSchema>;
/** One tensor of a TEE manifest. */
export type TensorSpec = z.infer<typeof TensorSpecSchema>;
/** Element type of a TEE tensor. */
export type TensorDtype = TensorSpec["dtype"];

/** Values per inline word: float32 bit patterns are 32 bits (7 × 32 = 224), int64 values 64 bits (3 × 64 = 192). */
export const VALUES_PER_WORD: Readonly<Record<TensorDtype, number>> = { float32: 7, int64: 3 };
/** Bytes per value in referenced content (little-endian, row-major). */
export const BYTES_PER_VALUE: Readonly<Record<TensorDtype, number>> = { float32: 4, int64: 8 };
/** Words of a reference before the URI: content hash high 128 bits, low 128 bits, URI byte length. */
export const REFERENCE_HEADER_WORDS = 3;

/** Number of values in a tensor of this spec. */
export function tensorSize(spec: Pick<TensorSpec, "shape">): number {
  return spec.shape.reduce((a, b) => a * b, 1);
}

/** Words one tensor takes in request or result words. */
export function tensorWordCount(spec: TensorSpec): number {
  if (spec.encoding.kind === "inline") return Math.ceil(tensorSize(spec) / VALUES_PER_WORD[spec.dtype]);
  return REFERENCE_HEADER_WORDS + Math.ceil(spec.encoding.maxUriBytes / URI_BYTES_PER_WORD);
}

/** Words of all tensors of one side, in order. */
export function wordCount(specs: readonly TensorSpec[]): number {
  return specs.reduce((sum, spec) => sum + tensorWordCount(spec), 0);
}

function consistencyErrors(m: TeeManifest): string[] {
  const errors: string[] = [];
  for (const [side, specs, declared] of [
    ["input", m.inputs, m.words.input],
    ["output", m.outputs, m.words.output],
  ] as const) {
    const words = wordCount(specs);
    if (words !== declared) errors.push(`words.${side} is ${declared}, the ${side} tensors take ${words}`);
    if (words > MAX_MODEL_WORDS) errors.push(`${side} takes ${words} words, the registry allows ${MAX_MODEL_WORDS}`);
    const names = new Set(specs.map((s) => s.name));
    if (names.size !== specs.length) errors.push(`${side} tensor names repeat`);
    for (const s of specs) {
      if (s.labels && s.labels.length !== s.shape.at(-1)) {
        errors.push(`${s.name}: ${s.labels.length} labels for a last dimension of ${s.shape.at(-1)}`);
      }
    }
  }
  return errors;
}

/** Validates a parsed manifest JSON (schema, then word counts and labels); names every problem. */
export function parseTeeManifest(json: unknown): TeeManifest {
  const parsed = TeeManifestSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new TeeDataError("invalid-manifest", "the TEE manifest breaks its schema", { details: lines.join("; ") });
  }
  const errors = consistencyErrors(parsed.data);
  if (errors.length > 0) {
    throw new TeeDataError("invalid-manifest", "the TEE manifest is inconsistent", { details: errors.join("; ") });
  }
  return parsed.data;
}

/** The manifest hash a TEE model registers (`ModelRegistry.register`'s `manifestHash`): keccak256 of the file's bytes. */
export function teeManifestHash(manifestBytes: Uint8Array): Hex {
  return keccak256(manifestBytes);
}
