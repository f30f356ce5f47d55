import { readFile } from "node:fs/promises";
import type { QuantNetwork } from "../compiler/quantize.ts";
import { ZkmlError } from "../errors.ts";
import { SNARK_SCALAR_FIELD as P, packLayout } from "../packing.ts";

/** A neuron's rescale decomposition: z + 2^(Q-1+K) = u·2^K + r, with explicit bit vectors. */
export interface Decomposition {
  u: bigint;
  r: bigint;
  uBits: bigint[];
  rBits: bigint[];
}

/**
 * Hooks that replace honest values, to build forged witnesses: a prover's freedom is exactly the
 * choice of every signal, and the constraint system must reject any choice that changes the output.
 */
export interface Forgery {
  /** Replace the quantized input values (before packing). */
  input?(values: bigint[]): bigint[];
  /** Replace neuron (layer, index)'s decomposition. */
  neuron?(layer: number, index: number, honest: Decomposition): Decomposition | undefined;
}

const mod = (v: bigint) => ((v % P) + P) % P;
const signed = (v: bigint) => (mod(v) > P / 2n ? mod(v) - P : mod(v));

function inverse(a: bigint): bigint {
  let [r0, r1, t0, t1] = [P, mod(a), 0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, t0, t1] = [r1, r0 - q * r1, t1, t0 - q * t1];
  }
  return mod(t0);
}

/**
 * n bits whose weighted sum is v. Out-of-range v gets the in-range bits of v mod 2^n plus the
 * difference folded into bit 0 — a non-boolean "bit": the only way to make the linear relation hold.
 */
export function bitsOf(v: bigint, n: number): bigint[] {
  const m = ((v % (1n << BigInt(n))) + (1n << BigInt(n))) % (1n << BigInt(n));
  const bits = Array.from({ length: n }, (_, i) => (m >> BigInt(i)) & 1n);
  if (n > 0) bits[0] = mod(bits[0]! + v - m);
  return bits;
}

type Put = (name: string, v: bigint) => void;

function neuronSignals(
  put: Put,
  prefix: string,
  z: bigint,
  layer: QuantNetwork["layers"][number],
  B: number,
  d: Decomposition,
) {
  const Q = layer.quotientBits;
  put(`${prefix}.z`, z);
  d.uBits.forEach((b, i) => {
    put(`${prefix}.ub[${i}]`, b);
  });
  d.rBits.forEach((b, i) => {
    put(`${prefix}.rb[${i}]`, b);
  });
  const t = d.uBits[Q - 1]!;
  const q = mod(d.uBits.reduce((acc, b, i) => acc + b * (1n << BigInt(i)), 0n) - (1n << BigInt(Q - 1)));
  let value = q;
  if (Q > B) {
    const hi = (1n << BigInt(B - 1)) - 1n;
    const s = mod(d.uBits.slice(B - 1, Q - 1).reduce((a, b) => a + b, 0n));
    const hiInv = s === 0n ? 0n : inverse(s);
    const anyHigh = mod(s * hiInv);
    const dd = mod(BigInt(Q - B) - s);
    const loInv = dd === 0n ? 0n : inverse(dd);
    const notAllOnes = mod(dd * loInv);
    const over = mod(t * anyHigh);
    const under = mod((1n - t) * notAllOnes);
    const dOver = mod(over * (hi - q));
    const dUnder = mod(under * (-hi - 1n - q));
    for (const [k, v] of Object.entries({ hiInv, anyHigh, loInv, notAllOnes, over, under, dOver, dUnder }))
      put(`${prefix}.${k}`, v);
    value = mod(q + dOver + dUnder);
  }
  const y = layer.relu ? mod(t * value) : value;
  put(`${prefix}.y`, y);
  return y;
}

/**
 * Every named signal of the generated circuit (names as in circuit.sym) for an integer input,
 * optionally forged. Field elements in [0, p).
 */
export function namedWitness(net: QuantNetwork, input: bigint[], forgery: Forgery = {}): Map<string, bigint> {
  const values = new Map<string, bigint>();
  const put: Put = (name, v) => values.set(name, mod(v));
  const B = net.activationBits;
  const layout = packLayout(B);
  const half = 1n << BigInt(B - 1);
  const x = forgery.input ? forgery.input(input) : input;
  const words: bigint[] = [];
  x.forEach((v, i) => {
    const w = Math.floor(i / layout.valuesPerWord);
    const j = i % layout.valuesPerWord;
    words[w] = mod((words[w] ?? 0n) + (v + half) * (1n << BigInt(B * j)));
    bitsOf(v + half, B).forEach((b, k) => {
      put(`main.unpack[${w}].bits[${j}][${k}]`, b);
    });
    put(`main.unpack[${w}].v[${j}]`, v);
    put(`main.a0[${i}]`, v);
  });
  words.forEach((w, i) => {
    put(`main.inWords[${i}]`, w);
    put(`main.unpack[${i}].word`, w);
  });
  let a = x.map(mod);
  net.layers.forEach((layer, l) => {
    const K = layer.shift;
    const Q = layer.quotientBits;
    a = layer.weights.map((row, o) => {
      const z = signed(row.reduce((acc, w, i) => acc + BigInt(w) * a[i]!, BigInt(layer.bias[o]!)));
      const zz = z + (1n << BigInt(Q - 1 + K));
      const u = zz >> BigInt(K);
      const r = zz & ((1n << BigInt(K)) - 1n);
      const honest = { u, r, uBits: bitsOf(u, Q), rBits: bitsOf(r, K) };
      const d = forgery.neuron?.(l, o, honest) ?? honest;
      const y = neuronSignals(put, `main.l${l}[${o}]`, z, layer, B, d);
      put(`main.a${l + 1}[${o}]`, y);
      return y;
    });
  });
  const out: bigint[] = [];
  a.forEach((y, i) => {
    const w = Math.floor(i / layout.valuesPerWord);
    out[w] = mod((out[w] ?? 0n) + (y + half) * (1n << BigInt(B * (i % layout.valuesPerWord))));
  });
  out.forEach((w, i) => {
    put(`main.outWords[${i}]`, w);
  });
  return values;
}

/** Reads circuit.sym: signal name → witness index (signals optimized away are left out). */
export async function readSymbols(path: string): Promise<Map<string, number>> {
  const map = new Map<string, number>();
  for (const line of (await readFile(path, "utf8")).split("\n")) {
    const [, wire, , name] = line.split(",");
    if (name && Number(wire) >= 0) map.set(name, Number(wire));
  }
  return map;
}

/** Projects named values onto the witness vector of the optimized circuit. */
export function toWitness(named: Map<string, bigint>, symbols: Map<string, number>, nWires: number): bigint[] {
  const w: bigint[] = Array(nWires).fill(0n);
  w[0] = 1n;
  for (const [name, wire] of symbols) {
    const v = named.get(name);
    if (v === undefined) throw new ZkmlError("CompiledModelInvalid", `no value for circuit signal ${name}`);
    w[wire] = v;
  }
  return w;
}
