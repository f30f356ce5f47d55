import { TeeError } from "./errors.ts";

/** A map key this decoder accepts: an integer or a text string (all Nitro and COSE use). */
export type CborKey = number | bigint | string;

/** Tag 18 (COSE_Sign1) around its content; the only tag this decoder accepts. */
export interface CborTagged {
  readonly tag: 18;
  readonly value: CborValue;
}

/**
 * A decoded CBOR data item. Integers are `number` when they are safe integers and `bigint`
 * otherwise, so one value always has one representation (duplicate map keys are found reliably).
 */
export type CborValue =
  | number
  | bigint
  | string
  | Uint8Array
  | boolean
  | null
  | CborValue[]
  | Map<CborKey, CborValue>
  | CborTagged;

/** Nitro documents nest three levels deep; the bound keeps hostile input from exhausting the stack. */
const MAX_DEPTH = 16;
const COSE_SIGN1_TAG = 18;
const BREAK = 0xff;

interface Cursor {
  readonly bytes: Uint8Array;
  offset: number;
}

interface Head {
  readonly major: number;
  readonly info: number;
  /** The argument; `null` for an indefinite length. */
  readonly argument: number | bigint | null;
  readonly at: number;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function fail(offset: number, what: string): never {
  throw new TeeError("malformed-cbor", `at offset ${offset}: ${what}`);
}

/**
 * Decodes exactly one CBOR data item (RFC 8949) that fills `bytes`, strictly: truncated input,
 * trailing bytes, reserved encodings, indefinite-length strings, floats, `undefined`, tags other than
 * 18, map keys other than integers and text, duplicate keys and invalid UTF-8 are refused with a
 * {@link TeeError} (`malformed-cbor`) naming the offset. Indefinite-length arrays and maps are
 * accepted: real Nitro documents use them.
 */
export function decodeCbor(bytes: Uint8Array): CborValue {
  const cursor: Cursor = { bytes, offset: 0 };
  const value = readItem(cursor, 0);
  if (cursor.offset !== bytes.length) {
    fail(cursor.offset, `${bytes.length - cursor.offset} trailing byte(s) after the top-level item`);
  }
  return value;
}

function take(cursor: Cursor, length: number, what: string): Uint8Array {
  const left = cursor.bytes.length - cursor.offset;
  if (length > left) fail(cursor.offset, `truncated input: ${what} needs ${length} byte(s), ${left} left`);
  // A copy into a plain Uint8Array: a Buffer's slice() is a view into a shared pool.
  const out = new Uint8Array(cursor.bytes.subarray(cursor.offset, cursor.offset + length));
  cursor.offset += length;
  return out;
}

function readHead(cursor: Cursor): Head {
  const at = cursor.offset;
  const initial = take(cursor, 1, "an item's initial byte")[0]!;
  const major = initial >> 5;
  const info = initial & 0x1f;
  if (info < 24) return { major, info, argument: info, at };
  if (info === 31) return { major, info, argument: null, at };
  if (info > 27) fail(at, `reserved additional information ${info} in initial byte 0x${initial.toString(16)}`);
  const size = 1 << (info - 24);
  const view = new DataView(take(cursor, size, `a ${size}-byte argument`).buffer);
  if (size === 1) return { major, info, argument: view.getUint8(0), at };
  if (size === 2) return { major, info, argument: view.getUint16(0), at };
  if (size === 4) return { major, info, argument: view.getUint32(0), at };
  return { major, info, argument: safeInteger(view.getBigUint64(0)), at };
}

function safeInteger(value: bigint): number | bigint {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
}

/** A definite length as a number; anything longer than the input is truncated by definition. */
function lengthOf(cursor: Cursor, head: Head, what: string): number {
  const left = cursor.bytes.length - cursor.offset;
  if (head.argument === null) fail(head.at, `indefinite-length ${what} is not supported`);
  if (BigInt(head.argument) > BigInt(left)) {
    fail(head.at, `truncated input: ${what} of length ${head.argument} but ${left} byte(s) left`);
  }
  return Number(head.argument);
}

function readItem(cursor: Cursor, depth: number): CborValue {
  if (depth > MAX_DEPTH) fail(cursor.offset, `nesting deeper than ${MAX_DEPTH}`);
  const head = readHead(cursor);
  switch (head.major) {
    case 0:
      return unsignedArgument(head);
    case 1:
      return safeInteger(-1n - BigInt(unsignedArgument(head)));
    case 2:
      return take(cursor, lengthOf(cursor, head, "byte string"), "byte string");
    case 3:
      return readText(cursor, head);
    case 4:
      return readArray(cursor, head, depth);
    case 5:
      return readMap(cursor, head, depth);
    case 6:
      return readTag(cursor, head, depth);
    default:
      return readSimple(head);
  }
}

function unsignedArgument(head: Head): number | bigint {
  if (head.argument === null) fail(head.at, `indefinite length is not allowed for major type ${head.major}`);
  return head.argument;
}

function readText(cursor: Cursor, head: Head): string {
  const bytes = take(cursor, lengthOf(cursor, head, "text string"), "text string");
  try {
    return utf8.decode(bytes);
  } catch (cause) {
    throw new TeeError("malformed-cbor", `at offset ${head.at}: text string is not valid UTF-8`, { cause });
  }
}

/** True (and consumed) when the next byte is the break that ends an indefinite-length container. */
function atBreak(cursor: Cursor): boolean {
  if (cursor.offset >= cursor.bytes.length) fail(cursor.offset, "truncated input: missing break (0xff)");
  if (cursor.bytes[cursor.offset] !== BREAK) return false;
  cursor.offset += 1;
  return true;
}

function readArray(cursor: Cursor, head: Head, depth: number): CborValue[] {
  const items: CborValue[] = [];
  if (head.argument === null) {
    while (!atBreak(cursor)) items.push(readItem(cursor, depth + 1));
    return items;
  }
  // Every item takes at least one byte, so the count is bounded by what is left.
  const count = lengthOf(cursor, head, "array");
  for (let i = 0; i < count; i++) items.push(readItem(cursor, depth + 1));
  return items;
}

function readMap(cursor: Cursor, head: Head, depth: number): Map<CborKey, CborValue> {
  const map = new Map<CborKey, CborValue>();
  const readEntry = () => {
    const keyAt = cursor.offset;
    const key = readItem(cursor, depth + 1);
    if (typeof key !== "string" && typeof key !== "number" && typeof key !== "bigint") {
      fail(keyAt, "map key is neither an integer nor a text string");
    }
    if (map.has(key)) fail(keyAt, `duplicate map key ${JSON.stringify(String(key))}`);
    map.set(key, readItem(cursor, depth + 1));
  };
  if (head.argument === null) {
    while (!atBreak(cursor)) readEntry();
    return map;
  }
  // Every entry takes at least two bytes.
  const count = lengthOf(cursor, head, "map");
  for (let i = 0; i < count; i++) readEntry();
  return map;
}

function readTag(cursor: Cursor, head: Head, depth: number): CborTagged {
  if (head.argument !== COSE_SIGN1_TAG) fail(head.at, `unsupported tag ${String(head.argument)}`);
  return { tag: COSE_SIGN1_TAG, value: readItem(cursor, depth + 1) };
}

function readSimple(head: Head): boolean | null {
  if (head.info === 20) return false;
  if (head.info === 21) return true;
  if (head.info === 22) return null;
  if (head.info === 31) fail(head.at, "break (0xff) outside an indefinite-length container");
  if (head.info >= 25 && head.info <= 27) fail(head.at, "floating-point values are not supported");
  return fail(head.at, `unsupported simple value (additional information ${head.info})`);
}
