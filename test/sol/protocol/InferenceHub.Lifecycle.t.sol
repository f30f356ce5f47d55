// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../../../contracts/interfaces/IInferenceHub.sol";
import {INodeStaking} from "../../../contracts/interfaces/INodeStaking.sol";
import {IProofVerifier} from "../../../contracts/interfaces/IProofVerifier.sol";
import {ProtocolBase} from "./ProtocolBase.sol";

/// @notice commit → settle → withdraw → burn, and every way each step can be refused.
contract InferenceHubLifecycleTest is ProtocolBase {
    function test_commit_recordsNodeAndLocksBond() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestA();
        vm.expectEmit(address(hub));
        emit IInferenceHub.Committed(id, node, fixtureA.output, uint64(block.timestamp) + PROOF_WINDOW);
        vm.prank(node);
        hub.commit(id, req, fixtureA.output);
        (IInferenceHub.RequestStatus status, uint64 deadline, address committed,) = hub.requestState(id);
        assertEq(uint8(status), uint8(IInferenceHub.RequestStatus.Committed), "committed");
        assertEq(deadline, block.timestamp + PROOF_WINDOW, "proof deadline");
        assertEq(committed, node, "node recorded");
        assertEq(hub.lockedBondOf(node), BOND, "bond locked");
    }

    function test_commit_firstCommitWins() public {
        (bytes32 id, IInferenceHub.Request memory req) = _commitA();
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceHub.HubUnexpectedStatus.selector,
                id,
                IInferenceHub.RequestStatus.Committed,
                IInferenceHub.RequestStatus.Requested
            )
        );
        vm.prank(node2);
        hub.commit(id, req, fixtureA.output);
    }

    function test_commit_revertsOnUnknownRequest() public {
        (, IInferenceHub.Request memory req) = _requestA();
        bytes32 unknown = keccak256("unknown");
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceHub.HubUnexpectedStatus.selector,
                unknown,
                IInferenceHub.RequestStatus.None,
                IInferenceHub.RequestStatus.Requested
            )
        );
        vm.prank(node);
        hub.commit(unknown, req, fixtureA.output);
    }

    function test_commit_revertsAfterDeadline() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestA();
        vm.warp(req.commitDeadline + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceHub.HubCommitDeadlinePassed.selector, id, req.commitDeadline)
        );
        vm.prank(node);
        hub.commit(id, req, fixtureA.output);
    }

    function test_commit_acceptedAtDeadline() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestA();
        vm.warp(req.commitDeadline);
        vm.prank(node);
        hub.commit(id, req, fixtureA.output);
    }

    function test_commit_revertsForUnregisteredNode() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestA();
        vm.prank(node);
        staking.optOut(modelId);
        vm.expectRevert(abi.encodeWithSelector(INodeStaking.StakingNodeNotRegistered.selector, node, modelId));
        vm.prank(node);
        hub.commit(id, req, fixtureA.output);
    }

    function test_commit_revertsForUnstakedNode() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestA();
        vm.prank(stranger);
        staking.optIn(modelId);
        vm.expectRevert(
            abi.encodeWithSelector(INodeStaking.StakingStakeBelowMinimum.selector, stranger, 0, MIN_STAKE)
        );
        vm.prank(stranger);
        hub.commit(id, req, fixtureA.output);
    }

    function test_commit_revertsWhenFreeStakeBelowBond() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestA();
        vm.prank(node);
        staking.requestUnbond(10_000 ether - MIN_STAKE); // keep exactly the minimum
        hub.setParams(_withBond(uint96(MIN_STAKE) + 1));
        (bytes32 id2, IInferenceHub.Request memory req2) = _requestA();
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceHub.HubInsufficientFreeStake.selector, node, MIN_STAKE, MIN_STAKE + 1)
        );
        vm.prank(node);
        hub.commit(id2, req2, fixtureA.output);
        vm.prank(node);
        hub.commit(id, req, fixtureA.output); // the earlier request keeps its smaller bond
    }

    function test_commit_revertsOnTamperedRequest() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestA();
        req.bond = 0;
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubRequestMismatch.selector, id));
        vm.prank(node);
        hub.commit(id, req, fixtureA.output);
    }

    function test_commit_revertsOnOutputLength() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestA();
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubOutputLengthMismatch.selector, 1, 2));
        vm.prank(node);
        hub.commit(id, req, _words(1, 2));
    }

    function test_commit_revertsOnOutputWordOutOfField() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestA();
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubOutputWordOutOfField.selector, 0, SCALAR_FIELD));
        vm.prank(node);
        hub.commit(id, req, _words(SCALAR_FIELD));
    }

    function test_settle_paysCommittingNodeNotCaller() public {
        (bytes32 id, IInferenceHub.Request memory req) = _commitA();
        uint256 supply = token.totalSupply();
        vm.expectEmit(address(hub));
        emit IInferenceHub.Settled(id, node, req.modelFee, req.callbackFee, req.settlementFee);
        vm.prank(stranger); // a copier submits the proof: the committing node is paid
        hub.settle(id, req, fixtureA.output, fixtureA.proof);

        (uint256 locked, uint256 earnings) = hub.nodeAccount(node);
        assertEq(locked, 0, "bond released");
        assertEq(earnings, req.modelFee, "node credited");
        (, uint256 strangerEarnings) = hub.nodeAccount(stranger);
        assertEq(strangerEarnings, 0, "caller not paid");
        assertEq(hub.pendingBurn(), req.settlementFee, "settlement fee queued for burning");
        assertEq(hub.totalEscrowed(), 0, "escrow released");
        (IInferenceHub.RequestStatus status,,, bytes32 binding) = hub.requestState(id);
        assertEq(uint8(status), uint8(IInferenceHub.RequestStatus.Settled), "settled");
        assertEq(binding, bytes32(0), "binding cleared");

        assertEq(hub.flushBurn(), req.settlementFee, "flush returns the amount");
        assertEq(token.totalSupply(), supply - req.settlementFee, "supply fell by the settlement fee");

        vm.prank(node);
        hub.withdrawEarnings(node);
        assertEq(token.balanceOf(address(hub)), 0, "hub empty after withdraw and burn");
    }

    function test_settle_settlesAtMostOnce() public {
        (bytes32 id, IInferenceHub.Request memory req) = _commitA();
        hub.settle(id, req, fixtureA.output, fixtureA.proof);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceHub.HubUnexpectedStatus.selector,
                id,
                IInferenceHub.RequestStatus.Settled,
                IInferenceHub.RequestStatus.Committed
            )
        );
        hub.settle(id, req, fixtureA.output, fixtureA.proof);
    }

    function test_settle_revertsOnProofForAnotherRequest() public {
        (bytes32 idA, IInferenceHub.Request memory reqA) = _commitA();
        (bytes32 idB, IInferenceHub.Request memory reqB) = _request(fixtureB.input);
        vm.prank(node2);
        hub.commit(idB, reqB, fixtureB.output);
        vm.expectRevert(IProofVerifier.VerifierProofInvalid.selector);
        hub.settle(idA, reqA, fixtureA.output, fixtureB.proof);
    }

    function test_settle_revertsOnWrongCommittedOutput() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestA();
        uint256[] memory wrong = _words(fixtureA.output[0] + 1);
        vm.prank(node);
        hub.commit(id, req, wrong);
        vm.expectRevert(IProofVerifier.VerifierProofInvalid.selector);
        hub.settle(id, req, wrong, fixtureA.proof);
    }

    function test_settle_revertsOnResuppliedOutputMismatch() public {
        (bytes32 id, IInferenceHub.Request memory req) = _commitA();
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubRequestMismatch.selector, id));
        hub.settle(id, req, _words(fixtureA.output[0] + 1), fixtureA.proof);
    }

    function test_settle_revertsOnMalformedProof() public {
        (bytes32 id, IInferenceHub.Request memory req) = _commitA();
        vm.expectRevert(abi.encodeWithSelector(IProofVerifier.VerifierMalformedProof.selector, 64));
        hub.settle(id, req, fixtureA.output, new bytes(64));
    }

    function test_settle_revertsAfterProofDeadline() public {
        (bytes32 id, IInferenceHub.Request memory req) = _commitA();
        (, uint64 deadline,,) = hub.requestState(id);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubProofDeadlinePassed.selector, id, deadline));
        hub.settle(id, req, fixtureA.output, fixtureA.proof);
    }

    function test_settle_revertsBeforeCommit() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestA();
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceHub.HubUnexpectedStatus.selector,
                id,
                IInferenceHub.RequestStatus.Requested,
                IInferenceHub.RequestStatus.Committed
            )
        );
        hub.settle(id, req, fixtureA.output, fixtureA.proof);
    }

    function test_withdrawEarnings_revertsWhenNothingOrZeroAddress() public {
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubNothingToWithdraw.selector, node));
        vm.prank(node);
        hub.withdrawEarnings(node);
        vm.expectRevert(IInferenceHub.HubZeroAddress.selector);
        vm.prank(node);
        hub.withdrawEarnings(address(0));
    }

    function test_withdrawEarnings_sendsToReceiver() public {
        (bytes32 id, IInferenceHub.Request memory req) = _commitA();
        hub.settle(id, req, fixtureA.output, fixtureA.proof);
        vm.expectEmit(address(hub));
        emit IInferenceHub.EarningsWithdrawn(node, stranger, req.modelFee);
        vm.prank(node);
        assertEq(hub.withdrawEarnings(stranger), req.modelFee, "amount");
        assertEq(token.balanceOf(stranger), req.modelFee, "receiver paid");
        (, uint256 earnings) = hub.nodeAccount(node);
        assertEq(earnings, 0, "earnings zeroed");
    }

    function test_flushBurn_revertsWhenNothingToBurn() public {
        vm.expectRevert(IInferenceHub.HubNothingToBurn.selector);
        hub.flushBurn();
    }

    function test_hashRequest_bindsEveryField() public {
        (, IInferenceHub.Request memory req) = _requestA();
        bytes32 base = hub.hashRequest(req);
        req.input[1] += 1;
        assertTrue(hub.hashRequest(req) != base, "input bound");
    }

    function _withBond(uint96 bond) internal pure returns (IInferenceHub.HubParams memory p) {
        p = defaultParams();
        p.requestBond = bond;
    }
}
