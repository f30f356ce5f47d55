// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title FieldMath
/// @notice BN254 moduli and the one range check used to validate public signals and proof coordinates.
library FieldMath {
    /// @notice The BN254 scalar field modulus r: every public signal must be below it.
    uint256 internal constant SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice The BN254 base field modulus q: every proof coordinate must be below it.
    uint256 internal constant BASE_FIELD =
        21888242871839275222246405745257275088696311157297823662689037894645226208583;

    /// @notice The position of the first of `words` that is not below r, or `words.length` when all are.
    /// @param words Calldata words (public signals, input or output words).
    /// @return index The first offending position, or `words.length`.
    function firstOutOfScalarField(uint256[] calldata words) internal pure returns (uint256 index) {
        uint256 offset;
        assembly ("memory-safe") {
            offset := words.offset
        }
        index = firstNotBelow(offset, words.length, SCALAR_FIELD);
    }

    /// @notice The position of the first of `count` consecutive calldata words starting at byte `offset` that is
    ///         not below `modulus`, or `count` when all are.
    /// @dev The caller guarantees that the `count` words lie inside calldata (a decoded calldata array, or bytes
    ///      whose length it checked), so `offset + 32 · count` cannot wrap.
    /// @param offset Calldata byte offset of the first word.
    /// @param count Number of words.
    /// @param modulus The exclusive upper bound.
    /// @return index The first offending position, or `count`.
    function firstNotBelow(uint256 offset, uint256 count, uint256 modulus) internal pure returns (uint256 index) {
        assembly ("memory-safe") {
            index := count
            let end := add(offset, shl(5, count))
            for { let at := offset } lt(at, end) { at := add(at, 0x20) } {
                if iszero(lt(calldataload(at), modulus)) {
                    index := shr(5, sub(at, offset))
                    break
                }
            }
        }
    }
}
