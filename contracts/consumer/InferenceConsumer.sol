// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IInferenceConsumer} from "../interfaces/IInferenceConsumer.sol";
import {IInferenceHub} from "../interfaces/IInferenceHub.sol";

/// @title InferenceConsumer
/// @notice Base for dApp contracts that request inferences and consume every outcome: a provisional result on
///         commit (`_onCommitted`), the proven one on settlement (`_onSettled`), and the two failures, refunded
///         (`_onRefunded`) and slashed (`_onSlashed`), which anyone delivers through `syncOutcome` (or
///         `refundAndSync`/`slashAndSync`) since the hub calls back only on commit and settle.
/// @dev Requests made with `_requestInference` are tracked as open until their outcome is applied, so each
///      final hook runs exactly once per request. The contract pays the fees from its own OPG balance and receives
///      the refunds: the hooks decide what goes back to whoever funded the request.
abstract contract InferenceConsumer is IInferenceConsumer {
    using SafeERC20 for IERC20;

    /// @notice The hub whose callbacks are accepted.
    address public immutable HUB;

    mapping(bytes32 requestId => bool open) private _open;

    /// @param hub The InferenceHub.
    constructor(address hub) {
        HUB = hub;
    }

    modifier onlyHub() {
        if (msg.sender != HUB) revert ConsumerOnlyHub(msg.sender);
        _;
    }

    /// @inheritdoc IInferenceConsumer
    function onInferenceCommitted(bytes32 requestId, uint256[] calldata output) external onlyHub {
        _onCommitted(requestId, output);
    }

    /// @inheritdoc IInferenceConsumer
    function onInferenceSettled(bytes32 requestId, uint256[] calldata output) external onlyHub {
        if (_open[requestId]) {
            delete _open[requestId];
            emit ConsumerRequestClosed(requestId, IInferenceHub.RequestStatus.Settled);
        }
        _onSettled(requestId, output);
    }

    /// @inheritdoc IInferenceConsumer
    function syncOutcome(bytes32 requestId) public {
        if (!_open[requestId]) revert ConsumerRequestNotOpen(requestId);
        (IInferenceHub.RequestStatus status,,,) = IInferenceHub(HUB).requestState(requestId);
        if (status != IInferenceHub.RequestStatus.Refunded && status != IInferenceHub.RequestStatus.Slashed) {
            revert ConsumerNothingToSync(requestId, status);
        }
        delete _open[requestId];
        emit ConsumerRequestClosed(requestId, status);
        if (status == IInferenceHub.RequestStatus.Refunded) _onRefunded(requestId);
        else _onSlashed(requestId);
    }

    /// @inheritdoc IInferenceConsumer
    function refundAndSync(bytes32 requestId, IInferenceHub.Request calldata req) external {
        IInferenceHub(HUB).refund(requestId, req);
        syncOutcome(requestId);
    }

    /// @inheritdoc IInferenceConsumer
    function slashAndSync(bytes32 requestId, IInferenceHub.Request calldata req, uint256[] calldata output) external {
        IInferenceHub(HUB).slash(requestId, req, output);
        syncOutcome(requestId);
    }

    /// @notice Whether `requestId` is one of this consumer's requests still waiting for its final outcome.
    /// @param requestId The request.
    /// @return open True until it is settled, or its refund/slash is synced.
    function isOpen(bytes32 requestId) public view returns (bool open) {
        return _open[requestId];
    }

    /// @dev Requests an inference paid from this contract's OPG balance (`maxTotalFee`, approved to the hub for this
    ///      request) and tracks it as open.
    function _requestInference(
        uint64 modelId,
        uint256[] memory input,
        uint32 callbackGasLimit,
        uint8 callbackFlags,
        uint256 maxTotalFee
    ) internal returns (bytes32 requestId) {
        IERC20(IHubFeeToken(HUB).TOKEN()).forceApprove(HUB, maxTotalFee);
        requestId = IInferenceHub(HUB).request(modelId, input, callbackGasLimit, callbackFlags, maxTotalFee);
        _open[requestId] = true;
        emit ConsumerRequestOpened(requestId);
    }

    /// @dev Acts on an unproven (optimistic) result: provisional, undone by `_onSlashed` if it is never proven.
    function _onCommitted(bytes32 requestId, uint256[] calldata output) internal virtual;

    /// @dev Acts on a proven result: final.
    function _onSettled(bytes32 requestId, uint256[] calldata output) internal virtual;

    /// @dev No node committed in time; the escrow came back to this contract.
    function _onRefunded(bytes32 requestId) internal virtual;

    /// @dev The committed result was never proven; escrow and part of the node's bond came back to this contract.
    function _onSlashed(bytes32 requestId) internal virtual;
}

/// @dev The hub's fee token getter (an immutable of `InferenceHub`, not part of `IInferenceHub`).
interface IHubFeeToken {
    function TOKEN() external view returns (address);
}
