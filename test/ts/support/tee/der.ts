// A minimal DER writer for building X.509 certificates in tests (node:crypto parses and verifies
// certificates but cannot create them).

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** A tag-length-value with `tag` and the concatenated contents. */
export function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const body = concat(contents);
  return concat([Uint8Array.of(tag), encodeLength(body.length), body]);
}

export const sequence = (...items: Uint8Array[]) => tlv(0x30, ...items);
export const set = (...items: Uint8Array[]) => tlv(0x31, ...items);
export const explicit = (n: number, ...items: Uint8Array[]) => tlv(0xa0 + n, ...items);
export const octetString = (bytes: Uint8Array) => tlv(0x04, bytes);
export const utf8String = (text: string) => tlv(0x0c, new TextEncoder().encode(text));
export const booleanTrue = () => tlv(0x01, Uint8Array.of(0xff));
/** A BIT STRING with `unusedBits` padding bits in the last byte. */
export const bitString = (bytes: Uint8Array, unusedBits = 0) => tlv(0x03, Uint8Array.of(unusedBits), bytes);

/** A non-negative INTEGER, with a leading zero when the high bit is set. */
export function integer(value: bigint): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = Buffer.from(hex, "hex");
  return tlv(0x02, bytes[0]! & 0x80 ? Uint8Array.of(0, ...bytes) : bytes);
}

export function objectIdentifier(dotted: string): Uint8Array {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const out = [40 * a! + b!];
  for (const arc of rest) {
    const septets: number[] = [];
    for (let n = arc; ; n = Math.floor(n / 128)) {
      septets.unshift((n % 128) | (septets.length ? 0x80 : 0));
      if (n < 128) break;
    }
    out.push(...septets);
  }
  return tlv(0x06, Uint8Array.from(out));
}

/** GeneralizedTime (valid for any year, unlike UTCTime's 1950–2049). */
export function generalizedTime(date: Date): Uint8Array {
  const text = `${date.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`;
  return tlv(0x18, new TextEncoder().encode(text));
}
