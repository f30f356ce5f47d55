import { bytesToHex, type Hex, hexToBytes, keccak256 } from "viem";
import { TeeDataError } from "./teeError.ts";
import {
  BYTES_PER_VALUE,
  REFERENCE_HEADER_WORDS,
  type TensorSpec,
  tensorSize,
  tensorWordCount,
  URI_BYTES_PER_WORD,
  VALUES_PER_WORD,
} from "./teeManifest.ts";

/**
 * Tensors of a TEE model as `uint256` words (request input, result output) and as referenced content.
 * Pure and Node-free: dApps build requests in the browser with it, the relayer and enclaves decode with it.
 *
 * Inline: value j of a tensor sits in word ⌊j/k⌋ at bits 32·b·(j mod k) (b = 1 for float32, its IEEE-754 bit
 * pattern; b = 2 for int64, two's complement), k = 7 (float32) or 3 (int64); every word is below 2^224, far
 * below the BN254 scalar field the hub checks, and unused slots are zero. By reference: `[hash >> 128,
 * hash mod 2^128, uriByteLength, uri[0..31), uri[31..62), …]`, hash = keccak256 of the content (the tensor's
 * values, little-endian, row-major), the URI's UTF-8 bytes 31 per word big-endian with zero padding.
 */

/** A tensor's values, typed by its dtype. */
export type TensorValues = Float32Array | BigInt64Array;

/** Where a tensor's content lives and what it hashes to. */
export type TensorReference = { readonly contentHash: Hex; readonly uri: string };

/** One tensor as its words say: its values, or a reference to fetch. */
export type DecodedTensor =
  | { readonly kind: "inline"; readonly spec: TensorSpec; readonly values: TensorValues }
  | ({ readonly kind: "reference"; readonly spec: TensorSpec } & TensorReference);

/** What a caller may encode for a tensor: values (typed array or plain array), or a reference. */
export type TensorInput = TensorValues | readonly number[] | readonly bigint[] | TensorReference;

const U128 = (1n << 128n) - 1n;
const U64 = (1n << 64n) - 1n;
const U32 = 0xffffffffn;

function isReference(input: TensorInput): input is TensorReference {
  return typeof input === "object" && "contentHash" in input;
}

/** The values of `input` as the spec's typed array; refuses a wrong length or element type. */
export function toTensorValues(spec: TensorSpec, input: TensorValues | readonly number[] | readonly bigint[]) {
  const size = tensorSize(spec);
  if (input.length !== size) {
    throw new TeeDataError(
      "invalid-tensor",
      `${spec.name}: ${input.length} values, shape [${spec.shape}] needs ${size}`,
    );
  }
  if (spec.dtype === "float32") {
    if (input instanceof BigInt64Array || typeof input[0] === "bigint") {
      throw new TeeDataError("invalid-tensor", `${spec.name}: float32 tensor given integer values`);
    }
    return input instanceof Float32Array ? input : Float32Array.from(input as readonly number[]);
  }
  if (input instanceof BigInt64Array) return input;
  if (input instanceof Float32Array)
    throw new TeeDataError("invalid-tensor", `${spec.name}: int64 tensor given floats`);
  return BigInt64Array.from(input as readonly (number | bigint)[], (v) => {
    const big = BigInt(v);
    if (BigInt.asIntN(64, big) !== big) throw new TeeDataError("invalid-tensor", `${spec.name}: ${v} is not an int64`);
    return big;
  });
}

/** The raw bits of value `i`: float32 as its IEEE-754 pattern, int64 as two's complement. */
function valueBits(values: TensorValues, i: number, view: DataView): bigint {
  if (values instanceof BigInt64Array) return BigInt.asUintN(64, values[i]!);
  view.setFloat32(0, values[i]!);
  return BigInt(view.getUint32(0));
}

/** Inline words of a tensor's values. */
export function encodeInlineTensor(spec: TensorSpec, input: TensorValues | readonly number[] | readonly bigint[]) {
  const values = toTensorValues(spec, input);
  const perWord = VALUES_PER_WORD[spec.dtype];
  const bits = BigInt(BYTES_PER_VALUE[spec.dtype] * 8);
  const view = new DataView(new ArrayBuffer(4));
  const words: bigint[] = [];
  for (let start = 0; start < values.length; start += perWord) {
    let word = 0n;
    for (let j = Math.min(perWord, values.length - start) - 1; j >= 0; j--) {
      word = (word << bits) | valueBits(values, start + j, view);
    }
    words.push(word);
  }
  return words;
}

/** A tensor's values from its inline words; refuses words with bits outside the used slots. */
export function decodeInlineTensor(spec: TensorSpec, words: readonly bigint[]): TensorValues {
  expectWordCount(spec, words);
  const size = tensorSize(spec);
  const perWord = VALUES_PER_WORD[spec.dtype];
  const bits = BigInt(BYTES_PER_VALUE[spec.dtype] * 8);
  const mask = spec.dtype === "float32" ? U32 : U64;
  const values = spec.dtype === "float32" ? new Float32Array(size) : new BigInt64Array(size);
  const view = new DataView(new ArrayBuffer(4));
  for (const [w, word] of words.entries()) {
    const used = Math.min(perWord, size - w * perWord);
    if (word < 0n || word >> (bits * BigInt(used)) !== 0n) {
      throw new TeeDataError("malformed-words", `${spec.name}: word ${w} has bits beyond its ${used} values`);
    }
    for (let j = 0; j < used; j++) {
      const raw = (word >> (bits * BigInt(j))) & mask;
      if (values instanceof BigInt64Array) values[w * perWord + j] = BigInt.asIntN(64, raw);
      else {
        view.setUint32(0, Number(raw));
        values[w * perWord + j] = view.getFloat32(0);
      }
    }
  }
  return values;
}

/** A tensor's content for reference: its values little-endian, row-major. */
export function tensorToBytes(spec: TensorSpec, input: TensorValues | readonly number[] | readonly bigint[]) {
  const values = toTensorValues(spec, input);
  const width = BYTES_PER_VALUE[spec.dtype];
  const bytes = new Uint8Array(values.length * width);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) {
    if (values instanceof BigInt64Array) view.setBigInt64(i * width, values[i]!, true);
    else view.setFloat32(i * width, values[i]!, true);
  }
  return bytes;
}

/** A tensor's values from referenced content; refuses content of the wrong size. */
export function tensorFromBytes(spec: TensorSpec, bytes: Uint8Array): TensorValues {
  const width = BYTES_PER_VALUE[spec.dtype];
  const size = tensorSize(spec);
  if (bytes.length !== size * width) {
    throw new TeeDataError(
      "content-mismatch",
      `${spec.name}: content is ${bytes.length} bytes, expected ${size * width}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (spec.dtype === "int64") return BigInt64Array.from({ length: size }, (_, i) => view.getBigInt64(i * width, true));
  return Float32Array.from({ length: size }, (_, i) => view.getFloat32(i * width, true));
}

/** keccak256 of referenced content: what the request's words commit to. */
export function contentHash(bytes: Uint8Array): Hex {
  return keccak256(bytes);
}

/** Checks fetched content against its reference and decodes it: the only way a node should read one. */
export function verifyReferencedContent(spec: TensorSpec, reference: TensorReference, bytes: Uint8Array) {
  const actual = contentHash(bytes);
  if (actual !== reference.contentHash) {
    throw new TeeDataError("content-mismatch", `${spec.name}: content at ${reference.uri} does not match its hash`, {
      details: `expected ${reference.contentHash}, got ${actual}`,
    });
  }
  return tensorFromBytes(spec, bytes);
}

function referenceLimit(spec: TensorSpec): number {
  if (spec.encoding.kind !== "reference") {
    throw new TeeDataError("invalid-tensor", `${spec.name} is encoded inline, not by reference`);
  }
  return spec.encoding.maxUriBytes;
}

/** Words of a reference: content hash (two 128-bit halves), URI length, URI 31 bytes per word. */
export function encodeTensorReference(spec: TensorSpec, reference: TensorReference): bigint[] {
  const maxUriBytes = referenceLimit(spec);
  const hash = hexToBytes(reference.contentHash);
  if (hash.length !== 32) throw new TeeDataError("invalid-tensor", `${spec.name}: content hash is not 32 bytes`);
  const uri = new TextEncoder().encode(reference.uri);
  if (uri.length === 0 || uri.length > maxUriBytes) {
    throw new TeeDataError(
      "invalid-tensor",
      `${spec.name}: URI is ${uri.length} bytes, the manifest allows 1..${maxUriBytes}`,
    );
  }
  const h = BigInt(reference.contentHash);
  const words = [h >> 128n, h & U128, BigInt(uri.length)];
  const uriWords = tensorWordCount(spec) - REFERENCE_HEADER_WORDS;
  for (let w = 0; w < uriWords; w++) {
    const chunk = new Uint8Array(URI_BYTES_PER_WORD);
    chunk.set(uri.subarray(w * URI_BYTES_PER_WORD, (w + 1) * URI_BYTES_PER_WORD));
    words.push(BigInt(bytesToHex(chunk)));
  }
  return words;
}

/** A reference from its words; refuses a length over the manifest's bound, non-zero padding or invalid UTF-8. */
export function decodeTensorReference(spec: TensorSpec, words: readonly bigint[]): TensorReference {
  const maxUriBytes = referenceLimit(spec);
  expectWordCount(spec, words);
  const [high, low, length] = words as [bigint, bigint, bigint];
  if (high > U128 || low > U128 || high < 0n || low < 0n) {
    throw new TeeDataError("malformed-words", `${spec.name}: content hash halves must be below 2^128`);
  }
  if (length < 1n || length > BigInt(maxUriBytes)) {
    throw new TeeDataError(
      "malformed-words",
      `${spec.name}: URI length ${length}, the manifest allows 1..${maxUriBytes}`,
    );
  }
  const uri = new Uint8Array((words.length - REFERENCE_HEADER_WORDS) * URI_BYTES_PER_WORD);
  for (const [i, word] of words.slice(REFERENCE_HEADER_WORDS).entries()) {
    if (word < 0n || word >> BigInt(URI_BYTES_PER_WORD * 8) !== 0n) {
      throw new TeeDataError("malformed-words", `${spec.name}: URI word ${i} is wider than 31 bytes`);
    }
    uri.set(hexToBytes(`0x${word.toString(16).padStart(URI_BYTES_PER_WORD * 2, "0")}`), i * URI_BYTES_PER_WORD);
  }
  const n = Number(length);
  if (uri.subarray(n).some((b) => b !== 0)) {
    throw new TeeDataError("malformed-words", `${spec.name}: bytes after the URI's ${n} must be zero`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(uri.subarray(0, n));
  } catch (cause) {
    throw new TeeDataError("malformed-words", `${spec.name}: URI is not UTF-8`, { cause });
  }
  const contentHash = `0x${((high << 128n) | low).toString(16).padStart(64, "0")}` as Hex;
  return { contentHash, uri: text };
}

function expectWordCount(spec: TensorSpec, words: readonly bigint[]): void {
  if (words.length !== tensorWordCount(spec)) {
    throw new TeeDataError(
      "malformed-words",
      `${spec.name}: ${words.length} words, the manifest's encoding takes ${tensorWordCount(spec)}`,
    );
  }
}

/**
 * Words of a model side (inputs or outputs), tensor by tensor in manifest order. Inline tensors take values;
 * referenced ones a `{ contentHash, uri }` (use {@link tensorToBytes} and {@link contentHash} to make one).
 */
export function encodeTensors(specs: readonly TensorSpec[], tensors: Readonly<Record<string, TensorInput>>): bigint[] {
  const unknown = Object.keys(tensors).filter((name) => !specs.some((s) => s.name === name));
  if (unknown.length > 0) throw new TeeDataError("invalid-tensor", `no tensor named ${unknown.join(", ")}`);
  return specs.flatMap((spec) => {
    const input = tensors[spec.name];
    if (input === undefined) throw new TeeDataError("invalid-tensor", `${spec.name}: missing`);
    if (spec.encoding.kind === "reference") {
      if (!isReference(input)) throw new TeeDataError("invalid-tensor", `${spec.name}: encoded by reference, give one`);
      return encodeTensorReference(spec, input);
    }
    if (isReference(input)) throw new TeeDataError("invalid-tensor", `${spec.name}: encoded inline, give its values`);
    return encodeInlineTensor(spec, input);
  });
}

/** The tensors of a model side from its words (references still to fetch and verify). */
export function decodeTensors(specs: readonly TensorSpec[], words: readonly bigint[]): DecodedTensor[] {
  const total = specs.reduce((sum, s) => sum + tensorWordCount(s), 0);
  if (words.length !== total) {
    throw new TeeDataError("malformed-words", `${words.length} words, the manifest's tensors take ${total}`);
  }
  let at = 0;
  return specs.map((spec) => {
    const slice = words.slice(at, at + tensorWordCount(spec));
    at += slice.length;
    if (spec.encoding.kind === "reference") return { kind: "reference", spec, ...decodeTensorReference(spec, slice) };
    return { kind: "inline", spec, values: decodeInlineTensor(spec, slice) };
  });
}
