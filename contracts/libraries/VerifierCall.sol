// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IProofVerifier} from "../interfaces/IProofVerifier.sol";

/// @title VerifierCall
/// @notice Calls `IProofVerifier.verifyProof(proof, output ++ input)` straight from calldata.
/// @dev Builds the call's ABI encoding in memory with `calldatacopy` (no intermediate array) and bubbles the
///      verifier's revert data (its named errors) unchanged.
library VerifierCall {
    /// @dev Bytes of a function selector.
    uint256 private constant SELECTOR_BYTES = 4;
    /// @dev Head of `verifyProof(bytes,uint256[])`'s arguments: the offsets of `proof` and of the signals.
    uint256 private constant ARGS_HEAD_BYTES = 0x40;

    /// @notice Reverts unless `verifier` accepts `proof` for public signals `output ++ input`.
    /// @param verifier An `IProofVerifier`.
    /// @param proof The proof bytes.
    /// @param output The committed output words (first public signals).
    /// @param input The request's input words (remaining public signals).
    function verify(
        address verifier,
        bytes calldata proof,
        uint256[] calldata output,
        uint256[] calldata input
    ) internal view {
        if (verifier.code.length == 0) revert IProofVerifier.VerifierCallNoCode(verifier);
        bytes4 selector = IProofVerifier.verifyProof.selector;
        assembly ("memory-safe") {
            // selector | offset(proof) | offset(signals) | proof.length | proof (padded) | n | signals
            let ptr := mload(0x40)
            let padded := and(add(proof.length, 31), not(31))
            let args := add(ptr, SELECTOR_BYTES)
            mstore(ptr, selector)
            mstore(args, ARGS_HEAD_BYTES)
            mstore(add(args, 0x20), add(add(ARGS_HEAD_BYTES, 0x20), padded))
            let proofAt := add(args, ARGS_HEAD_BYTES)
            mstore(proofAt, proof.length)
            let proofData := add(proofAt, 0x20)
            if padded { mstore(add(proofData, sub(padded, 0x20)), 0) } // zero the last word's padding
            calldatacopy(proofData, proof.offset, proof.length)
            let signals := add(proofData, padded)
            let outBytes := mul(output.length, 0x20)
            let inBytes := mul(input.length, 0x20)
            mstore(signals, add(output.length, input.length))
            calldatacopy(add(signals, 0x20), output.offset, outBytes)
            calldatacopy(add(add(signals, 0x20), outBytes), input.offset, inBytes)
            let size := sub(add(add(signals, 0x20), add(outBytes, inBytes)), ptr)
            if iszero(staticcall(gas(), verifier, ptr, size, 0, 0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
        }
    }
}
