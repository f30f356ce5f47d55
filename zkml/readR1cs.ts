import { readFile } from "node:fs/promises";
import { ZkmlError } from "./errors.ts";

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
