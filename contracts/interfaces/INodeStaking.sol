// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title INodeStaking
/// @notice Inference nodes stake OPG, opt in to models and unbond with a delay; only the hub slashes.
/// @dev Per-request bonds are accounted by the hub (`IInferenceHub.lockedBondOf`) so that settling touches
///      no storage here; this contract holds the tokens and refuses to unbond below the hub's locked amount.
///      Invariant: `staked >= hub.lockedBondOf(node)` for every node; the contract's OPG balance equals the
///      sum of `staked + unbonding` over all nodes.
interface INodeStaking {
    /// @notice A node's stake.
    /// @dev Storage layout: slot 0: `staked` (96) | `unbonding` (96) | `unbondReadyAt` (64).
    struct NodeStake {
        uint96 staked;
        uint96 unbonding;
        uint64 unbondReadyAt;
    }

    /// @notice A zero address was given where an account or contract is required.
    error StakingZeroAddress();
    /// @notice A zero amount was given.
    error StakingZeroAmount();
    /// @notice The amount does not fit the 96-bit stake accounting.
    /// @param amount The amount given.
    error StakingAmountTooLarge(uint256 amount);
    /// @notice The hub was already set (it is set once).
    /// @param hub The current hub.
    error StakingHubAlreadySet(address hub);
    /// @notice Only the hub may call this.
    /// @param caller The caller.
    error StakingOnlyHub(address caller);
    /// @notice The node has not opted in to the model.
    /// @param node The node.
    /// @param modelId The model.
    error StakingNodeNotRegistered(address node, uint64 modelId);
    /// @notice The node's stake is below the minimum.
    /// @param node The node.
    /// @param staked Its active stake.
    /// @param minStake The minimum.
    error StakingStakeBelowMinimum(address node, uint256 staked, uint256 minStake);
    /// @notice Unbonding `amount` would leave less than the bonds locked by the hub.
    /// @param node The node.
    /// @param amount The amount asked.
    /// @param free The stake not locked by bonds.
    error StakingStakeLocked(address node, uint256 amount, uint256 free);
    /// @notice Nothing is unbonding, or the unbonding delay has not passed.
    /// @param node The node.
    /// @param readyAt When the unbonding becomes withdrawable (0 if none).
    error StakingUnbondNotReady(address node, uint64 readyAt);
    /// @notice The model is unknown or inactive (opt-in refused).
    /// @param modelId The model.
    error StakingModelInactive(uint64 modelId);
    /// @notice The node is already opted in to / out of the model.
    /// @param node The node.
    /// @param modelId The model.
    /// @param registered The current registration.
    error StakingRegistrationUnchanged(address node, uint64 modelId, bool registered);
    /// @notice A slash asks for more than the node's active stake (cannot happen while the hub is correct).
    /// @param node The node.
    /// @param amount The amount asked.
    /// @param staked The active stake.
    error StakingSlashExceedsStake(address node, uint256 amount, uint256 staked);
    /// @notice A governance parameter is out of range.
    /// @param value The rejected value.
    error StakingInvalidParam(uint256 value);

    /// @notice The hub was set.
    /// @param hub The hub address.
    event HubSet(address indexed hub);
    /// @notice A node added stake.
    /// @param node The node.
    /// @param amount The amount added.
    /// @param staked The node's active stake afterwards.
    event Staked(address indexed node, uint256 amount, uint256 staked);
    /// @notice A node started unbonding.
    /// @param node The node.
    /// @param amount The amount moved from active stake to unbonding.
    /// @param unbonding The node's total unbonding amount.
    /// @param readyAt When it becomes withdrawable.
    event UnbondRequested(address indexed node, uint256 amount, uint256 unbonding, uint64 readyAt);
    /// @notice A node withdrew its unbonded stake.
    /// @param node The node.
    /// @param amount The amount sent to the node.
    event Unbonded(address indexed node, uint256 amount);
    /// @notice A node opted in to a model.
    /// @param node The node.
    /// @param modelId The model.
    event OptedIn(address indexed node, uint64 indexed modelId);
    /// @notice A node opted out of a model.
    /// @param node The node.
    /// @param modelId The model.
    event OptedOut(address indexed node, uint64 indexed modelId);
    /// @notice The hub slashed a node's stake and received the tokens.
    /// @param node The node.
    /// @param amount The amount taken.
    event StakeSlashed(address indexed node, uint256 amount);
    /// @notice The minimum stake changed.
    /// @param minStake The new minimum.
    event MinStakeUpdated(uint256 minStake);
    /// @notice The unbonding delay changed.
    /// @param unbondDelay The new delay in seconds.
    event UnbondDelayUpdated(uint64 unbondDelay);

    /// @notice Sets the hub once (the hub is deployed after this contract).
    /// @param hub The hub, the only slasher.
    function setHub(address hub) external;

    /// @notice Adds `amount` OPG (approved beforehand) to the caller's active stake.
    /// @param amount The amount.
    function stake(uint256 amount) external;

    /// @notice Moves `amount` from active stake to unbonding and restarts the unbonding delay.
    /// @param amount The amount; the remaining stake must cover the bonds the hub holds locked.
    function requestUnbond(uint256 amount) external;

    /// @notice Sends the caller's unbonding stake once the delay has passed.
    /// @return amount The amount sent.
    function withdrawUnbonded() external returns (uint256 amount);

    /// @notice Opts the caller in to serving an active model.
    /// @param modelId The model.
    function optIn(uint64 modelId) external;

    /// @notice Opts the caller out of a model.
    /// @param modelId The model.
    function optOut(uint64 modelId) external;

    /// @notice Takes `amount` of `node`'s active stake and sends it to the hub; only the hub.
    /// @param node The node.
    /// @param amount The amount (a bond the hub had locked).
    function slash(address node, uint256 amount) external;

    /// @notice The node's active stake if it may commit for `modelId`; reverts `StakingNodeNotRegistered`
    ///         or `StakingStakeBelowMinimum` otherwise.
    /// @param node The node.
    /// @param modelId The model.
    /// @return staked The node's active stake (the hub subtracts its locked bonds).
    function bondableStake(address node, uint64 modelId) external view returns (uint256 staked);

    /// @notice A node's stake record.
    /// @param node The node.
    /// @return info Active stake, unbonding amount and unbonding time.
    function stakeOf(address node) external view returns (NodeStake memory info);

    /// @notice Whether `node` has opted in to `modelId`.
    /// @param node The node.
    /// @param modelId The model.
    /// @return registered True if opted in.
    function isRegistered(address node, uint64 modelId) external view returns (bool registered);

    /// @notice Sets the minimum active stake a node needs to commit; only governance.
    /// @param minStake The new minimum.
    function setMinStake(uint256 minStake) external;

    /// @notice Sets the unbonding delay; only governance.
    /// @param unbondDelay Seconds, at most `MAX_UNBOND_DELAY`.
    function setUnbondDelay(uint64 unbondDelay) external;

    /// @notice The hub allowed to slash.
    /// @return hub The hub address (zero until set).
    function hub() external view returns (address hub);

    /// @notice The minimum active stake to commit.
    /// @return minStake The minimum.
    function minStake() external view returns (uint256 minStake);

    /// @notice The unbonding delay in seconds.
    /// @return unbondDelay The delay.
    function unbondDelay() external view returns (uint64 unbondDelay);
}
