import { readR1cs } from "../../zkml/index.ts";

/**
 * Counts the non-zero terms of an R1CS file's A, B and C matrices. Groth16 setup and the prover's
 * witness-to-QAP step scale with this number, not with the constraint count alone.
 */
export async function countR1csTerms(path: string): Promise<{ constraints: number; terms: number }> {
  const { constraints } = await readR1cs(path);
  const terms = constraints.reduce((sum, [a, b, c]) => sum + a.length + b.length + c.length, 0);
  return { constraints: constraints.length, terms };
}
