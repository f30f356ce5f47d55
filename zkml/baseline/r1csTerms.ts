import { readFileSync } from "node:fs";

/** R1CS section ids (iden3 binary format). */
const HEADER_SECTION = 1;
const CONSTRAINTS_SECTION = 2;

/**
 * Counts the non-zero terms of an R1CS file's A, B and C matrices. Groth16 setup and the prover's
 * witness-to-QAP step scale with this number, not with the constraint count alone.
 */
export function countR1csTerms(path: string): { constraints: number; terms: number } {
  const file = readFileSync(path);
  if (file.toString("latin1", 0, 4) !== "r1cs") throw new Error(`${path} is not an R1CS file`);
  let pos = 12;
  let fieldBytes = 0;
  let constraints = 0;
  let constraintsAt = -1;
  for (let s = 0; s < file.readUInt32LE(8); s++) {
    const type = file.readUInt32LE(pos);
    const size = Number(file.readBigUInt64LE(pos + 4));
    if (type === HEADER_SECTION) {
      fieldBytes = file.readUInt32LE(pos + 12);
      // n8, prime, nWires, nPubOut, nPubIn, nPrvIn (u32 each), nLabels (u64), then mConstraints.
      constraints = file.readUInt32LE(pos + 12 + 4 + fieldBytes + 24);
    }
    if (type === CONSTRAINTS_SECTION) constraintsAt = pos + 12;
    pos += 12 + size;
  }
  if (constraintsAt < 0 || fieldBytes === 0) throw new Error(`${path}: header or constraints section missing`);
  let terms = 0;
  let at = constraintsAt;
  for (let c = 0; c < constraints * 3; c++) {
    const n = file.readUInt32LE(at);
    terms += n;
    at += 4 + n * (4 + fieldBytes);
  }
  return { constraints, terms };
}
