import { encodePacked, keccak256 } from "viem";
import { z } from "zod";
import { ZkmlError } from "../errors.ts";

/** A decimal field element as snarkjs writes it. */
const Decimal = z.string().regex(/^[0-9]+$/);
/** An affine G1 point in snarkjs' projective notation `[x, y, "1"]`. */
const G1 = z.tuple([Decimal, Decimal, z.literal("1")]);
/** An affine G2 point `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]`. */
const G2 = z.tuple([
  z.tuple([Decimal, Decimal]),
  z.tuple([Decimal, Decimal]),
  z.tuple([z.literal("1"), z.literal("0")]),
]);

/** The parts of a snarkjs BN254 Groth16 `verification_key.json` the batch verifier is built from. */
export const Groth16VerificationKeySchema = z.object({
  protocol: z.literal("groth16"),
  curve: z.literal("bn128"),
  nPublic: z.number().int().positive(),
  vk_alpha_1: G1,
  vk_beta_2: G2,
  vk_gamma_2: G2,
  vk_delta_2: G2,
  IC: z.array(G1),
});

/** A parsed snarkjs Groth16 verification key. */
export type Groth16VerificationKey = z.infer<typeof Groth16VerificationKeySchema>;

/** Options of {@link renderBatchVerifier}. */
export interface BatchVerifierOptions {
  /** Solidity contract name. */
  contractName: string;
  /**
   * Folder of the project's `contracts/` tree relative to the generated file, e.g. `../..` for
   * `contracts/verifiers/generated/X.sol`: the file imports `<root>/interfaces/IBatchProofVerifier.sol`.
   */
  contractsRoot: string;
  /** Where the key came from, for the header (e.g. `test/fixtures/test-circuit/verification_key.json`). */
  source: string;
  /** The command that regenerates the file, for the header. */
  command: string;
}

/** BN254 base field modulus q: every coordinate of a valid key is below it. */
const BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

/** The generator, named in every generated file's header. */
const GENERATOR = "zkml/setup/batchVerifierSolidity.ts (OPG model compiler)";

/**
 * Parses and checks a snarkjs verification key: BN254 Groth16, affine points, coordinates below q and
 * `IC.length == nPublic + 1`.
 *
 * @throws ZkmlError `CompiledModelInvalid` naming what is wrong.
 */
export function parseVerificationKey(json: unknown): Groth16VerificationKey {
  const parsed = Groth16VerificationKeySchema.safeParse(json);
  if (!parsed.success) {
    throw new ZkmlError("CompiledModelInvalid", "not a BN254 Groth16 verification key", {
      details: parsed.error.message,
    });
  }
  const vk = parsed.data;
  if (vk.IC.length !== vk.nPublic + 1) {
    throw new ZkmlError(
      "CompiledModelInvalid",
      `verification key has ${vk.IC.length} IC points, expected nPublic + 1 = ${vk.nPublic + 1}`,
    );
  }
  for (const word of vkWords(vk)) {
    if (word >= BASE_FIELD) {
      throw new ZkmlError("CompiledModelInvalid", `verification key coordinate ${word} is not below q`);
    }
  }
  return vk;
}

/** A G2 point in the pairing precompile's word order: x.c1, x.c0, y.c1, y.c0 (EIP-197). */
function g2Words(p: Groth16VerificationKey["vk_beta_2"]): bigint[] {
  return [p[0][1], p[0][0], p[1][1], p[1][0]].map(BigInt);
}

/**
 * The key's points as words, in the order `VK_HASH` hashes them: α (x, y), β, γ, δ (each x.c1, x.c0,
 * y.c1, y.c0, the precompile's order), then IC₀ … IC_n (x, y).
 */
export function vkWords(vk: Groth16VerificationKey): bigint[] {
  return [
    BigInt(vk.vk_alpha_1[0]),
    BigInt(vk.vk_alpha_1[1]),
    ...g2Words(vk.vk_beta_2),
    ...g2Words(vk.vk_gamma_2),
    ...g2Words(vk.vk_delta_2),
    ...vk.IC.flatMap((p) => [BigInt(p[0]), BigInt(p[1])]),
  ];
}

/** `VK_HASH`: `keccak256(abi.encodePacked(uint256[] vkWords(vk)))`, which binds the batch coefficients to the key. */
export function verificationKeyHash(vk: Groth16VerificationKey): `0x${string}` {
  const words = vkWords(vk);
  return keccak256(encodePacked(["uint256[]"], [words]));
}

const hex = (v: bigint | number | string) => `0x${BigInt(v).toString(16).padStart(64, "0")}`;

function g2Constants(name: string, what: string, p: Groth16VerificationKey["vk_beta_2"]): string {
  const [x1, x0, y1, y0] = g2Words(p).map(hex);
  return [
    `    /// @dev ${what} (G2), in the pairing precompile's order: x.c1, x.c0, y.c1, y.c0.`,
    `    uint256 private constant ${name}_X1 = ${x1};`,
    `    uint256 private constant ${name}_X0 = ${x0};`,
    `    uint256 private constant ${name}_Y1 = ${y1};`,
    `    uint256 private constant ${name}_Y0 = ${y0};`,
  ].join("\n");
}

/** Yul that writes a G2 constant at `at` … `at + 0x80`. */
function storeG2(at: string, name: string): string {
  return [
    `            mstore(${at}, ${name}_X1)`,
    `            mstore(add(${at}, 0x20), ${name}_X0)`,
    `            mstore(add(${at}, 0x40), ${name}_Y1)`,
    `            mstore(add(${at}, 0x60), ${name}_Y0)`,
  ].join("\n");
}

/**
 * Renders a Solidity contract implementing `IBatchProofVerifier` for one Groth16 verifying key: one
 * pairing-precompile call of N + 3 pairs checks N proofs by a random linear combination with
 * Fiat–Shamir coefficients; a single proof (N = 1) is exactly the standard 4-pairing check.
 *
 * The template is the project's own (not snarkjs'); see the contract's NatSpec for the check, the
 * coefficient derivation and the memory layout.
 */
export function renderBatchVerifier(vk: Groth16VerificationKey, opts: BatchVerifierOptions): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(opts.contractName)) {
    throw new ZkmlError("BadInput", `"${opts.contractName}" is not a Solidity contract name`);
  }
  const count = vk.nPublic;
  const icConstants = vk.IC.map((p, i) =>
    [
      `    uint256 private constant IC${i}_X = ${hex(p[0])};`,
      `    uint256 private constant IC${i}_Y = ${hex(p[1])};`,
    ].join("\n"),
  ).join("\n");
  const icFold = vk.IC.slice(1)
    .map(
      (_, j) =>
        `            ok := mulAdd(acc, IC${j + 1}_X, IC${j + 1}_Y, mload(add(folds, 0x${(32 * j).toString(16)})), ok)`,
    )
    .join("\n");
  const root = opts.contractsRoot;
  return `// SPDX-License-Identifier: MIT
// GENERATED by ${GENERATOR}; do not edit.
// Source: ${opts.source}. Regenerate with \`${opts.command}\`.
pragma solidity ^0.8.28;

import {IBatchProofVerifier} from "${root}/interfaces/IBatchProofVerifier.sol";
import {IProofVerifier} from "${root}/interfaces/IProofVerifier.sol";
import {FieldMath} from "${root}/libraries/FieldMath.sol";

/// @title ${opts.contractName}
/// @notice Groth16 (BN254) verifier for one verifying key that checks N proofs with one pairing-precompile call.
/// @dev Batch check, with coefficients r_0 = 1 and r_i (i ≥ 1) drawn by Fiat–Shamir:
///        Π_i e(−r_i·A_i, B_i) · e((Σ r_i)·α, β) · e((Σ r_i)·IC_0 + Σ_j s_j·IC_{j+1}, γ) · e(Σ r_i·C_i, δ) = 1,
///      with s_j = Σ_i r_i·x_ij mod r: N + 3 pairs. By bilinearity the product is Π_i E_i^{r_i}, where E_i is proof i's
///      own Groth16 product e(−A_i, B_i)·e(α, β)·e(L_i, γ)·e(C_i, δ), which is 1 exactly when proof i is valid. G_T has
///      prime order r, so if some E_i ≠ 1 the batch passes only when Σ r_i·log(E_i) ≡ 0 (mod r): for coefficients the
///      batch's author cannot predict, at most one 128-bit value of the last r_i with log(E_i) ≠ 0 does it, a chance
///      of 2^-128 per try, and every try costs a keccak evaluation, because r_i depend on all proofs and signals.
///      Each proof carries its own r_i on both A_i and C_i, so C (or A) cannot be moved between proofs.
///
///      Coefficients: seed = keccak256(abi.encode(DOMAIN_TAG, block.chainid, address(this), msg.sender, VK_HASH, N)
///      ++ proofs ++ publicSignals) (the raw calldata bytes, all range-checked, so each encoding is canonical);
///      r_i = the low 128 bits of keccak256(abi.encode(seed, i)), replaced by 1 in the 2^-128 event that they are 0
///      (a zero coefficient would drop proof i from the check; 1 keeps it in). Never a block hash: whoever builds
///      the batch would know it. N = 1 needs no seed (r_0 = 1): the check is then exactly snarkjs' 4-pairing check.
///      The pairing precompile checks that each B_i lies in G2's subgroup (EIP-197); G1 has cofactor 1.
///      Any failed precompile call (a point off the curve, or B_i outside G2) makes the check fail, with the same
///      errors as a false pairing: \`VerifierProofInvalid\` for one proof, \`VerifierBatchInvalid(N)\` for a batch.
contract ${opts.contractName} is IBatchProofVerifier {
    /// @notice keccak256 of the verifying key's words: α (x, y); β, γ, δ (x.c1, x.c0, y.c1, y.c0 each); IC_0 … IC_${count}
    ///         (x, y each). Binds the coefficients to this key.
    bytes32 public constant VK_HASH = ${verificationKeyHash(vk)};
    /// @notice Domain tag, the first word the coefficient seed hashes: a batch for another purpose cannot share it.
    bytes32 public constant DOMAIN_TAG = "OPG-HACA Groth16 batch v1";

    /// @dev Public signals per proof (output words, then input words).
    uint256 private constant SIGNAL_COUNT = ${count};
    /// @dev Bytes of one proof's signals: SIGNAL_COUNT words.
    uint256 private constant SIGNAL_BYTES = ${32 * count};
    /// @dev Bytes of one proof: 8 words (A, B, C).
    uint256 private constant PROOF_BYTES = 256;
    /// @dev Words of one proof.
    uint256 private constant PROOF_WORDS = 8;
    /// @dev BN254 scalar field modulus r (the coefficients' and signals' field).
    uint256 private constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @dev BN254 base field modulus q (the coordinates' field).
    uint256 private constant Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
    /// @dev Keeps the low 128 bits of a hash: the coefficients' width.
    uint256 private constant COEFFICIENT_MASK = 0xffffffffffffffffffffffffffffffff;

    /// @dev α (G1).
    uint256 private constant ALPHA_X = ${hex(vk.vk_alpha_1[0])};
    uint256 private constant ALPHA_Y = ${hex(vk.vk_alpha_1[1])};
${g2Constants("BETA", "β", vk.vk_beta_2)}
${g2Constants("GAMMA", "γ", vk.vk_gamma_2)}
${g2Constants("DELTA", "δ", vk.vk_delta_2)}
    /// @dev IC_0 … IC_${count} (G1): L = IC_0 + Σ_j x_j·IC_{j+1} for one proof.
${icConstants}

    /// @inheritdoc IProofVerifier
    function verifyProof(bytes calldata proof, uint256[] calldata publicSignals) external view {
        if (proof.length != PROOF_BYTES) revert VerifierMalformedProof(proof.length);
        if (publicSignals.length != SIGNAL_COUNT) {
            revert VerifierSignalCountMismatch(SIGNAL_COUNT, publicSignals.length);
        }
        (uint256 proofsAt, uint256 signalsAt) = _offsets(proof, publicSignals);
        _checkFieldRanges(proofsAt, PROOF_WORDS, signalsAt, SIGNAL_COUNT);
        if (!_batchHolds(proofsAt, signalsAt, 1)) revert VerifierProofInvalid();
    }

    /// @inheritdoc IBatchProofVerifier
    function verifyProofBatch(bytes calldata proofs, uint256[] calldata publicSignals) external view {
        uint256 proofBytes = proofs.length;
        if (proofBytes == 0) revert VerifierBatchEmpty();
        uint256 count = proofBytes / PROOF_BYTES;
        if (proofBytes % PROOF_BYTES != 0 || publicSignals.length != count * SIGNAL_COUNT) {
            revert VerifierBatchShapeMismatch(proofBytes, publicSignals.length);
        }
        (uint256 proofsAt, uint256 signalsAt) = _offsets(proofs, publicSignals);
        _checkFieldRanges(proofsAt, count * PROOF_WORDS, signalsAt, publicSignals.length);
        if (!_batchHolds(proofsAt, signalsAt, count)) revert VerifierBatchInvalid(count);
    }

    /// @inheritdoc IProofVerifier
    function publicSignalCount() external pure returns (uint256 count) {
        count = SIGNAL_COUNT;
    }

    /// @dev Calldata offsets of the proof bytes and of the signal words.
    function _offsets(bytes calldata proofs, uint256[] calldata publicSignals)
        private
        pure
        returns (uint256 proofsAt, uint256 signalsAt)
    {
        assembly ("memory-safe") {
            proofsAt := proofs.offset
            signalsAt := publicSignals.offset
        }
    }

    /// @dev Reverts naming the first proof coordinate not below q, then the first signal not below r. Indices are
    ///      into the concatenated arrays (8·i + k, i·SIGNAL_COUNT + j). The caller checked both lengths, so every
    ///      word read lies inside calldata.
    function _checkFieldRanges(uint256 proofsAt, uint256 proofWords, uint256 signalsAt, uint256 signalWords)
        private
        pure
    {
        uint256 bad = FieldMath.firstNotBelow(proofsAt, proofWords, FieldMath.BASE_FIELD);
        if (bad < proofWords) revert VerifierProofCoordinateOutOfField(bad, _wordAt(proofsAt, bad));
        bad = FieldMath.firstNotBelow(signalsAt, signalWords, FieldMath.SCALAR_FIELD);
        if (bad < signalWords) revert VerifierSignalOutOfField(bad, _wordAt(signalsAt, bad));
    }

    /// @dev The calldata word at \`offset + 32·index\`.
    function _wordAt(uint256 offset, uint256 index) private pure returns (uint256 word) {
        assembly ("memory-safe") {
            word := calldataload(add(offset, shl(5, index)))
        }
    }

    /// @dev Whether the batch's pairing product is 1 (see the contract's @dev). \`count\` ≥ 1 proofs at calldata
    ///      \`proofsAt\`, \`count\`·SIGNAL_COUNT signals at \`signalsAt\`, all lengths and field ranges already checked.
    ///      False, never a revert, when a precompile call fails, so the caller reverts with its named error.
    ///      One assembly block on purpose: every step writes into the one memory layout described inside.
    // solhint-disable-next-line function-max-lines
    function _batchHolds(uint256 proofsAt, uint256 signalsAt, uint256 count) private view returns (bool ok) {
        bytes32 domainTag = DOMAIN_TAG;
        bytes32 vkHash = VK_HASH;
        assembly ("memory-safe") {
            // acc += s·(x, y) with the term built in the 96 bytes after acc, so that ECADD reads acc ++ term as one
            // 128-byte input: no copies. Returns ok unchanged, or 0 when a call fails (then it does nothing more, so
            // a failed call, which burns the gas it was given, leaves the 1/64 kept back for the named revert).
            function mulAdd(acc, x, y, s, okIn) -> okOut {
                okOut := okIn
                if okOut {
                    let term := add(acc, 0x40)
                    mstore(term, x)
                    mstore(add(term, 0x20), y)
                    mstore(add(term, 0x40), s)
                    okOut := staticcall(gas(), 0x07, term, 0x60, term, 0x40)
                    if okOut { okOut := staticcall(gas(), 0x06, acc, 0x80, acc, 0x40) }
                }
            }

            // Scratch past the free-memory pointer, never allocated (nothing here outlives this call):
            //   pairs: (count + 3) pairs of 192 bytes (G1 x, y; G2 x.c1, x.c0, y.c1, y.c0), the precompile's input:
            //          one per proof (−r_i·A_i, B_i), then (Σr·α, β), (L, γ), (Σ r_i·C_i, δ). Each G1 sum is built in
            //          its own pair's slot with the G2 half as the term's scratch, and G2 is written last.
            //   folds: SIGNAL_COUNT words s_j = Σ_i r_i·x_ij mod r, after the pairs.
            // Before any of that, the seed's preimage occupies the same memory from \`pairs\` on.
            // No offset below can overflow: count ≤ calldata bytes / 256, and calldata is bounded by the block's gas.
            let pairs := mload(0x40)
            let folds := add(pairs, mul(add(count, 3), 0xc0))
            let cSlot := add(pairs, mul(add(count, 2), 0xc0))
            ok := 1

            // The seed's preimage, when there is more than one proof: 6 header words, then the proofs and signals
            // exactly as received. It is hashed before anything else is written over it.
            let seed := 0
            if gt(count, 1) {
                mstore(pairs, domainTag)
                mstore(add(pairs, 0x20), chainid())
                mstore(add(pairs, 0x40), address())
                mstore(add(pairs, 0x60), caller())
                mstore(add(pairs, 0x80), vkHash)
                mstore(add(pairs, 0xa0), count)
                let proofBytes := shl(8, count)
                let signalBytes := mul(count, SIGNAL_BYTES)
                calldatacopy(add(pairs, 0xc0), proofsAt, proofBytes)
                calldatacopy(add(add(pairs, 0xc0), proofBytes), signalsAt, signalBytes)
                seed := keccak256(pairs, add(0xc0, add(proofBytes, signalBytes)))
            }

            // Proof 0: r_0 = 1, so A_0 is only negated, C_0 starts the C sum and s_j starts at x_0j.
            mstore(pairs, calldataload(proofsAt))
            // (q − y) mod q: the negation, and y = 0 (the point at infinity's encoding) stays 0.
            mstore(add(pairs, 0x20), mod(sub(Q, calldataload(add(proofsAt, 0x20))), Q))
            calldatacopy(add(pairs, 0x40), add(proofsAt, 0x40), 0x80)
            mstore(cSlot, calldataload(add(proofsAt, 0xc0)))
            mstore(add(cSlot, 0x20), calldataload(add(proofsAt, 0xe0)))
            calldatacopy(folds, signalsAt, SIGNAL_BYTES)

            let sumR := 1
            if gt(count, 1) {
                mstore(0x00, seed)
                for { let i := 1 } and(lt(i, count), ok) { i := add(i, 1) } {
                    mstore(0x20, i)
                    let r := and(keccak256(0x00, 0x40), COEFFICIENT_MASK)
                    if iszero(r) { r := 1 }
                    // sumR < count·2^128: no overflow; ECMUL takes any 256-bit scalar, so it needs no reduction.
                    sumR := add(sumR, r)
                    let proof := add(proofsAt, shl(8, i))
                    let pair := add(pairs, mul(i, 0xc0))
                    // −r·A_i: ECMUL in place in the pair's slot (input x, y, r; output x, y), then negate y.
                    mstore(pair, calldataload(proof))
                    mstore(add(pair, 0x20), calldataload(add(proof, 0x20)))
                    mstore(add(pair, 0x40), r)
                    ok := staticcall(gas(), 0x07, pair, 0x60, pair, 0x40)
                    mstore(add(pair, 0x20), mod(sub(Q, mload(add(pair, 0x20))), Q))
                    calldatacopy(add(pair, 0x40), add(proof, 0x40), 0x80)
                    ok := mulAdd(cSlot, calldataload(add(proof, 0xc0)), calldataload(add(proof, 0xe0)), r, ok)
                    // s_j += r·x_ij (mod r): the fold that lets one ECMUL per IC point serve the whole batch.
                    let xs := add(signalsAt, mul(i, SIGNAL_BYTES))
                    for { let j := 0 } lt(j, SIGNAL_BYTES) { j := add(j, 0x20) } {
                        let at := add(folds, j)
                        mstore(at, addmod(mload(at), mulmod(r, calldataload(add(xs, j)), R), R))
                    }
                }
            }

            // (Σr·α, β); with one proof Σr = 1 and α goes in as is (no ECMUL, as in snarkjs' verifier).
            let pair := add(pairs, mul(count, 0xc0))
            mstore(pair, ALPHA_X)
            mstore(add(pair, 0x20), ALPHA_Y)
            if and(ok, gt(count, 1)) {
                mstore(add(pair, 0x40), sumR)
                ok := staticcall(gas(), 0x07, pair, 0x60, pair, 0x40)
            }
${storeG2("add(pair, 0x40)", "BETA")}

            // (L, γ) with L = Σr·IC_0 + Σ_j s_j·IC_{j+1}.
            let acc := add(pair, 0xc0)
            mstore(acc, IC0_X)
            mstore(add(acc, 0x20), IC0_Y)
            if and(ok, gt(count, 1)) {
                mstore(add(acc, 0x40), sumR)
                ok := staticcall(gas(), 0x07, acc, 0x60, acc, 0x40)
            }
${icFold}
${storeG2("add(acc, 0x40)", "GAMMA")}

            // (Σ r_i·C_i, δ): the C sum is already in its slot.
${storeG2("add(cSlot, 0x40)", "DELTA")}

            if ok {
                ok := staticcall(gas(), 0x08, pairs, mul(add(count, 3), 0xc0), 0x00, 0x20)
                ok := and(ok, eq(mload(0x00), 1))
            }
        }
    }
}
`;
}
