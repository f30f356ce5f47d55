import { ZkmlError } from "./errors.ts";

/** BN254 scalar field modulus: every public signal must be below it. */
export const SNARK_SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
/** Bits usable per packed word: 253 bits stay below the 254-bit field modulus. */
export const WORD_BITS = 253;

/**
 * How integers in [min, min + 2^bitsPerValue) are packed into field elements: value j of a word is
 * stored as the unsigned offset `v − min` at bits [B·j, B·(j+1)).
 */
export interface PackLayout {
  bitsPerValue: number;
  valuesPerWord: number;
  /** Smallest value (0 for unsigned sections, −2^(B−1) for signed ones). */
  min: bigint;
}

/** Layout for B-bit values with the given minimum (default: signed, −2^(B−1)). */
export function packLayout(bitsPerValue: number, min: bigint = -(1n << BigInt(bitsPerValue - 1))): PackLayout {
  return { bitsPerValue, valuesPerWord: Math.floor(WORD_BITS / bitsPerValue), min };
}

/** Width that holds every integer in [min, max]. */
export function bitsForRange(min: number | bigint, max: number | bigint): number {
  const span = BigInt(max) - BigInt(min);
  if (span < 0n) throw new RangeError(`empty range [${min}, ${max}]`);
  return Math.max(1, span.toString(2).length);
}

/** Number of words holding `count` values. */
export function wordCount(count: number, layout: PackLayout): number {
  return Math.ceil(count / layout.valuesPerWord);
}

/**
 * Packs values as unsigned offsets `v − min`, B bits each, value j of a word at bit B·j.
 *
 * @throws ZkmlError `BadInput` when a value is outside [min, min + 2^B).
 */
export function packValues(values: bigint[], layout: PackLayout): bigint[] {
  const b = BigInt(layout.bitsPerValue);
  const max = layout.min + (1n << b);
  const words: bigint[] = [];
  values.forEach((v, i) => {
    if (v < layout.min || v >= max)
      throw new ZkmlError("BadInput", `value ${i} = ${v} is outside [${layout.min}, ${max})`);
    const w = Math.floor(i / layout.valuesPerWord);
    const j = BigInt(i % layout.valuesPerWord);
    words[w] = (words[w] ?? 0n) | ((v - layout.min) << (b * j));
  });
  return words;
}

/**
 * Inverse of {@link packValues}; rejects a wrong word count, a word ≥ the field, and set bits beyond
 * the values a word holds — exactly the words the circuit accepts.
 */
export function unpackValues(words: bigint[], count: number, layout: PackLayout): bigint[] {
  const expected = wordCount(count, layout);
  if (words.length !== expected) throw new ZkmlError("BadInput", `expected ${expected} words, got ${words.length}`);
  const b = BigInt(layout.bitsPerValue);
  const mask = (1n << b) - 1n;
  const values: bigint[] = [];
  words.forEach((word, w) => {
    if (typeof word !== "bigint" || word < 0n || word >= SNARK_SCALAR_FIELD) {
      throw new ZkmlError("BadInput", `word ${w} is not an integer in [0, field modulus)`);
    }
    const n = Math.min(layout.valuesPerWord, count - w * layout.valuesPerWord);
    if (word >> (b * BigInt(n)) !== 0n) throw new ZkmlError("BadInput", `word ${w} has bits set above its ${n} values`);
    for (let j = 0; j < n; j++) values.push(((word >> (b * BigInt(j))) & mask) + layout.min);
  });
  return values;
}
