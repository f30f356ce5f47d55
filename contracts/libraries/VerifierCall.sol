// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IProofVerifier} from "../interfaces/IProofVerifier.sol";

/// @title VerifierCall
/// @notice Calls `IProofVerifier.verifyProof(proof, output ++ input)` straight from calldata.
/// @dev Builds the call's ABI encoding in memory with `calldatacopy` (no intermediate array) and bubbles the
///      verifier's revert data (its named errors) unchanged.
library VerifierCall {
    /// @notice The verifier address holds no code.
    /// @param verifier The address.
    error VerifierCallNoCode(address verifier);

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
        if (verifier.code.length == 0) revert VerifierCallNoCode(verifier);
        bytes4 selector = IProofVerifier.verifyProof.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let padded := and(add(proof.length, 31), not(31))
            // selector | offset(proof) = 0x40 | offset(signals) | proof.length | proof (padded) | n | signals
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), 0x40)
            mstore(add(ptr, 0x24), add(0x60, padded))
            mstore(add(ptr, 0x44), proof.length)
            if padded { mstore(add(add(ptr, 0x64), sub(padded, 0x20)), 0) } // zero the last word's padding
            calldatacopy(add(ptr, 0x64), proof.offset, proof.length)
            let signals := add(add(ptr, 0x64), padded)
            let outBytes := mul(output.length, 0x20)
            mstore(signals, add(output.length, input.length))
            calldatacopy(add(signals, 0x20), output.offset, outBytes)
            calldatacopy(add(add(signals, 0x20), outBytes), input.offset, mul(input.length, 0x20))
            let size := sub(add(add(signals, 0x20), add(outBytes, mul(input.length, 0x20))), ptr)
            if iszero(staticcall(gas(), verifier, ptr, size, 0, 0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
        }
    }
}
