// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IInferenceHub} from "../interfaces/IInferenceHub.sol";
import {FeeMath} from "../libraries/FeeMath.sol";

/// @title HubGovernance
/// @notice The hub's governance parameters, owner (two-step transfer), pause switch and accounting slot.
/// @dev The pause flag shares the accounting slot that every request reads anyway, so checking it is free;
///      the events and errors (declared in `IInferenceHub`) keep OpenZeppelin `Pausable`'s signatures.
abstract contract HubGovernance is IInferenceHub, Ownable2Step {
    /// @notice Longest commit or proof window governance may set.
    uint32 public constant MAX_WINDOW = 30 days;
    /// @notice Highest callback gas cap governance may set (a callback must fit well inside a block).
    uint32 public constant MAX_CALLBACK_GAS_CAP = 5_000_000;

    /// @dev One slot: `nonce` (56) | `paused` (8) | `pendingBurn` (96) | `totalEscrowed` (96). Amounts fit 96 bits
    ///      because they never exceed the token's fixed supply (1e27 < 2^96); 2^56 requests will not be reached.
    struct Accounting {
        uint56 nonce;
        bool paused;
        uint96 pendingBurn;
        uint96 totalEscrowed;
    }

    HubParams internal _params;
    Accounting internal _accounting;

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
        if (_accounting.paused) revert EnforcedPause();
        _accounting.paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IInferenceHub
    function unpause() external onlyOwner {
        if (!_accounting.paused) revert ExpectedPause();
        _accounting.paused = false;
        emit Unpaused(msg.sender);
    }

    /// @inheritdoc IInferenceHub
    function paused() external view returns (bool) {
        return _accounting.paused;
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
        // Callbacks allowed but free would let requesters spend nodes' gas for nothing.
        if (p.maxCallbackGas != 0 && p.callbackGasPrice == 0) {
            revert HubInvalidParam("callbackGasPrice", p.callbackGasPrice);
        }
        _params = p;
        emit ParamsUpdated(p);
    }
}
