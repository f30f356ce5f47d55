// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IInferenceHub} from "../interfaces/IInferenceHub.sol";
import {FeeMath} from "../libraries/FeeMath.sol";

/// @title HubGovernance
/// @notice The hub's governance parameters, owner (two-step transfer) and pause switch.
abstract contract HubGovernance is IInferenceHub, Ownable2Step, Pausable {
    /// @notice Longest commit or proof window governance may set.
    uint32 public constant MAX_WINDOW = 30 days;
    /// @notice Highest callback gas cap governance may set (a callback must fit well inside a block).
    uint32 public constant MAX_CALLBACK_GAS_CAP = 5_000_000;

    HubParams internal _params;

    /// @param governance The owner.
    /// @param initialParams The first parameters.
    constructor(address governance, HubParams memory initialParams) Ownable(governance) {
        _setParams(initialParams);
    }

    /// @inheritdoc IInferenceHub
    function setParams(HubParams calldata newParams) external onlyOwner {
        _setParams(newParams);
    }

    /// @inheritdoc IInferenceHub
    function pause() external onlyOwner {
        _pause();
    }

    /// @inheritdoc IInferenceHub
    function unpause() external onlyOwner {
        _unpause();
    }

    /// @inheritdoc IInferenceHub
    function params() external view returns (HubParams memory) {
        return _params;
    }

    function _setParams(HubParams memory p) private {
        if (p.settlementFeeBps > FeeMath.BPS) revert HubInvalidParam("settlementFeeBps", p.settlementFeeBps);
        if (p.slashCompensationBps > FeeMath.BPS) {
            revert HubInvalidParam("slashCompensationBps", p.slashCompensationBps);
        }
        if (p.commitWindow == 0 || p.commitWindow > MAX_WINDOW) revert HubInvalidParam("commitWindow", p.commitWindow);
        if (p.proofWindow == 0 || p.proofWindow > MAX_WINDOW) revert HubInvalidParam("proofWindow", p.proofWindow);
        if (p.maxCallbackGas > MAX_CALLBACK_GAS_CAP) revert HubInvalidParam("maxCallbackGas", p.maxCallbackGas);
        _params = p;
        emit ParamsUpdated(p);
    }
}
