// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceConsumer} from "../interfaces/IInferenceConsumer.sol";

/// @title InferenceConsumer
/// @notice Base for dApp contracts that receive hub callbacks: only the hub may call them.
abstract contract InferenceConsumer is IInferenceConsumer {
    /// @notice The hub whose callbacks are accepted.
    address public immutable HUB;

    /// @param hub The InferenceHub.
    constructor(address hub) {
        HUB = hub;
    }

    /// @inheritdoc IInferenceConsumer
    function onInferenceCommitted(bytes32 requestId, uint256[] calldata output) external {
        if (msg.sender != HUB) revert ConsumerOnlyHub(msg.sender);
        _onCommitted(requestId, output);
    }

    /// @inheritdoc IInferenceConsumer
    function onInferenceSettled(bytes32 requestId, uint256[] calldata output) external {
        if (msg.sender != HUB) revert ConsumerOnlyHub(msg.sender);
        _onSettled(requestId, output);
    }

    /// @dev Acts on an unproven (optimistic) result.
    function _onCommitted(bytes32 requestId, uint256[] calldata output) internal virtual;

    /// @dev Acts on a proven result.
    function _onSettled(bytes32 requestId, uint256[] calldata output) internal virtual;
}
