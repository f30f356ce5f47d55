import { readFile, writeFile } from "node:fs/promises";
import { ZkmlError } from "../errors.ts";

/** A linear combination: wire index → coefficient (standard form, < prime). */
type Lc = [wire: number, coef: bigint][];

/** A parsed R1CS: constraints A·w × B·w = C·w over the field. */
export interface R1cs {
  prime: bigint;
  nWires: number;
  nOutputs: number;
  nPubInputs: number;
  constraints: [Lc, Lc, Lc][];
}

function readLe(buf: Buffer, pos: number, n8: number): bigint {
  let v = 0n;
  for (let i = n8 - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[pos + i]!);
  return v;
}

/** Parses a circom `.r1cs` file (iden3 binary format, version 1). */
export async function readR1cs(path: string): Promise<R1cs> {
  const buf = await readFile(path);
  if (buf.toString("latin1", 0, 4) !== "r1cs")
    throw new ZkmlError("CompiledModelInvalid", `${path} is not an r1cs file`);
  const nSections = buf.readUInt32LE(8);
  let pos = 12;
  const sections = new Map<number, { start: number; size: number }>();
  for (let i = 0; i < nSections; i++) {
    const type = buf.readUInt32LE(pos);
    const size = Number(buf.readBigUInt64LE(pos + 4));
    sections.set(type, { start: pos + 12, size });
    pos += 12 + size;
  }
  const h = sections.get(1)!.start;
  const n8 = buf.readUInt32LE(h);
  const prime = readLe(buf, h + 4, n8);
  let p = h + 4 + n8;
  const nWires = buf.readUInt32LE(p);
  const nOutputs = buf.readUInt32LE(p + 4);
  const nPubInputs = buf.readUInt32LE(p + 8);
  const nConstraints = buf.readUInt32LE(p + 24);
  p = sections.get(2)!.start;
  const readLc = (): Lc => {
    const n = buf.readUInt32LE(p);
    p += 4;
    const lc: Lc = [];
    for (let i = 0; i < n; i++) {
      lc.push([buf.readUInt32LE(p), readLe(buf, p + 4, n8)]);
      p += 4 + n8;
    }
    return lc;
  };
  const constraints: [Lc, Lc, Lc][] = [];
  for (let c = 0; c < nConstraints; c++) constraints.push([readLc(), readLc(), readLc()]);
  return { prime, nWires, nOutputs, nPubInputs, constraints };
}

/**
 * Evaluates every constraint on a witness (`witness[0]` must be 1). Returns the indices of the
 * violated constraints (empty: the witness satisfies the system).
 */
export function unsatisfiedConstraints(r1cs: R1cs, witness: bigint[]): number[] {
  if (witness.length !== r1cs.nWires)
    throw new ZkmlError("BadInput", `witness has ${witness.length} wires, r1cs ${r1cs.nWires}`);
  const p = r1cs.prime;
  const mod = (v: bigint) => ((v % p) + p) % p;
  const evalLc = (lc: Lc) => mod(lc.reduce((acc, [w, c]) => acc + c * witness[w]!, 0n));
  const bad: number[] = [];
  r1cs.constraints.forEach(([a, b, c], i) => {
    if (mod(evalLc(a) * evalLc(b)) !== evalLc(c)) bad.push(i);
  });
  return bad;
}

/**
 * Writes a witness as a snarkjs `.wtns` file (version 2), so `snarkjs wtns check` can judge a
 * hand-built (e.g. forged) witness independently of {@link unsatisfiedConstraints}.
 */
export async function writeWtns(path: string, witness: bigint[], prime: bigint): Promise<void> {
  const n8 = 32;
  const header = Buffer.alloc(12);
  header.write("wtns", 0, "latin1");
  header.writeUInt32LE(2, 4);
  header.writeUInt32LE(2, 8);
  const s1 = Buffer.alloc(12 + 4 + n8 + 4);
  s1.writeUInt32LE(1, 0);
  s1.writeBigUInt64LE(BigInt(4 + n8 + 4), 4);
  s1.writeUInt32LE(n8, 12);
  writeLe(s1, 16, prime, n8);
  s1.writeUInt32LE(witness.length, 16 + n8);
  const s2 = Buffer.alloc(12 + n8 * witness.length);
  s2.writeUInt32LE(2, 0);
  s2.writeBigUInt64LE(BigInt(n8 * witness.length), 4);
  witness.forEach((v, i) => {
    writeLe(s2, 12 + i * n8, ((v % prime) + prime) % prime, n8);
  });
  await writeFile(path, Buffer.concat([header, s1, s2]));
}

function writeLe(buf: Buffer, pos: number, value: bigint, n8: number): void {
  let v = value;
  for (let i = 0; i < n8; i++) {
    buf[pos + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}
