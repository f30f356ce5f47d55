import { z } from "zod";

/**
 * Manifest format version; bump on incompatible changes. 2: per-section packing (input and output
 * widths and minimums differ), per-layer output ranges. 3: the batch verifier (batch-verifier.sol/.json).
 */
export const MANIFEST_VERSION = 3;

const PackSection = z.object({
  values: z.number().int().positive(),
  words: z.number().int().positive(),
  /** Index of this section's first word in publicSignals. */
  offset: z.number().int().nonnegative(),
  /** Each value v is stored as v − min in `bitsPerValue` bits, `valuesPerWord` per word. */
  bitsPerValue: z.number().int().positive(),
  valuesPerWord: z.number().int().positive(),
  min: z.number().int(),
});

const QuantLayerInfo = z.object({
  inputs: z.number().int(),
  outputs: z.number().int(),
  relu: z.boolean(),
  weightFractionBits: z.number().int(),
  outputFractionBits: z.number().int(),
  shift: z.number().int(),
  quotientBits: z.number().int(),
  /** Output = clamp(floor(z / 2^shift), outputMin, outputMax); the clamp at 0 is the ReLU. */
  outputMin: z.number().int(),
  outputMax: z.number().int(),
  nodes: z.array(z.string()),
});

/** Schema of `<dir>/manifest.json`. */
export const ManifestSchema = z.object({
  version: z.literal(MANIFEST_VERSION),
  name: z.string(),
  /** sha256 of the source ONNX file. */
  modelHash: z.string().regex(/^0x[0-9a-f]{64}$/),
  constraints: z.number().int().positive(),
  inputShape: z.array(z.number().int().positive()),
  outputShape: z.array(z.number().int().positive()),
  /** Value = integer / 2^fractionBits (power-of-two scales). */
  scales: z.object({
    activationBits: z.number().int(),
    weightBits: z.number().int(),
    /** Input values are integers in [publicSignals.input.min, min + 2^inputBits). */
    inputBits: z.number().int(),
    inputFractionBits: z.number().int(),
    outputFractionBits: z.number().int(),
    saturation: z.literal("clamp"),
    layers: z.array(QuantLayerInfo),
  }),
  publicSignals: z.object({
    inputWords: z.number().int().positive(),
    outputWords: z.number().int().positive(),
    order: z.literal("output++input"),
    /** Value j of a word sits at bits [B·j, B·(j+1)) as the unsigned offset v − min. */
    encoding: z.literal("offset-binary (v - min), little-endian within word"),
    input: PackSection,
    output: PackSection,
  }),
  accuracy: z.object({
    samples: z.number().int(),
    source: z.enum(["calibration", "random"]),
    maxAbsError: z.number(),
    meanAbsError: z.number(),
    argmaxAgreement: z.number().nullable(),
  }),
  calibration: z.object({
    source: z.enum(["given", "random"]),
    samples: z.number().int(),
    inputRange: z.tuple([z.number(), z.number()]).nullable(),
  }),
  ptau: z.object({
    file: z.string(),
    power: z.number().int(),
    insecure: z.boolean(),
    source: z.enum(["hermez", "user", "dev"]),
    blake2b: z.string(),
  }),
  files: z.object({
    circuit: z.string(),
    r1cs: z.string(),
    wasm: z.string(),
    zkey: z.string(),
    verificationKey: z.string(),
    verifierSol: z.string(),
    verifierJson: z.string(),
    /** The model's on-chain verifier (`IBatchProofVerifier`, also `IProofVerifier`): source and compiled. */
    batchVerifierSol: z.string(),
    batchVerifierJson: z.string(),
    quantizedModel: z.string(),
    sym: z.string(),
  }),
  /** file → sha256 (hex). */
  artifacts: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
  compiler: z.object({ circom: z.string(), snarkjs: z.string(), optimization: z.string() }),
  createdAt: z.string(),
});

/** Parsed `manifest.json`. */
export type Manifest = z.infer<typeof ManifestSchema>;

/** File names inside a compiled model directory. */
export const ARTIFACT_FILES = {
  circuit: "circuit.circom",
  r1cs: "circuit.r1cs",
  wasm: "circuit.wasm",
  zkey: "circuit.zkey",
  verificationKey: "verification_key.json",
  verifierSol: "verifier.sol",
  verifierJson: "verifier.json",
  batchVerifierSol: "batch-verifier.sol",
  batchVerifierJson: "batch-verifier.json",
  quantizedModel: "model.quantized.onnx",
  sym: "circuit.sym",
} as const;
