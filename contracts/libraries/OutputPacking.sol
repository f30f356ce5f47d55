// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title OutputPacking
/// @notice Reads model outputs packed the way the model compiler packs public signals: value j of a word sits at
///         bits [B·j, B·(j+1)) as the unsigned offset `v − min` (manifest `publicSignals.output`).
/// @dev The offset is monotonic in the value, so comparisons (argmax) need only the width B, not `min`.
library OutputPacking {
    /// @notice The packing parameters do not describe a word: no values, or more bits than a word holds.
    /// @param count The number of values.
    /// @param bitsPerValue Their width.
    error OutputPackingInvalid(uint256 count, uint256 bitsPerValue);

    /// @notice The offset (`v − min`) of value `index` of `word`.
    /// @param word The packed word.
    /// @param index The value's position in the word.
    /// @param bitsPerValue The width B of each value.
    /// @return offset The unsigned offset of the value.
    function offsetAt(uint256 word, uint256 index, uint256 bitsPerValue) internal pure returns (uint256 offset) {
        return (word >> (bitsPerValue * index)) & ((1 << bitsPerValue) - 1);
    }

    /// @notice Index of the largest of the first `count` values of `word` (the first one on ties): the predicted
    ///         class of a classifier whose outputs fit one word.
    /// @param word The packed output word.
    /// @param count The number of values (≥ 1; count × bitsPerValue ≤ 256).
    /// @param bitsPerValue The width B of each value.
    /// @return index The position of the largest value.
    function argmax(uint256 word, uint256 count, uint256 bitsPerValue) internal pure returns (uint256 index) {
        if (count == 0 || bitsPerValue == 0 || count * bitsPerValue > 256) {
            revert OutputPackingInvalid(count, bitsPerValue);
        }
        uint256 best = offsetAt(word, 0, bitsPerValue);
        for (uint256 j = 1; j < count; ++j) {
            uint256 value = offsetAt(word, j, bitsPerValue);
            if (value > best) (best, index) = (value, j);
        }
    }
}
