// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../interfaces/IInferenceHub.sol";

/// @title RequestHashing
/// @notice The hashes by which the hub binds a request, and a request to its committed output.
library RequestHashing {
    /// @dev Bytes of `Request`'s head: 13 static-or-offset words, the last one the offset of `input`.
    uint256 private constant HEAD_BYTES = 0x1a0;

    /// @notice `keccak256(abi.encode(req))`, the binding stored while a request awaits a commit.
    /// @dev Hashes `0x20 ‖ <req's calldata bytes>` directly instead of re-encoding field by field. This equals
    ///      `keccak256(abi.encode(req))` for canonical calldata; non-canonical calldata (another `input` offset,
    ///      dirty high bits) changes the hashed bytes, so it can never match a binding the hub stored from a
    ///      canonical encoding.
    /// @param req The request.
    /// @return requestHash The hash.
    function hash(IInferenceHub.Request calldata req) internal pure returns (bytes32 requestHash) {
        assembly ("memory-safe") {
            // Canonical layout: head (HEAD_BYTES) | input.length | input words. A huge length makes the copy run
            // out of gas or (wrapping) hash a length word that differs from the canonical one.
            let size := add(add(HEAD_BYTES, 0x20), mul(calldataload(add(req, HEAD_BYTES)), 0x20))
            let ptr := mload(0x40)
            mstore(ptr, 0x20)
            calldatacopy(add(ptr, 0x20), req, size)
            requestHash := keccak256(ptr, add(size, 0x20))
        }
    }

    /// @notice The binding stored once committed:
    ///         `keccak256(abi.encode(requestHash, keccak256(abi.encodePacked(output))))`.
    /// @param requestHash The request's hash.
    /// @param output The committed output words.
    /// @return binding The hash.
    function bindOutput(bytes32 requestHash, uint256[] calldata output) internal pure returns (bytes32 binding) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let size := mul(output.length, 0x20)
            calldatacopy(ptr, output.offset, size)
            mstore(0x20, keccak256(ptr, size))
            mstore(0x00, requestHash)
            binding := keccak256(0x00, 0x40)
        }
    }

    /// @notice The id of the request made with `nonce` on this chain by `hub`.
    /// @param hub The hub address.
    /// @param nonce The hub's request nonce.
    /// @return requestId `keccak256(abi.encode(block.chainid, hub, nonce))`.
    function requestId(address hub, uint256 nonce) internal view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, hub, nonce));
    }
}
