// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {NodeStaking} from "../../../contracts/NodeStaking.sol";
import {IModelRegistry} from "../../../contracts/interfaces/IModelRegistry.sol";
import {INodeStaking} from "../../../contracts/interfaces/INodeStaking.sol";
import {ProtocolBase} from "./ProtocolBase.sol";

contract NodeStakingTest is ProtocolBase {
    function test_stake_addsAndEmits() public {
        token.transfer(stranger, 5 ether);
        vm.startPrank(stranger);
        token.approve(address(staking), 5 ether);
        vm.expectEmit(address(staking));
        emit INodeStaking.Staked(stranger, 5 ether, 5 ether);
        staking.stake(5 ether);
        vm.stopPrank();
        assertEq(staking.stakeOf(stranger).staked, 5 ether, "staked");
        assertEq(token.balanceOf(address(staking)), 20_005 ether, "tokens held");
    }

    function test_stake_rejectsZero() public {
        vm.expectRevert(INodeStaking.StakingZeroAmount.selector);
        staking.stake(0);
        vm.expectRevert(INodeStaking.StakingZeroAmount.selector);
        staking.requestUnbond(0);
    }

    function test_unbond_afterDelay() public {
        vm.prank(node);
        staking.requestUnbond(4_000 ether);
        INodeStaking.NodeStake memory info = staking.stakeOf(node);
        assertEq(info.staked, 6_000 ether, "active stake reduced");
        assertEq(info.unbonding, 4_000 ether, "unbonding");
        vm.expectRevert(
            abi.encodeWithSelector(INodeStaking.StakingUnbondNotReady.selector, node, uint64(START + UNBOND_DELAY))
        );
        vm.prank(node);
        staking.withdrawUnbonded();
        vm.warp(START + UNBOND_DELAY);
        vm.prank(node);
        assertEq(staking.withdrawUnbonded(), 4_000 ether, "withdrawn");
        assertEq(token.balanceOf(node), 4_000 ether, "tokens back");
        vm.expectRevert(abi.encodeWithSelector(INodeStaking.StakingUnbondNotReady.selector, node, uint64(0)));
        vm.prank(node);
        staking.withdrawUnbonded();
    }

    function test_optIn_requiresActiveModelAndChange() public {
        vm.expectRevert(abi.encodeWithSelector(INodeStaking.StakingModelInactive.selector, uint64(9)));
        staking.optIn(9);
        vm.expectRevert(
            abi.encodeWithSelector(INodeStaking.StakingRegistrationUnchanged.selector, node, modelId, true)
        );
        vm.prank(node);
        staking.optIn(modelId);
        vm.prank(node);
        staking.optOut(modelId);
        assertFalse(staking.isRegistered(node, modelId), "opted out");
        vm.expectRevert(
            abi.encodeWithSelector(INodeStaking.StakingRegistrationUnchanged.selector, node, modelId, false)
        );
        vm.prank(node);
        staking.optOut(modelId);
    }

    function test_slash_onlyHub() public {
        vm.expectRevert(abi.encodeWithSelector(INodeStaking.StakingOnlyHub.selector, address(this)));
        staking.slash(node, 1);
        vm.expectRevert(
            abi.encodeWithSelector(INodeStaking.StakingSlashExceedsStake.selector, node, 10_001 ether, 10_000 ether)
        );
        vm.prank(address(hub));
        staking.slash(node, 10_001 ether);
    }

    function test_setHub_once() public {
        vm.expectRevert(abi.encodeWithSelector(INodeStaking.StakingHubAlreadySet.selector, address(hub)));
        staking.setHub(stranger);
        NodeStaking fresh = new NodeStaking(token, registry, address(this), 0, 0);
        vm.expectRevert(INodeStaking.StakingZeroAddress.selector);
        fresh.setHub(address(0));
        vm.expectRevert(INodeStaking.StakingZeroAddress.selector);
        new NodeStaking(IERC20(address(0)), registry, address(this), 0, 0);
        vm.expectRevert(INodeStaking.StakingZeroAddress.selector);
        new NodeStaking(token, IModelRegistry(address(0)), address(this), 0, 0);
    }

    function test_governance_setsParams() public {
        vm.expectEmit(address(staking));
        emit INodeStaking.MinStakeUpdated(5 ether);
        staking.setMinStake(5 ether);
        assertEq(staking.minStake(), 5 ether, "min stake");
        staking.setUnbondDelay(1 days);
        assertEq(staking.unbondDelay(), 1 days, "delay");
        vm.expectRevert(abi.encodeWithSelector(INodeStaking.StakingInvalidParam.selector, 31 days));
        staking.setUnbondDelay(31 days);
        vm.expectRevert(abi.encodeWithSelector(INodeStaking.StakingInvalidParam.selector, uint256(1) << 96));
        staking.setMinStake(uint256(1) << 96);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        staking.setMinStake(0);
    }

    function test_bondableStake_checksRegistrationAndMinimum() public view {
        assertEq(staking.bondableStake(node, modelId), 10_000 ether, "stake reported");
    }
}
