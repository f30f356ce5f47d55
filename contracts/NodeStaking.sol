// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IInferenceHub} from "./interfaces/IInferenceHub.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {INodeStaking} from "./interfaces/INodeStaking.sol";

/// @title NodeStaking
/// @notice Holds node stakes; nodes opt in to models and unbond after a delay; only the hub slashes.
contract NodeStaking is INodeStaking, Ownable2Step, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Longest unbonding delay governance may set (bounds how long a node's exit can be held).
    uint64 public constant MAX_UNBOND_DELAY = 30 days;

    /// @notice The OPG token staked.
    IERC20 public immutable TOKEN;
    /// @notice The registry consulted on opt-in.
    IModelRegistry public immutable REGISTRY;

    address private _hub;
    uint96 private _minStake;
    uint64 private _unbondDelay;
    mapping(address node => NodeStake) private _stakes;
    mapping(address node => mapping(uint64 modelId => bool)) private _registered;

    modifier onlyHub() {
        if (msg.sender != _hub) revert StakingOnlyHub(msg.sender);
        _;
    }

    /// @param token The OPG token.
    /// @param registry The model registry.
    /// @param governance The owner (sets minimum stake and unbonding delay).
    /// @param initialMinStake Minimum active stake to commit.
    /// @param initialUnbondDelay Unbonding delay in seconds.
    constructor(
        IERC20 token,
        IModelRegistry registry,
        address governance,
        uint256 initialMinStake,
        uint64 initialUnbondDelay
    ) Ownable(governance) {
        if (address(token) == address(0) || address(registry) == address(0)) revert StakingZeroAddress();
        TOKEN = token;
        REGISTRY = registry;
        _setMinStake(initialMinStake);
        _setUnbondDelay(initialUnbondDelay);
    }

    /// @inheritdoc INodeStaking
    function setHub(address hub_) external onlyOwner {
        if (hub_ == address(0)) revert StakingZeroAddress();
        if (_hub != address(0)) revert StakingHubAlreadySet(_hub);
        _hub = hub_;
        emit HubSet(hub_);
    }

    /// @inheritdoc INodeStaking
    function stake(uint256 amount) external nonReentrant {
        if (amount == 0) revert StakingZeroAmount();
        NodeStake storage info = _stakes[msg.sender];
        uint256 staked = uint256(info.staked) + amount;
        if (staked > type(uint96).max) revert StakingAmountTooLarge(amount);
        info.staked = uint96(staked);
        emit Staked(msg.sender, amount, staked);
        TOKEN.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc INodeStaking
    function requestUnbond(uint256 amount) external {
        if (amount == 0) revert StakingZeroAmount();
        NodeStake storage info = _stakes[msg.sender];
        uint256 staked = info.staked;
        uint256 locked = _hub == address(0) ? 0 : IInferenceHub(_hub).lockedBondOf(msg.sender);
        // `staked >= locked` always holds (see the interface), so the subtraction cannot underflow.
        uint256 free = staked - locked;
        if (amount > free) revert StakingStakeLocked(msg.sender, amount, free);
        uint64 readyAt = uint64(block.timestamp) + _unbondDelay;
        // amount <= staked < 2^96 and unbonding + staked <= the token supply < 2^96, so the casts are exact.
        info.staked = uint96(staked - amount);
        uint256 unbonding = uint256(info.unbonding) + amount;
        info.unbonding = uint96(unbonding);
        info.unbondReadyAt = readyAt;
        emit UnbondRequested(msg.sender, amount, unbonding, readyAt);
    }

    /// @inheritdoc INodeStaking
    function withdrawUnbonded() external nonReentrant returns (uint256 amount) {
        NodeStake storage info = _stakes[msg.sender];
        amount = info.unbonding;
        uint64 readyAt = info.unbondReadyAt;
        if (amount == 0 || block.timestamp < readyAt) revert StakingUnbondNotReady(msg.sender, readyAt);
        info.unbonding = 0;
        info.unbondReadyAt = 0;
        emit Unbonded(msg.sender, amount);
        TOKEN.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc INodeStaking
    function optIn(uint64 modelId) external {
        if (!REGISTRY.isActive(modelId)) revert StakingModelInactive(modelId);
        if (_registered[msg.sender][modelId]) revert StakingRegistrationUnchanged(msg.sender, modelId, true);
        _registered[msg.sender][modelId] = true;
        emit OptedIn(msg.sender, modelId);
    }

    /// @inheritdoc INodeStaking
    function optOut(uint64 modelId) external {
        if (!_registered[msg.sender][modelId]) revert StakingRegistrationUnchanged(msg.sender, modelId, false);
        _registered[msg.sender][modelId] = false;
        emit OptedOut(msg.sender, modelId);
    }

    /// @inheritdoc INodeStaking
    function slash(address node, uint256 amount) external onlyHub nonReentrant {
        NodeStake storage info = _stakes[node];
        uint256 staked = info.staked;
        if (amount > staked) revert StakingSlashExceedsStake(node, amount, staked);
        // amount <= staked (checked above).
        info.staked = uint96(staked - amount);
        emit StakeSlashed(node, amount);
        TOKEN.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc INodeStaking
    function bondableStake(address node, uint64 modelId) external view returns (uint256 staked) {
        if (!_registered[node][modelId]) revert StakingNodeNotRegistered(node, modelId);
        staked = _stakes[node].staked;
        uint256 minimum = _minStake;
        if (staked < minimum || staked == 0) revert StakingStakeBelowMinimum(node, staked, minimum);
    }

    /// @inheritdoc INodeStaking
    function stakeOf(address node) external view returns (NodeStake memory info) {
        info = _stakes[node];
    }

    /// @inheritdoc INodeStaking
    function isRegistered(address node, uint64 modelId) external view returns (bool registered) {
        registered = _registered[node][modelId];
    }

    /// @inheritdoc INodeStaking
    function setMinStake(uint256 newMinStake) external onlyOwner {
        _setMinStake(newMinStake);
    }

    /// @inheritdoc INodeStaking
    function setUnbondDelay(uint64 newUnbondDelay) external onlyOwner {
        _setUnbondDelay(newUnbondDelay);
    }

    /// @inheritdoc INodeStaking
    function hub() external view returns (address) {
        return _hub;
    }

    /// @inheritdoc INodeStaking
    function minStake() external view returns (uint256) {
        return _minStake;
    }

    /// @inheritdoc INodeStaking
    function unbondDelay() external view returns (uint64) {
        return _unbondDelay;
    }

    function _setMinStake(uint256 newMinStake) private {
        if (newMinStake > type(uint96).max) revert StakingInvalidParam(newMinStake);
        _minStake = uint96(newMinStake);
        emit MinStakeUpdated(newMinStake);
    }

    function _setUnbondDelay(uint64 newUnbondDelay) private {
        if (newUnbondDelay > MAX_UNBOND_DELAY) revert StakingInvalidParam(newUnbondDelay);
        _unbondDelay = newUnbondDelay;
        emit UnbondDelayUpdated(newUnbondDelay);
    }
}
