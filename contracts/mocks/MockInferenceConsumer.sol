// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {InferenceConsumer} from "../consumer/InferenceConsumer.sol";
import {IInferenceHub} from "../interfaces/IInferenceHub.sol";

/// @title MockInferenceConsumer
/// @notice A test consumer: makes requests through the hub and records callbacks; can be told to revert, burn
///         gas or re-enter the hub so tests can show that a bad consumer never blocks the hub.
contract MockInferenceConsumer is InferenceConsumer {
    /// @notice How the next callbacks behave.
    enum Mode {
        Record,
        Revert,
        BurnGas,
        Reenter
    }

    /// @notice The consumer was told to fail.
    error MockConsumerRefused(bytes32 requestId);

    /// @notice Callback behaviour.
    Mode public mode;
    /// @notice Number of commit callbacks received.
    uint256 public commitCallbacks;
    /// @notice Number of settle callbacks received.
    uint256 public settleCallbacks;
    /// @notice First output word of the last callback.
    uint256 public lastOutput;
    /// @notice Request of the last callback.
    bytes32 public lastRequestId;

    /// @param hub The InferenceHub.
    constructor(address hub) InferenceConsumer(hub) {}

    /// @notice Sets the callback behaviour.
    /// @param newMode The behaviour.
    function setMode(Mode newMode) external {
        mode = newMode;
    }

    /// @notice Requests an inference paid from this contract's OPG balance.
    /// @param modelId The model.
    /// @param input The input words.
    /// @param gasLimit Callback gas limit.
    /// @param flags Callback flags.
    /// @return requestId The request.
    function requestInference(uint64 modelId, uint256[] calldata input, uint32 gasLimit, uint8 flags)
        external
        returns (bytes32 requestId)
    {
        IInferenceHub hub = IInferenceHub(HUB);
        (,,, uint256 total) = hub.quoteRequest(modelId, gasLimit, flags);
        IERC20(address(IHubToken(HUB).TOKEN())).approve(HUB, total);
        requestId = hub.request(modelId, input, gasLimit, flags, total);
    }

    function _onCommitted(bytes32 requestId, uint256[] calldata output) internal override {
        _behave(requestId);
        ++commitCallbacks;
        _record(requestId, output);
    }

    function _onSettled(bytes32 requestId, uint256[] calldata output) internal override {
        _behave(requestId);
        ++settleCallbacks;
        _record(requestId, output);
    }

    function _onRefunded(bytes32 requestId) internal override {
        lastRequestId = requestId;
    }

    function _onSlashed(bytes32 requestId) internal override {
        lastRequestId = requestId;
    }

    function _record(bytes32 requestId, uint256[] calldata output) private {
        lastRequestId = requestId;
        lastOutput = output.length == 0 ? 0 : output[0];
    }

    function _behave(bytes32 requestId) private {
        if (mode == Mode.Revert) revert MockConsumerRefused(requestId);
        if (mode == Mode.Reenter) IInferenceHub(HUB).flushBurn();
        if (mode == Mode.BurnGas) {
            uint256 x;
            while (gasleft() > 0) x = uint256(keccak256(abi.encode(x)));
        }
    }
}

/// @dev The hub's token getter (not part of `IInferenceHub`).
interface IHubToken {
    function TOKEN() external view returns (address);
}
