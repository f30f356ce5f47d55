import { writeFile } from "node:fs/promises";
import { type R1cs, ZkmlError } from "../../../../zkml/index.ts";

type Lc = R1cs["constraints"][number][number];

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
