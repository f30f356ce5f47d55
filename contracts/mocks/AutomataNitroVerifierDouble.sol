// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAutomataNitroEnclaveVerifier} from "../interfaces/external/IAutomataNitroEnclaveVerifier.sol";

/// @title AutomataNitroVerifierDouble
/// @notice TEST DOUBLE standing in for Automata's deployed AWS Nitro verifier, which cannot exist on a local chain (it
///         needs Automata's ZK verifiers and program ids). It checks no proof: `verify` returns the journal it was
///         configured with (`setJournal`), so tests feed it the facts of a real Nitro document.
contract AutomataNitroVerifierDouble is IAutomataNitroEnclaveVerifier {
    /// @notice `verify` was called (what a test asserts the adapter passed through).
    /// @param outputHash keccak256 of `output`.
    /// @param zkCoprocessor The proving system named.
    /// @param proofHash keccak256 of `proofBytes`.
    event DoubleVerified(bytes32 outputHash, ZkCoProcessorType zkCoprocessor, bytes32 proofHash);

    VerifierJournal private _journal;

    /// @notice Sets the journal every later `verify` returns.
    /// @param journal The journal (for instance the facts of a real document, with `result` of the test's choice).
    function setJournal(VerifierJournal calldata journal) external {
        _journal = journal;
    }

    /// @inheritdoc IAutomataNitroEnclaveVerifier
    function verify(bytes calldata output, ZkCoProcessorType zkCoprocessor, bytes calldata proofBytes)
        external
        returns (VerifierJournal memory journal)
    {
        emit DoubleVerified(keccak256(output), zkCoprocessor, keccak256(proofBytes));
        journal = _journal;
    }
}
