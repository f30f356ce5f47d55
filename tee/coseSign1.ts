import { type CborValue, decodeCbor } from "./decodeCbor.ts";
import { encodeCbor } from "./encodeCbor.ts";
import { TeeError } from "./errors.ts";

/** COSE algorithm id of ECDSA with SHA-384 (RFC 9053), the only one Nitro uses. */
export const COSE_ALG_ES384 = -35;
const HEADER_ALG = 1;
/** ES384 signatures are r‖s, 48 bytes each. */
const ES384_SIGNATURE_BYTES = 96;

/** The parts of a COSE_Sign1 message (RFC 9052 §4.2) a verifier needs. */
export interface CoseSign1 {
  /** The protected header exactly as encoded (it is signed as these bytes). */
  readonly protectedHeader: Uint8Array;
  readonly payload: Uint8Array;
  /** Raw r‖s. */
  readonly signature: Uint8Array;
  /** The bytes the signature covers: `["Signature1", protected, h'', payload]` in CBOR. */
  readonly signedBytes: Uint8Array;
}

function malformed(what: string): never {
  throw new TeeError("malformed-document", `COSE_Sign1 ${what}`);
}

/**
 * Parses a COSE_Sign1 message, tagged (18) or not, and checks that its protected header names
 * ES384 and nothing else. Refuses with `malformed-cbor`, `malformed-document` or
 * `unsupported-algorithm`; verifying the signature is the caller's job.
 */
export function parseCoseSign1(document: Uint8Array): CoseSign1 {
  let top: CborValue = decodeCbor(document);
  if (top !== null && typeof top === "object" && "tag" in top) top = top.value;
  if (!Array.isArray(top) || top.length !== 4) malformed("is not an array of 4 items");
  const [protectedHeader, unprotected, payload, signature] = top;
  if (!(protectedHeader instanceof Uint8Array)) malformed("protected header is not a byte string");
  // The unprotected header is not signed: it must be a map, and nothing in it is read.
  if (!(unprotected instanceof Map)) malformed("unprotected header is not a map");
  if (!(payload instanceof Uint8Array)) malformed("payload is not a byte string (detached payloads are not supported)");
  if (!(signature instanceof Uint8Array)) malformed("signature is not a byte string");
  checkProtectedHeader(protectedHeader);
  if (signature.length !== ES384_SIGNATURE_BYTES) {
    throw new TeeError(
      "bad-signature",
      `ES384 signature is ${signature.length} bytes, expected ${ES384_SIGNATURE_BYTES}`,
    );
  }
  const signedBytes = encodeCbor(["Signature1", protectedHeader, new Uint8Array(0), payload]);
  return { protectedHeader, payload, signature, signedBytes };
}

function checkProtectedHeader(encoded: Uint8Array): void {
  if (encoded.length === 0) throw new TeeError("unsupported-algorithm", "protected header is empty: no algorithm");
  const header = decodeCbor(encoded);
  if (!(header instanceof Map)) malformed("protected header is not a map");
  const alg = header.get(HEADER_ALG);
  if (alg !== COSE_ALG_ES384) {
    throw new TeeError(
      "unsupported-algorithm",
      `protected header alg is ${alg === undefined ? "missing" : String(alg)}, expected ES384 (${COSE_ALG_ES384})`,
    );
  }
  // Any other label (e.g. `crit`) could change how the message must be processed: refuse what we do not read.
  const others = [...header.keys()].filter((label) => label !== HEADER_ALG);
  if (others.length > 0) malformed(`protected header has labels other than alg: ${others.join(", ")}`);
}
