// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title FeeMath
/// @notice Fee and slash arithmetic of the InferenceHub, pure so it can be fuzzed on its own.
library FeeMath {
    /// @notice Basis points in one whole.
    uint256 internal constant BPS = 10_000;
    /// @notice OPG wei per unit of `HubParams.callbackGasPrice` (the price is set in OPG gwei per gas).
    uint256 internal constant CALLBACK_GAS_PRICE_UNIT = 1e9;

    /// @notice The settlement fee for a model fee: `base + modelFee · bps / 10,000` (rounded down).
    /// @param modelFee The model's price.
    /// @param base The flat part.
    /// @param bps The proportional part, in basis points.
    /// @return fee The settlement fee.
    function settlementFee(uint256 modelFee, uint256 base, uint256 bps) internal pure returns (uint256 fee) {
        fee = base + (modelFee * bps) / BPS;
    }

    /// @notice The callback gas fee: `gasLimit · callbacks · gasPrice · 10^9` OPG wei.
    /// @dev Priced on the limit, not on the gas a consumer burns: a node must provision the whole limit, and the
    ///      hub does not meter the call. With the hub's bounds (gas ≤ 5,000,000, callbacks ≤ 2, price < 2^32) the
    ///      fee stays below 2^96.
    /// @param gasLimit Gas given to each callback.
    /// @param callbacks Number of callbacks asked (0, 1 or 2).
    /// @param gasPrice Price per gas, in OPG gwei.
    /// @return fee The fee, in OPG wei.
    function callbackFee(uint32 gasLimit, uint8 callbacks, uint32 gasPrice) internal pure returns (uint256 fee) {
        // Unchecked: the factors are below 2^32, 2^8, 2^32 and 2^30, so the product is below 2^102.
        unchecked {
            fee = uint256(gasLimit) * callbacks * gasPrice * CALLBACK_GAS_PRICE_UNIT;
        }
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
