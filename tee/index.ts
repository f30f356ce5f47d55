/**
 * TEE verification mode, off chain: AWS Nitro attestation documents verified against the pinned AWS
 * root, and the EIP-712 result signature an attested enclave key produces for `ITeeResultVerifier`.
 *
 * The only entry point of `tee/`: code outside the folder imports from this file (enforced by
 * biome's `noRestrictedImports`), so what is not exported here is free to change.
 */

// The `opg tee …` commands.
export { registerTeeCommands } from "./cli.ts";
export { type CborKey, type CborTagged, type CborValue, decodeCbor } from "./decodeCbor.ts";
export { enclaveSigner } from "./enclaveSigner.ts";
export { encodeCbor } from "./encodeCbor.ts";
export { TeeError, type TeeErrorReason } from "./errors.ts";
export { AWS_NITRO_ROOT_SHA256 } from "./nitroRoot.ts";
// Result signatures (`ITeeResultVerifier`).
export {
  encodeTeeSignature,
  hashWords,
  signTeeResult,
  TEE_RESULT_DOMAIN,
  TEE_RESULT_TYPES,
  TEE_SIGNATURE_BYTES,
  type TeeResult,
  type TeeResultDomain,
  teeResultTypedData,
} from "./teeResult.ts";
export type { CertificateValidity } from "./verifyCertificateChain.ts";
// Attestation.
export {
  type NitroAttestation,
  type VerifyNitroAttestationOptions,
  verifyNitroAttestation,
} from "./verifyNitroAttestation.ts";
