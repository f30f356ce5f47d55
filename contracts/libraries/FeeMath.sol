// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title FeeMath
/// @notice Fee and slash arithmetic of the InferenceHub, pure so it can be fuzzed on its own.
library FeeMath {
    /// @notice Basis points in one whole.
    uint256 internal constant BPS = 10_000;

    /// @notice The settlement fee for a model fee: `base + modelFee · bps / 10,000` (rounded down).
    /// @param modelFee The model's price.
    /// @param base The flat part.
    /// @param bps The proportional part, in basis points.
    /// @return fee The settlement fee.
    function settlementFee(uint256 modelFee, uint256 base, uint256 bps) internal pure returns (uint256 fee) {
        fee = base + (modelFee * bps) / BPS;
    }

    /// @notice Splits a slashed bond into the requester's compensation and the remainder.
    /// @dev `compensation + remainder == bond` exactly; compensation rounds down (in favour of the remainder).
    /// @param bond The slashed bond.
    /// @param compensationBps The requester's share, in basis points (≤ 10,000).
    /// @return compensation Paid to the requester.
    /// @return remainder Burned or sent to the governance recipient.
    function splitSlash(uint256 bond, uint256 compensationBps)
        internal
        pure
        returns (uint256 compensation, uint256 remainder)
    {
        compensation = (bond * compensationBps) / BPS;
        // compensationBps <= BPS, so compensation <= bond.
        unchecked {
            remainder = bond - compensation;
        }
    }
}
