import { type CborKey, type CborValue, decodeCbor } from "./decodeCbor.ts";
import { TeeError } from "./errors.ts";

/** PCR indexes Nitro reports: 0…31 (AWS documents 0–8 in use; the NSM allows 32). */
const MAX_PCR_INDEX = 31;
/** AWS bounds `public_key`, `user_data` and `nonce` at 1024 bytes. */
const MAX_ENCLAVE_FIELD_BYTES = 1024;

/** The fields of a Nitro attestation payload (AWS "Attestation document specification"). */
export interface NitroPayload {
  readonly moduleId: string;
  readonly digest: string;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly pcrs: ReadonlyMap<number, Uint8Array>;
  /** The enclave's leaf certificate, DER. */
  readonly certificate: Uint8Array;
  /** CA certificates, DER, root first. */
  readonly cabundle: readonly Uint8Array[];
  readonly publicKey: Uint8Array | null;
  readonly userData: Uint8Array | null;
  readonly nonce: Uint8Array | null;
}

function malformed(what: string): never {
  throw new TeeError("malformed-document", `payload ${what}`);
}

function field(map: Map<CborKey, CborValue>, key: string): CborValue {
  const value = map.get(key);
  if (value === undefined) malformed(`has no "${key}"`);
  return value;
}

function bytesField(map: Map<CborKey, CborValue>, key: string): Uint8Array {
  const value = field(map, key);
  if (!(value instanceof Uint8Array)) malformed(`"${key}" is not a byte string`);
  return value;
}

/** An enclave-chosen field: absent and null both mean "not set". */
function optionalBytes(map: Map<CborKey, CborValue>, key: string): Uint8Array | null {
  const value = map.get(key);
  if (value === undefined || value === null) return null;
  if (!(value instanceof Uint8Array)) malformed(`"${key}" is neither a byte string nor null`);
  if (value.length > MAX_ENCLAVE_FIELD_BYTES)
    malformed(`"${key}" is ${value.length} bytes, over ${MAX_ENCLAVE_FIELD_BYTES}`);
  return value;
}

function parsePcrs(value: CborValue): Map<number, Uint8Array> {
  if (!(value instanceof Map) || value.size === 0) malformed(`"pcrs" is not a non-empty map`);
  const pcrs = new Map<number, Uint8Array>();
  for (const [index, pcr] of value) {
    if (typeof index !== "number" || index < 0 || index > MAX_PCR_INDEX) {
      malformed(`"pcrs" has index ${String(index)}, outside 0…${MAX_PCR_INDEX}`);
    }
    if (!(pcr instanceof Uint8Array)) malformed(`PCR${index} is not a byte string`);
    pcrs.set(index, pcr);
  }
  return pcrs;
}

function parseCabundle(value: CborValue): Uint8Array[] {
  if (!Array.isArray(value) || value.length === 0) malformed(`"cabundle" is not a non-empty array`);
  return value.map((cert, i) => {
    if (!(cert instanceof Uint8Array)) malformed(`cabundle[${i}] is not a byte string`);
    return cert;
  });
}

/**
 * Decodes a Nitro attestation payload (a CBOR map) and checks each field's type. Values are not
 * judged here (digest, PCR lengths, certificates): {@link verifyNitroAttestation} does that.
 */
export function parseNitroPayload(payload: Uint8Array): NitroPayload {
  const map = decodeCbor(payload);
  if (!(map instanceof Map)) malformed("is not a CBOR map");
  const moduleId = field(map, "module_id");
  if (typeof moduleId !== "string" || moduleId.length === 0) malformed(`"module_id" is not a non-empty text string`);
  const digest = field(map, "digest");
  if (typeof digest !== "string") malformed(`"digest" is not a text string`);
  const timestamp = field(map, "timestamp");
  if (typeof timestamp !== "number" || timestamp <= 0) malformed(`"timestamp" is not a positive integer`);
  return {
    moduleId,
    digest,
    timestamp,
    pcrs: parsePcrs(field(map, "pcrs")),
    certificate: bytesField(map, "certificate"),
    cabundle: parseCabundle(field(map, "cabundle")),
    publicKey: optionalBytes(map, "public_key"),
    userData: optionalBytes(map, "user_data"),
    nonce: optionalBytes(map, "nonce"),
  };
}
