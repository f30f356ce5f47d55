// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "./IInferenceHub.sol";

/// @title IInferenceConsumer
/// @notice A contract that requests inferences and consumes their outcomes: the callbacks the hub makes to a
///         requester that asked for them (`callbackFlags`), and the refunded/slashed outcomes, which the hub does not
///         call back for, synced by anyone from the hub's state.
/// @dev Each callback gets exactly the requester-set `callbackGasLimit`; a revert or out-of-gas in the consumer
///      never blocks the commit or the settlement (the hub reports the outcome in `CallbackCompleted`).
///      Consumers must check `msg.sender == hub`.
///      Optimistic consumers act on `onInferenceCommitted` (provisionally: the result is not proven yet and can be
///      slashed); final consumers act on `onInferenceSettled` only. Either must undo or replace a provisional action
///      when the request ends refunded or slashed: `syncOutcome` delivers those outcomes.
interface IInferenceConsumer {
    /// @notice A callback came from someone other than the hub.
    /// @param caller The caller.
    error ConsumerOnlyHub(address caller);

    /// @notice The request is not one of this consumer's open requests (unknown, or its outcome already applied).
    /// @param requestId The request.
    error ConsumerRequestNotOpen(bytes32 requestId);

    /// @notice The request has no outcome to sync: only refunded and slashed requests are synced (commitments and
    ///         settlements arrive as callbacks).
    /// @param requestId The request.
    /// @param status Its status at the hub.
    error ConsumerNothingToSync(bytes32 requestId, IInferenceHub.RequestStatus status);

    /// @notice The consumer made a request through the hub; it stays open until settled, refunded or slashed.
    /// @param requestId The request.
    event ConsumerRequestOpened(bytes32 indexed requestId);

    /// @notice An open request reached its final outcome and the consumer applied it.
    /// @param requestId The request.
    /// @param status `Settled`, `Refunded` or `Slashed`.
    event ConsumerRequestClosed(bytes32 indexed requestId, IInferenceHub.RequestStatus status);

    /// @notice A node committed a result (not yet proven): optimistic consumers may act on it.
    /// @param requestId The request.
    /// @param output The committed output words.
    function onInferenceCommitted(bytes32 requestId, uint256[] calldata output) external;

    /// @notice The committed result was proven and settled.
    /// @param requestId The request.
    /// @param output The proven output words.
    function onInferenceSettled(bytes32 requestId, uint256[] calldata output) external;

    /// @notice Applies the refunded or slashed outcome of one of this consumer's open requests, read from the hub's
    ///         state; callable by anyone, so whoever ran the permissionless `refund`/`slash` (or a keeper) can deliver
    ///         it. Reverts `ConsumerNothingToSync` while the request is still in flight.
    /// @param requestId The request.
    function syncOutcome(bytes32 requestId) external;

    /// @notice `IInferenceHub.refund`, then `syncOutcome`, in one call; callable by anyone.
    /// @param requestId The request.
    /// @param req The request as emitted in `Requested`.
    function refundAndSync(bytes32 requestId, IInferenceHub.Request calldata req) external;

    /// @notice `IInferenceHub.slash`, then `syncOutcome`, in one call; callable by anyone.
    /// @param requestId The request.
    /// @param req The request as emitted in `Requested`.
    /// @param output The output words as emitted in `Committed`.
    function slashAndSync(bytes32 requestId, IInferenceHub.Request calldata req, uint256[] calldata output) external;
}
