// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IInferenceConsumer
/// @notice Callbacks the hub makes to a requester that asked for them (`callbackFlags`).
/// @dev Each call gets exactly the requester-set `callbackGasLimit`; a revert or out-of-gas in the consumer
///      never blocks the commit or the settlement (the hub reports the outcome in `CallbackCompleted`).
///      Consumers must check `msg.sender == hub`.
interface IInferenceConsumer {
    /// @notice A callback came from someone other than the hub.
    /// @param caller The caller.
    error ConsumerOnlyHub(address caller);

    /// @notice A node committed a result (not yet proven): optimistic consumers may act on it.
    /// @param requestId The request.
    /// @param output The committed output words.
    function onInferenceCommitted(bytes32 requestId, uint256[] calldata output) external;

    /// @notice The committed result was proven and settled.
    /// @param requestId The request.
    /// @param output The proven output words.
    function onInferenceSettled(bytes32 requestId, uint256[] calldata output) external;
}
