import type { CborValue } from "./decodeCbor.ts";
import { TeeError } from "./errors.ts";

const utf8 = new TextEncoder();
const UINT64_MAX = 2n ** 64n - 1n;

/** The head of a data item: major type and argument in the shortest form (RFC 8949 §4.2.1). */
function encodeHead(major: number, argument: number | bigint): Uint8Array {
  const value = BigInt(argument);
  if (value < 0n || value > UINT64_MAX) {
    throw new TeeError("invalid-argument", `CBOR argument ${value} is outside 0…2^64-1`);
  }
  const type = major << 5;
  if (value < 24n) return Uint8Array.of(type | Number(value));
  const size = value <= 0xffn ? 1 : value <= 0xffffn ? 2 : value <= 0xffffffffn ? 4 : 8;
  const out = new Uint8Array(1 + size);
  out[0] = type | (24 + Math.log2(size));
  // Big-endian argument after the initial byte.
  for (let i = 0; i < size; i++) out[size - i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Encodes a value in CBOR with definite lengths and shortest heads (what COSE's `Sig_structure`
 * needs, and what tests use to build documents). Accepts exactly what {@link decodeCbor} returns.
 */
export function encodeCbor(value: CborValue): Uint8Array {
  if (value === null) return Uint8Array.of(0xf6);
  if (value === false) return Uint8Array.of(0xf4);
  if (value === true) return Uint8Array.of(0xf5);
  if (typeof value === "number" || typeof value === "bigint") return encodeInteger(value);
  if (typeof value === "string") {
    const bytes = utf8.encode(value);
    return concat([encodeHead(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return concat([encodeHead(2, value.length), value]);
  if (Array.isArray(value)) return concat([encodeHead(4, value.length), ...value.map(encodeCbor)]);
  if (value instanceof Map) {
    const entries = [...value].flatMap(([k, v]) => [encodeCbor(k), encodeCbor(v)]);
    return concat([encodeHead(5, value.size), ...entries]);
  }
  return concat([encodeHead(6, value.tag), encodeCbor(value.value)]);
}

function encodeInteger(value: number | bigint): Uint8Array {
  if (typeof value === "number" && !Number.isSafeInteger(value)) {
    throw new TeeError("invalid-argument", `CBOR integer ${value} is not a safe integer (use a bigint)`);
  }
  const n = BigInt(value);
  return n >= 0n ? encodeHead(0, n) : encodeHead(1, -1n - n);
}
