import type { SnarkjsProof } from "snarkjs";
import { encodeAbiParameters } from "viem";

/** A snarkjs Groth16 proof (decimal strings). */
export type Groth16Proof = SnarkjsProof;

/**
 * The Groth16 proof as the eight uint256 the Solidity verifier takes: A, B (coordinates swapped
 * within each G2 element, as snarkjs' `exportSolidityCallData` does), C.
 */
export function proofToUints(
  proof: Groth16Proof,
): readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint] {
  const a = proof.pi_a;
  const b = proof.pi_b;
  const c = proof.pi_c;
  return [
    BigInt(a[0]!),
    BigInt(a[1]!),
    BigInt(b[0]![1]!),
    BigInt(b[0]![0]!),
    BigInt(b[1]![1]!),
    BigInt(b[1]![0]!),
    BigInt(c[0]!),
    BigInt(c[1]!),
  ];
}

/** The hub's proof bytes: `abi.encode(uint256[8])` of {@link proofToUints}. */
export function encodeProof(proof: Groth16Proof): `0x${string}` {
  return encodeAbiParameters([{ type: "uint256[8]" }], [proofToUints(proof)]);
}

/** Arguments of the generated verifier's `verifyProof(a, b, c, publicSignals)`. */
export function verifierArgs(proof: Groth16Proof, publicSignals: readonly (bigint | string)[]) {
  const u = proofToUints(proof);
  return [
    [u[0], u[1]],
    [
      [u[2], u[3]],
      [u[4], u[5]],
    ],
    [u[6], u[7]],
    publicSignals.map(BigInt),
  ] as const;
}
