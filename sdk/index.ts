/**
 * The OPG HACA client SDK: request verifiable inferences and wait for their results with viem. ESM, viem
 * only, nothing Node-specific, so dApps bundle it for browsers. ABIs, enums and struct types come from
 * `abi/` (generated from the build artifacts).
 */
export * from "../abi/index.ts";
export { OpgError } from "../common/errors.ts";
export { approve, getFeeToken } from "./actions/approve.ts";
export { getRequestState, type RequestState } from "./actions/getRequestState.ts";
export { type Quote, quote } from "./actions/quote.ts";
export { type RequestParameters, type RequestResult, request } from "./actions/request.ts";
export { type PermitSignature, signPermit } from "./actions/signPermit.ts";
export {
  type CommittedLog,
  type InferenceResult,
  type InferenceStage,
  type SettledLog,
  type WaitForInferenceParameters,
  waitForInference,
} from "./actions/waitForInference.ts";
export { type WriteAndWaitParameters, waitForSuccess, writeAndWait } from "./actions/writeAndWait.ts";
export type { ReadClient, SdkClients } from "./clients.ts";
export {
  EventMissingError,
  InferenceError,
  InferenceFailedError,
  InferenceTimeoutError,
  TransactionRevertedError,
} from "./errors.ts";
// TEE models: manifests and the word encoding of their tensors (Node-free, for browsers too).
export {
  contentHash,
  type DecodedTensor,
  decodeInlineTensor,
  decodeTensorReference,
  decodeTensors,
  encodeInlineTensor,
  encodeTensorReference,
  encodeTensors,
  type TensorInput,
  type TensorReference,
  type TensorValues,
  tensorFromBytes,
  tensorToBytes,
  toTensorValues,
  verifyReferencedContent,
} from "./teeModel/teeEncoding.ts";
export { TeeDataError, type TeeDataErrorReason } from "./teeModel/teeError.ts";
export {
  BYTES_PER_VALUE,
  MAX_MODEL_WORDS,
  parseTeeManifest,
  TEE_MANIFEST_FORMAT,
  TEE_MANIFEST_VERSION,
  type TeeManifest,
  TeeManifestSchema,
  type TensorDtype,
  type TensorSpec,
  teeManifestHash,
  tensorSize,
  tensorWordCount,
  URI_BYTES_PER_WORD,
  VALUES_PER_WORD,
  wordCount,
} from "./teeModel/teeManifest.ts";
