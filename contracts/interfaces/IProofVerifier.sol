// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IProofVerifier
/// @notice A proof verifier that reverts (with a named error) instead of returning false.
/// @dev Proof bytes are `abi.encode(uint256[8])` =
///      `[pi_a[0], pi_a[1], pi_b[0][1], pi_b[0][0], pi_b[1][1], pi_b[1][0], pi_c[0], pi_c[1]]`
///      (B's coordinates swapped exactly as snarkjs' `exportSolidityCallData` does).
///      Public signals are, in snarkjs order, the circuit's output words followed by its input words.
interface IProofVerifier {
    /// @notice The proof bytes are not exactly 256 bytes (`abi.encode(uint256[8])`).
    /// @param length The length received.
    error VerifierMalformedProof(uint256 length);

    /// @notice A proof coordinate is not below the BN254 base field modulus q.
    /// @param index The coordinate's position in the 8-word proof.
    /// @param value The offending coordinate.
    error VerifierProofCoordinateOutOfField(uint256 index, uint256 value);

    /// @notice The number of public signals differs from the verifying key's.
    /// @param expected The verifying key's public signal count.
    /// @param actual The number received.
    error VerifierSignalCountMismatch(uint256 expected, uint256 actual);

    /// @notice A public signal is not below the BN254 scalar field modulus r.
    /// @param index The signal's position.
    /// @param value The offending signal.
    error VerifierSignalOutOfField(uint256 index, uint256 value);

    /// @notice The pairing check failed: the proof does not prove these public signals.
    error VerifierProofInvalid();

    /// @notice Raised at deployment by an adapter whose wrapped verifier has no code, or whose signal count is zero.
    /// @param verifier The wrapped verifier's address.
    /// @param signalCount The signal count given.
    error VerifierInvalidConfig(address verifier, uint256 signalCount);

    /// @notice Raised by a caller (the hub's `VerifierCall`) when the verifier address holds no code: a call to it
    ///         would succeed with no check at all.
    /// @param verifier The address.
    error VerifierCallNoCode(address verifier);

    /// @notice Verifies `proof` for `publicSignals`; returns nothing and reverts on any failure.
    /// @param proof `abi.encode(uint256[8])` in the layout described above.
    /// @param publicSignals Output words followed by input words, each < r.
    function verifyProof(bytes calldata proof, uint256[] calldata publicSignals) external view;

    /// @notice The number of public signals the verifying key expects.
    /// @return count The signal count N.
    function publicSignalCount() external view returns (uint256 count);
}
