// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../interfaces/IInferenceHub.sol";

/// @title RequestHashing
/// @notice The hashes by which the hub binds a request, and a request to its committed output.
library RequestHashing {
    /// @dev Bytes of `Request`'s head: 13 static-or-offset words, the last one the offset of `input`.
    uint256 private constant HEAD_BYTES = 0x1a0;
    /// @dev `callbackFlags` bit of a settle callback (the hub's `CALLBACK_ON_SETTLE`).
    uint8 private constant SETTLE_CALLBACK_BIT = 2;

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

    /// @notice The binding stored once committed: keccak256 of everything settlement needs, packed
    ///         (the preimage `settleBatch` rebuilds from each item's bytes, prefixed by the batch's header):
    ///         `abi.encodePacked(verifier, uint16 outputWords, uint16 inputWords, node, uint64 proofDeadline,
    ///         modelFee, callbackFee, settlementFee, bond, uint32 settleCallbackGas, requester, output, input)`, where
    ///         `settleCallbackGas` is `callbackGasLimit` when the request asked for a settle callback (`callbackFlags`
    ///         bit 1), zero otherwise. Every field a settlement or a slash acts on is bound: the requester receives a
    ///         slash's refund and compensation.
    /// @dev The preimage is 124 + 32·k bytes; a Requested binding's (`abi.encode(req)`) is 480 + 32·k', never the
    ///      same length, so a settlement binding cannot equal a request hash. Word counts are the model's (< 2^16).
    /// @param req The request.
    /// @param output The committed output words.
    /// @param node The committing node.
    /// @param proofDeadline The commitment's proof deadline.
    /// @return binding The hash.
    function bindSettlement(
        IInferenceHub.Request calldata req,
        uint256[] calldata output,
        address node,
        uint64 proofDeadline
    ) internal pure returns (bytes32 binding) {
        uint256[] calldata input = req.input;
        assembly ("memory-safe") {
            // Fields are read from the struct's head words (word k = field k, in declaration order) and written
            // left-aligned in order, each write overwriting the zero tail of the one before. Callers act on these
            // fields through Solidity's checked accessors, so a word with dirty high bits reverts there.
            let ptr := mload(0x40)
            let outBytes := shl(5, output.length)
            let inBytes := shl(5, input.length)
            let size := add(124, add(outBytes, inBytes))
            // Calldata lengths: no overflow. Allocated (rounded up) so nothing later reuses it while in use.
            mstore(0x40, add(ptr, and(add(size, 31), not(31))))
            let flags := calldataload(add(req, 0x80))
            let settleGas := mul(calldataload(add(req, 0xa0)), iszero(iszero(and(flags, SETTLE_CALLBACK_BIT))))
            mstore(
                ptr,
                or(
                    shl(96, calldataload(add(req, 0x40))),
                    or(shl(80, and(output.length, 0xffff)), shl(64, and(input.length, 0xffff)))
                )
            )
            mstore(add(ptr, 24), shl(96, node))
            mstore(add(ptr, 44), shl(192, proofDeadline))
            mstore(add(ptr, 52), shl(160, calldataload(add(req, 0xc0)))) // modelFee
            mstore(add(ptr, 64), shl(160, calldataload(add(req, 0x100)))) // callbackFee
            mstore(add(ptr, 76), shl(160, calldataload(add(req, 0xe0)))) // settlementFee
            mstore(add(ptr, 88), shl(160, calldataload(add(req, 0x120)))) // bond
            mstore(add(ptr, 100), shl(224, settleGas))
            mstore(add(ptr, 104), shl(96, calldataload(req))) // requester
            calldatacopy(add(ptr, 124), output.offset, outBytes)
            calldatacopy(add(add(ptr, 124), outBytes), input.offset, inBytes)
            binding := keccak256(ptr, size)
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
