import { readFile } from "node:fs/promises";
import {
  clampKind,
  networkLayouts,
  SNARK_SCALAR_FIELD as P,
  type QuantDense,
  type QuantNetwork,
  ZkmlError,
} from "../../../../zkml/index.ts";

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
  /**
   * Replace neuron (layer, index)'s clamp signals (`hiInv`, `anyHigh`, `t`, `y`, `over`, … as the
   * generator names them, without the layer suffix); the forged output flows to the next layer.
   */
  clamp?(layer: number, index: number, honest: Record<string, bigint>): Record<string, bigint> | undefined;
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

/** Σ bits[i]·2^i in the field. */
const weighted = (bits: bigint[]) => mod(bits.reduce((acc, b, i) => acc + b * (1n << BigInt(i)), 0n));

/**
 * Honest clamp signals of a neuron from its quotient bits and the quotient q they encode (names as
 * the generator declares them).
 */
function clampSignals(layer: QuantDense, uBits: bigint[], q: bigint): Record<string, bigint> {
  const Q = layer.quotientBits;
  const sign = uBits[Q - 1]!;
  const clamp = clampKind(layer);
  if (clamp.kind === "none") return {};
  if (clamp.kind === "relu") return { y: mod(sign * weighted(uBits.slice(0, Q - 1))) };
  const C = clamp.bits;
  if (clamp.kind === "reluHigh") {
    const low = weighted(uBits.slice(0, C));
    const s = mod(uBits.slice(C, Q - 1).reduce((a, b) => a + b, 0n));
    const hiInv = s === 0n ? 0n : inverse(s);
    const anyHigh = mod(s * hiInv);
    const t = mod(anyHigh * ((1n << BigInt(C)) - 1n - low));
    return { hiInv, anyHigh, t, y: mod(sign * (low + t)) };
  }
  const hi = (1n << BigInt(C - 1)) - 1n;
  const s = mod(uBits.slice(C - 1, Q - 1).reduce((a, b) => a + b, 0n));
  const hiInv = s === 0n ? 0n : inverse(s);
  const anyHigh = mod(s * hiInv);
  const dd = mod(BigInt(Q - C) - s);
  const loInv = dd === 0n ? 0n : inverse(dd);
  const notAllOnes = mod(dd * loInv);
  const over = mod(sign * anyHigh);
  const under = mod((1n - sign) * notAllOnes);
  const dOver = mod(over * (hi - q));
  const dUnder = mod(under * (-hi - 1n - q));
  return { hiInv, anyHigh, loInv, notAllOnes, over, under, dOver, dUnder };
}

/** Signals of neuron `o` of layer `l`; returns its output (what the next layer reads). */
function neuronSignals(put: Put, l: number, o: number, layer: QuantDense, d: Decomposition, forgery: Forgery): bigint {
  const Q = layer.quotientBits;
  [...d.rBits, ...d.uBits].forEach((b, i) => {
    put(`main.h${l}[${o}][${i}]`, b);
  });
  const q = mod(weighted(d.uBits) - (1n << BigInt(Q - 1)));
  const honest = clampSignals(layer, d.uBits, q);
  const sig = forgery.clamp?.(l, o, { ...honest }) ?? honest;
  for (const [name, v] of Object.entries(sig)) put(`main.${name}${l}[${o}]`, v);
  if (sig.y !== undefined) return mod(sig.y);
  if (sig.dOver !== undefined) return mod(q + sig.dOver + sig.dUnder!);
  return q;
}

/**
 * Every named signal of the generated circuit (names as in circuit.sym) for an integer input,
 * optionally forged. Field elements in [0, p).
 */
export function namedWitness(net: QuantNetwork, input: bigint[], forgery: Forgery = {}): Map<string, bigint> {
  const values = new Map<string, bigint>();
  const put: Put = (name, v) => values.set(name, mod(v));
  const layouts = networkLayouts(net);
  const x = forgery.input ? forgery.input(input) : input;
  const pack = (vals: bigint[], layout: typeof layouts.input) => {
    const words: bigint[] = [];
    vals.forEach((v, i) => {
      const w = Math.floor(i / layout.valuesPerWord);
      const shift = BigInt(layout.bitsPerValue * (i % layout.valuesPerWord));
      words[w] = mod((words[w] ?? 0n) + (v - layout.min) * (1n << shift));
    });
    return words;
  };
  x.forEach((v, i) => {
    bitsOf(v - layouts.input.min, layouts.input.bitsPerValue).forEach((b, k) => {
      put(`main.inBits[${i}][${k}]`, b);
    });
  });
  pack(x, layouts.input).forEach((w, i) => {
    put(`main.inWords[${i}]`, w);
  });
  let a = x.map(mod);
  net.layers.forEach((layer, l) => {
    const K = layer.shift;
    const Q = layer.quotientBits;
    a = layer.weights.map((row, o) => {
      const z = signed(row.reduce((acc, w, i) => acc + BigInt(w) * a[i]!, BigInt(layer.bias[o]!)));
      if (K === 0 && clampKind(layer).kind === "none") return mod(z); // exact layer: no signals
      const zz = z + (1n << BigInt(Q - 1 + K));
      const u = zz >> BigInt(K);
      const r = zz & ((1n << BigInt(K)) - 1n);
      const honest = { u, r, uBits: bitsOf(u, Q), rBits: bitsOf(r, K) };
      const d = forgery.neuron?.(l, o, honest) ?? honest;
      return neuronSignals(put, l, o, layer, d, forgery);
    });
  });
  pack(a.map(signed), layouts.output).forEach((w, i) => {
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
