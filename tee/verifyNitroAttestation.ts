import { verify, type X509Certificate } from "node:crypto";
import { type Address, bytesToHex, concatBytes, type Hex, keccak256 } from "viem";
import { parseCoseSign1 } from "./coseSign1.ts";
import { enclaveSigner } from "./enclaveSigner.ts";
import { TeeError } from "./errors.ts";
import { pinnedRootSha256 } from "./nitroRoot.ts";
import { type NitroPayload, parseNitroPayload } from "./parseNitroPayload.ts";
import { type CertificateValidity, verifyCertificateChain } from "./verifyCertificateChain.ts";

/** The only digest Nitro documents use; PCRs are SHA-384 values. */
const NITRO_DIGEST = "SHA384";
const PCR_BYTES = 48;
/** PCR0 (enclave image), PCR1 (kernel and boot ramfs), PCR2 (application): what identifies the code. */
const MEASURED_PCRS = [0, 1, 2] as const;

/** Options of {@link verifyNitroAttestation}. */
export interface VerifyNitroAttestationOptions {
  /** When to check certificate validity: a `Date`, or unix seconds. Default: now. */
  readonly at?: Date | number;
  /** The trusted root: its DER, or its SHA-256 in hex. Default: {@link AWS_NITRO_ROOT_SHA256}. */
  readonly root?: Uint8Array | string;
}

/** What a verified Nitro attestation says. */
export interface NitroAttestation {
  readonly moduleId: string;
  /** When the NSM produced the document, in milliseconds since the epoch (not seconds). */
  readonly timestamp: number;
  readonly digest: typeof NITRO_DIGEST;
  /** Every PCR the document reports, index → hex. */
  readonly pcrs: Record<number, Hex>;
  /** `keccak256(PCR0 ‖ PCR1 ‖ PCR2)`: the code measurement the on-chain registry binds keys to. */
  readonly measurement: Hex;
  readonly publicKey: Hex | null;
  readonly userData: Hex | null;
  readonly nonce: Hex | null;
  /** The Ethereum account the enclave bound (see {@link enclaveSigner}), or null. */
  readonly signer: Address | null;
  /** Unix seconds in which the whole certificate chain is valid (the leaf lives about 3 hours). */
  readonly certificateValidity: CertificateValidity;
}

function atMilliseconds(at: Date | number | undefined): number {
  const ms = at === undefined ? Date.now() : at instanceof Date ? at.getTime() : at * 1000;
  if (!Number.isFinite(ms) || ms < 0) {
    throw new TeeError("invalid-argument", `verification time must be a valid Date or unix seconds ≥ 0, got ${at}`);
  }
  return ms;
}

function measuredPcrs(payload: NitroPayload): Uint8Array[] {
  if (payload.digest !== NITRO_DIGEST) {
    throw new TeeError("bad-digest", `digest is "${payload.digest}", expected "${NITRO_DIGEST}"`);
  }
  for (const [index, pcr] of payload.pcrs) {
    if (pcr.length !== PCR_BYTES) {
      throw new TeeError("malformed-document", `PCR${index} is ${pcr.length} bytes, expected ${PCR_BYTES}`);
    }
  }
  return MEASURED_PCRS.map((index) => {
    const pcr = payload.pcrs.get(index);
    if (pcr === undefined) throw new TeeError("malformed-document", `payload has no PCR${index}`);
    return pcr;
  });
}

function verifyDocumentSignature(signedBytes: Uint8Array, signature: Uint8Array, leaf: X509Certificate): void {
  const curve = leaf.publicKey.asymmetricKeyDetails?.namedCurve;
  if (leaf.publicKey.asymmetricKeyType !== "ec" || curve !== "secp384r1") {
    throw new TeeError(
      "unsupported-algorithm",
      `leaf certificate key is ${curve ?? leaf.publicKey.asymmetricKeyType}, expected P-384`,
    );
  }
  const ok = verify("sha384", signedBytes, { key: leaf.publicKey, dsaEncoding: "ieee-p1363" }, signature);
  if (!ok) throw new TeeError("bad-signature", "ES384 signature does not verify with the leaf certificate's key");
}

/**
 * Verifies an AWS Nitro Enclave attestation document (CBOR COSE_Sign1, ES384) and returns what it
 * attests. Checks, in order: CBOR and COSE structure, ES384 in the protected header, the payload's
 * fields, digest SHA384 and 48-byte PCRs, the certificate chain from the pinned root to the leaf
 * (every certificate valid at `at`), the signature over `["Signature1", protected, h'', payload]`
 * with the leaf's P-384 key, and that PCR0, PCR1 and PCR2 are all non-zero (a debug-mode enclave
 * reports zeros and would attest to anything). Throws a {@link TeeError} naming the reason.
 *
 * Freshness is the caller's: compare `timestamp` (ms) and `nonce` with what you expect.
 */
export function verifyNitroAttestation(
  document: Uint8Array,
  options: VerifyNitroAttestationOptions = {},
): NitroAttestation {
  const atMs = atMilliseconds(options.at);
  const rootSha256 = pinnedRootSha256(options.root);
  const cose = parseCoseSign1(document);
  const payload = parseNitroPayload(cose.payload);
  const measured = measuredPcrs(payload);
  const chain = verifyCertificateChain(payload.cabundle, payload.certificate, { atMs, rootSha256 });
  verifyDocumentSignature(cose.signedBytes, cose.signature, chain.leaf);
  const zero = MEASURED_PCRS.filter((index) => measured[index]!.every((byte) => byte === 0));
  if (zero.length > 0) {
    throw new TeeError("debug-enclave", `PCR${zero.join(", PCR")} all zero: a debug-mode enclave, refused`);
  }
  const hexOrNull = (bytes: Uint8Array | null) => (bytes === null ? null : bytesToHex(bytes));
  return {
    moduleId: payload.moduleId,
    timestamp: payload.timestamp,
    digest: NITRO_DIGEST,
    pcrs: Object.fromEntries([...payload.pcrs].map(([index, pcr]) => [index, bytesToHex(pcr)])),
    measurement: keccak256(concatBytes(measured)),
    publicKey: hexOrNull(payload.publicKey),
    userData: hexOrNull(payload.userData),
    nonce: hexOrNull(payload.nonce),
    signer: enclaveSigner(payload.publicKey, payload.userData),
    certificateValidity: chain.validity,
  };
}
