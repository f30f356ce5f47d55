// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../interfaces/IInferenceHub.sol";

/// @title RequestHashing
/// @notice The hashes by which the hub binds a request, and a request to its committed output.
library RequestHashing {
    /// @notice `keccak256(abi.encode(req))`, the binding stored while a request awaits a commit.
    /// @param req The request.
    /// @return requestHash The hash.
    function hash(IInferenceHub.Request calldata req) internal pure returns (bytes32 requestHash) {
        requestHash = keccak256(abi.encode(req));
    }

    /// @notice `keccak256(abi.encode(req))` for a request built in memory (same bytes as the calldata form).
    /// @param req The request.
    /// @return requestHash The hash.
    function hashMemory(IInferenceHub.Request memory req) internal pure returns (bytes32 requestHash) {
        requestHash = keccak256(abi.encode(req));
    }

    /// @notice The binding stored once committed:
    ///         `keccak256(abi.encode(requestHash, keccak256(abi.encodePacked(output))))`.
    /// @param requestHash The request's hash.
    /// @param output The committed output words.
    /// @return binding The hash.
    function bindOutput(bytes32 requestHash, uint256[] calldata output) internal pure returns (bytes32 binding) {
        binding = keccak256(abi.encode(requestHash, keccak256(abi.encodePacked(output))));
    }

    /// @notice The id of the request made with `nonce` on this chain by `hub`.
    /// @param hub The hub address.
    /// @param nonce The hub's request nonce.
    /// @return requestId `keccak256(abi.encode(block.chainid, hub, nonce))`.
    function requestId(address hub, uint256 nonce) internal view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, hub, nonce));
    }
}
