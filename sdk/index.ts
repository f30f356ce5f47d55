/**
 * The OPG HACA client SDK: request verifiable inferences and consume their results with viem. ESM, viem
 * only, nothing Node-specific (checked by `test/ts/sdk/browser.test.ts`), so dApps bundle it for browsers.
 * ABIs, enums and struct types come from `abi/` (generated from the build artifacts). Guide: docs/sdk.md.
 */
export * from "../abi/index.ts";
export { OpgError } from "../common/errors.ts";
export { approve, getFeeToken } from "./actions/approve.ts";
export {
  type CommittedLog,
  type GetInferenceParameters,
  getInference,
  INFERENCE_STATUS,
  type Inference,
  type InferenceStatus,
  type RefundedLog,
  type RequestedLog,
  type SettledLog,
  type SlashedLog,
} from "./actions/getInference.ts";
export { getRequestState, type RequestState } from "./actions/getRequestState.ts";
export type { InferenceReorg, WaitForInferenceParameters } from "./actions/pollInference.ts";
export { type Quote, quote } from "./actions/quote.ts";
export {
  type RequestParameters,
  type RequestPayment,
  type RequestResult,
  request,
} from "./actions/request.ts";
export {
  type ResolveExpiredParameters,
  type ResolveExpiredResult,
  refund,
  slash,
} from "./actions/resolveExpired.ts";
export { type PermitSignature, signPermit } from "./actions/signPermit.ts";
export { type CommittedInference, waitForCommitment } from "./actions/waitForCommitment.ts";
export { type SettledInference, waitForSettlement } from "./actions/waitForSettlement.ts";
export {
  type InferenceUpdate,
  type WatchInferencesParameters,
  watchInferences,
} from "./actions/watchInferences.ts";
export { type WriteAndWaitParameters, waitForSuccess, writeAndWait } from "./actions/writeAndWait.ts";
export type { ReadClient, SdkClients } from "./clients.ts";
export { createOpgClient, type OpgClient, type OpgClientConfig } from "./createOpgClient.ts";
export {
  type DeployedModel,
  DeploymentInvalidError,
  type OpgDeployment,
  parseDeployment,
} from "./deployment.ts";
export {
  type DecodedOutput,
  decodeOutput,
  encodeInput,
  type ModelCodec,
  type ModelManifest,
  modelCodec,
  type ZkModelManifest,
} from "./encoding.ts";
export {
  ContractRevertError,
  decodeRevert,
  EventMissingError,
  InferenceDroppedError,
  InferenceError,
  InferenceFailedError,
  InferenceTimeoutError,
  REVERT_HINTS,
  TransactionRevertedError,
  withDecodedRevert,
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
export {
  contentUri,
  encodeResultTensors,
  type FetchTeeOutputsOptions,
  fetchTeeOutputs,
  TeeContentUnavailableError,
} from "./teeModel/teeOutputs.ts";
