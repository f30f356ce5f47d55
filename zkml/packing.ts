import { ZkmlError } from "./errors.ts";

/** BN254 scalar field modulus: every public signal must be below it. */
export const SNARK_SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
/** Bits usable per packed word: 253 bits stay below the 254-bit field modulus. */
export const WORD_BITS = 253;

/** How signed B-bit values are packed into field elements. */
export interface PackLayout {
  bitsPerValue: number;
  valuesPerWord: number;
}

/** Layout for B-bit values: floor(253 / B) values per word. */
export function packLayout(bitsPerValue: number): PackLayout {
  return { bitsPerValue, valuesPerWord: Math.floor(WORD_BITS / bitsPerValue) };
}

/** Number of words holding `count` values. */
export function wordCount(count: number, layout: PackLayout): number {
  return Math.ceil(count / layout.valuesPerWord);
}

/**
 * Packs signed values as unsigned offsets `v + 2^(B-1)`, B bits each, value j of a word at bit B·j.
 *
 * @throws ZkmlError `BadInput` when a value is outside [-2^(B-1), 2^(B-1)).
 */
export function packValues(values: bigint[], layout: PackLayout): bigint[] {
  const b = BigInt(layout.bitsPerValue);
  const half = 1n << (b - 1n);
  const words: bigint[] = [];
  values.forEach((v, i) => {
    if (v < -half || v >= half) throw new ZkmlError("BadInput", `value ${i} = ${v} is outside [${-half}, ${half})`);
    const w = Math.floor(i / layout.valuesPerWord);
    const j = BigInt(i % layout.valuesPerWord);
    words[w] = (words[w] ?? 0n) | ((v + half) << (b * j));
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
  const half = 1n << (b - 1n);
  const mask = (1n << b) - 1n;
  const values: bigint[] = [];
  words.forEach((word, w) => {
    if (typeof word !== "bigint" || word < 0n || word >= SNARK_SCALAR_FIELD) {
      throw new ZkmlError("BadInput", `word ${w} is not an integer in [0, field modulus)`);
    }
    const n = Math.min(layout.valuesPerWord, count - w * layout.valuesPerWord);
    if (word >> (b * BigInt(n)) !== 0n) throw new ZkmlError("BadInput", `word ${w} has bits set above its ${n} values`);
    for (let j = 0; j < n; j++) values.push(((word >> (b * BigInt(j))) & mask) - half);
  });
  return values;
}
