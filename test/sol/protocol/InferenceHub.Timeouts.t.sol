// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../../../contracts/interfaces/IInferenceHub.sol";
import {INodeStaking} from "../../../contracts/interfaces/INodeStaking.sol";
import {ProtocolBase} from "./ProtocolBase.sol";

/// @notice Permissionless refunds and slashing; both keep working while paused.
contract InferenceHubTimeoutsTest is ProtocolBase {
    function test_refund_returnsEscrowAfterCommitDeadline() public {
        uint256 before = token.balanceOf(requester);
        (bytes32 id, IInferenceHub.Request memory req) = _requestA();
        hub.pause(); // refunds work while paused
        vm.warp(req.commitDeadline + 1);
        uint256 amount = uint256(req.modelFee) + req.settlementFee;
        vm.expectEmit(address(hub));
        emit IInferenceHub.Refunded(id, requester, amount);
        vm.prank(stranger);
        hub.refund(id, req);
        assertEq(token.balanceOf(requester), before, "requester made whole");
        assertEq(uint8(_status(id)), uint8(IInferenceHub.RequestStatus.Refunded), "refunded");
        assertEq(hub.totalEscrowed(), 0, "escrow released");
    }

    function test_refund_revertsBeforeDeadline() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestA();
        vm.warp(req.commitDeadline);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceHub.HubCommitDeadlineNotPassed.selector, id, req.commitDeadline)
        );
        hub.refund(id, req);
    }

    function test_refund_revertsOnceCommittedOrRefunded() public {
        (bytes32 id, IInferenceHub.Request memory req) = _commitA();
        vm.warp(req.commitDeadline + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceHub.HubUnexpectedStatus.selector,
                id,
                IInferenceHub.RequestStatus.Committed,
                IInferenceHub.RequestStatus.Requested
            )
        );
        hub.refund(id, req);
    }

    function test_refund_revertsOnTamperedRequest() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestA();
        vm.warp(req.commitDeadline + 1);
        req.requester = stranger;
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubRequestMismatch.selector, id));
        hub.refund(id, req);
    }

    function test_slash_refundsCompensatesAndBurnsRemainder() public {
        uint256 before = token.balanceOf(requester);
        (bytes32 id, IInferenceHub.Request memory req) = _commitA();
        (, uint64 deadline,,) = hub.requestState(id);
        hub.pause(); // slashing works while paused
        vm.warp(deadline + 1);
        uint256 escrow = uint256(req.modelFee) + req.settlementFee;
        uint256 compensation = (uint256(BOND) * 5_000) / 10_000;
        vm.expectEmit(address(hub));
        emit IInferenceHub.Slashed(id, node, requester, escrow, compensation, BOND - compensation, address(0));
        vm.prank(stranger);
        hub.slash(id, req, fixtureA.output);

        assertEq(token.balanceOf(requester), before + compensation, "refund plus compensation");
        assertEq(staking.stakeOf(node).staked, 10_000 ether - BOND, "stake reduced by the bond");
        assertEq(hub.lockedBondOf(node), 0, "bond unlocked");
        assertEq(hub.pendingBurn(), BOND - compensation, "remainder queued for burning");
        assertEq(uint8(_status(id)), uint8(IInferenceHub.RequestStatus.Slashed), "slashed");
        uint256 supply = token.totalSupply();
        hub.flushBurn();
        assertEq(token.totalSupply(), supply - (BOND - compensation), "remainder burned");
    }

    function test_slash_sendsRemainderToGovernanceRecipient() public {
        IInferenceHub.HubParams memory p = defaultParams();
        p.slashRemainderRecipient = stranger;
        p.slashCompensationBps = 2_500;
        hub.setParams(p);
        (bytes32 id, IInferenceHub.Request memory req) = _commitA();
        (, uint64 deadline,,) = hub.requestState(id);
        vm.warp(deadline + 1);
        hub.slash(id, req, fixtureA.output);
        assertEq(token.balanceOf(stranger), BOND - BOND / 4, "recipient got the remainder");
        assertEq(hub.pendingBurn(), 0, "nothing burned");
    }

    function test_slash_refusesARequestWithAnyFieldItActsOnChanged() public {
        (bytes32 id, IInferenceHub.Request memory req) = _commitA();
        (, uint64 deadline,,) = hub.requestState(id);
        vm.warp(deadline + 1);
        // The committed binding covers whom a slash pays and how much: a forged requester, bond or fee is refused.
        IInferenceHub.Request memory forged = _copy(req);
        forged.requester = stranger;
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubRequestMismatch.selector, id));
        hub.slash(id, forged, fixtureA.output);
        forged = _copy(req);
        forged.bond = req.bond + 1;
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubRequestMismatch.selector, id));
        hub.slash(id, forged, fixtureA.output);
        forged = _copy(req);
        forged.modelFee = req.modelFee + 1;
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubRequestMismatch.selector, id));
        hub.slash(id, forged, fixtureA.output);
        hub.slash(id, req, fixtureA.output);
    }

    function _copy(IInferenceHub.Request memory req) private pure returns (IInferenceHub.Request memory) {
        return abi.decode(abi.encode(req), (IInferenceHub.Request));
    }

    function test_slash_revertsBeforeProofDeadline() public {
        (bytes32 id, IInferenceHub.Request memory req) = _commitA();
        (, uint64 deadline,,) = hub.requestState(id);
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubProofDeadlineNotPassed.selector, id, deadline));
        hub.slash(id, req, fixtureA.output);
    }

    function test_slash_revertsOnceSettled() public {
        (bytes32 id, IInferenceHub.Request memory req) = _commitA();
        hub.settle(id, req, fixtureA.output, fixtureA.proof);
        vm.warp(block.timestamp + PROOF_WINDOW + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceHub.HubUnexpectedStatus.selector,
                id,
                IInferenceHub.RequestStatus.Settled,
                IInferenceHub.RequestStatus.Committed
            )
        );
        hub.slash(id, req, fixtureA.output);
    }

    function test_lockedBond_blocksUnbondingUntilSettled() public {
        (bytes32 id, IInferenceHub.Request memory req) = _commitA();
        uint256 free = 10_000 ether - BOND;
        vm.expectRevert(abi.encodeWithSelector(INodeStaking.StakingStakeLocked.selector, node, 10_000 ether, free));
        vm.prank(node);
        staking.requestUnbond(10_000 ether);
        hub.settle(id, req, fixtureA.output, fixtureA.proof);
        vm.prank(node);
        staking.requestUnbond(10_000 ether);
    }

    function test_withdrawEarnings_worksWhilePaused() public {
        (bytes32 id, IInferenceHub.Request memory req) = _commitA();
        hub.settle(id, req, fixtureA.output, fixtureA.proof);
        hub.pause();
        vm.prank(node);
        hub.withdrawEarnings(node);
        hub.flushBurn();
    }
}
