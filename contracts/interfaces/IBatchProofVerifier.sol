// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IProofVerifier} from "./IProofVerifier.sol";

/// @title IBatchProofVerifier
/// @notice A Groth16 verifier that also checks N proofs of one verifying key in one call.
/// @dev `proofs` is the concatenation of N proofs, each 256 bytes in `IProofVerifier`'s layout
///      (`abi.encode(uint256[8])`, B's coordinates swapped as snarkjs' `exportSolidityCallData` does).
///      `publicSignals` holds N × `publicSignalCount()` words: proof i's signals (output words, then input words)
///      at `[i·count, (i+1)·count)`. Whole-batch semantics: the call returns only if every proof is valid; one bad
///      proof reverts the call (a random-linear-combination check cannot say which one failed).
///      Field-range errors reuse `IProofVerifier`'s, with indices into the concatenated arrays
///      (`VerifierProofCoordinateOutOfField(8·i + k, …)`, `VerifierSignalOutOfField(i·count + j, …)`).
interface IBatchProofVerifier is IProofVerifier {
    /// @notice The batch holds no proof.
    error VerifierBatchEmpty();

    /// @notice `proofs` is not a whole number of 256-byte proofs, or the signal count is not N × `publicSignalCount()`.
    /// @param proofBytes The length of `proofs`.
    /// @param signalWords The number of public signal words.
    error VerifierBatchShapeMismatch(uint256 proofBytes, uint256 signalWords);

    /// @notice The combined pairing check failed: at least one proof does not prove its public signals. Also raised
    ///         when a precompile rejects a proof point (off the curve, or B outside G2's subgroup), which the check
    ///         cannot attribute to one proof either.
    /// @param count The number of proofs in the batch.
    error VerifierBatchInvalid(uint256 count);

    /// @notice Verifies every proof in the batch; returns nothing and reverts on any failure.
    /// @param proofs N concatenated 256-byte proofs.
    /// @param publicSignals N × `publicSignalCount()` words, proof by proof.
    function verifyProofBatch(bytes calldata proofs, uint256[] calldata publicSignals) external view;
}
