/**
 * OPG model compiler: ONNX → quantized integer model + sound circom circuit → Groth16 artifacts,
 * Solidity verifier and manifest; plus loading a compiled model for inference and proving.
 *
 * The only entry point of `zkml/`: code outside the folder imports from this file (enforced by
 * biome's `noRestrictedImports`), so what is not exported here is free to change.
 */

// Compiling, loading and proving.
export { argmax } from "./argmax.ts";
// The `opg model …` commands.
export { registerModelCommands } from "./cli.ts";
export { type CompileOptions, compileModel } from "./compileModel.ts";
// Compiler stages and file formats, for benchmarks and tests that look inside a compiled model.
export { type ClampKind, clampKind, generateCircuit, INPUT_SIGNAL } from "./compiler/generateCircuit.ts";
export { type FloatNetwork, parseNetwork, SUPPORTED_OPS } from "./compiler/parseNetwork.ts";
export {
  floatForward,
  networkLayouts,
  type QuantDense,
  type QuantNetwork,
  quantForward,
  quantizeInput,
  quantizeNetwork,
  quantTrace,
} from "./compiler/quantize.ts";
export { zkmlConfig } from "./config.ts";
export { ZkmlError, type ZkmlErrorCode } from "./errors.ts";
export {
  type CompiledModel,
  createSession as createOnnxSession,
  type ExecutionProvider,
  loadCompiledModel,
} from "./loadCompiledModel.ts";
export { ARTIFACT_FILES, MANIFEST_VERSION, type Manifest, ManifestSchema } from "./manifest.ts";
export { type OnnxModel, readModel } from "./onnx/readModel.ts";
export {
  attr,
  buildMlp,
  createGraphBuilder,
  type DenseLayerSpec,
  type MlpSpec,
  TensorType,
} from "./onnx/writeModel.ts";
export { type PackLayout, packLayout, packValues, SNARK_SCALAR_FIELD, unpackValues } from "./packing.ts";
export { createPrng, type Prng } from "./prng.ts";
export { createProgress, type Progress } from "./progress.ts";
export { encodeProof, type Groth16Proof, proofToUints, verifierArgs } from "./proofEncoding.ts";
export { type R1cs, readR1cs } from "./readR1cs.ts";
export { releaseProverThreads } from "./releaseProverThreads.ts";
export {
  type BatchVerifierOptions,
  type Groth16VerificationKey,
  parseVerificationKey,
  renderBatchVerifier,
  verificationKeyHash,
} from "./setup/batchVerifierSolidity.ts";
export { buildBatchVerifier, buildSolidityVerifier } from "./setup/buildArtifacts.ts";
export { witnessInput } from "./witnessInput.ts";
