/**
 * OPG model compiler: ONNX → quantized integer model + sound circom circuit → Groth16 artifacts,
 * Solidity verifier and manifest; plus loading a compiled model for inference and proving.
 */
export { type CompileOptions, compileModel } from "./compileModel.ts";
export { INPUT_SIGNAL } from "./compiler/generateCircuit.ts";
export { SUPPORTED_OPS } from "./compiler/parseNetwork.ts";
export { ZkmlError, type ZkmlErrorCode } from "./errors.ts";
export { type CompiledModel, type ExecutionProvider, loadCompiledModel } from "./loadCompiledModel.ts";
export { ARTIFACT_FILES, MANIFEST_VERSION, type Manifest, ManifestSchema } from "./manifest.ts";
export { type PackLayout, packLayout, packValues, SNARK_SCALAR_FIELD, unpackValues } from "./packing.ts";
export { encodeProof, type Groth16Proof, proofToUints, verifierArgs } from "./proofEncoding.ts";
export { releaseProverThreads } from "./releaseProverThreads.ts";
