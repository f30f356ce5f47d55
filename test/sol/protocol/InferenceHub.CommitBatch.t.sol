// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../../../contracts/interfaces/IInferenceHub.sol";
import {IModelRegistry} from "../../../contracts/interfaces/IModelRegistry.sol";
import {MockInferenceConsumer} from "../../../contracts/mocks/MockInferenceConsumer.sol";
import {ProtocolBase} from "./ProtocolBase.sol";

/// @notice commitBatch: many commitments in one call; racing nodes waste no batch.
contract InferenceHubCommitBatchTest is ProtocolBase {
    function _requests(uint256 count)
        internal
        returns (bytes32[] memory ids, IInferenceHub.CommitItem[] memory items)
    {
        ids = new bytes32[](count);
        items = new IInferenceHub.CommitItem[](count);
        for (uint256 i; i < count; ++i) {
            (bytes32 id, IInferenceHub.Request memory req) = _requestA();
            ids[i] = id;
            items[i] = IInferenceHub.CommitItem({requestId: id, request: req, output: fixtureA.output});
        }
    }

    function test_commitBatch_commitsEveryItemAndLocksEveryBond() public {
        (bytes32[] memory ids, IInferenceHub.CommitItem[] memory items) = _requests(5);
        for (uint256 i; i < ids.length; ++i) {
            vm.expectEmit(address(hub));
            emit IInferenceHub.Committed(ids[i], node, fixtureA.output, uint64(block.timestamp) + PROOF_WINDOW);
        }
        vm.prank(node);
        uint256 committed = hub.commitBatch(items);
        assertEq(committed, 5, "all committed");
        assertEq(hub.lockedBondOf(node), 5 * uint256(BOND), "five bonds locked");
        for (uint256 i; i < ids.length; ++i) {
            (IInferenceHub.RequestStatus status,, address by,) = hub.requestState(ids[i]);
            assertEq(uint8(status), uint8(IInferenceHub.RequestStatus.Committed), "committed");
            assertEq(by, node, "by the caller");
        }
        // Each commitment settles one by one as usual.
        hub.settle(ids[3], items[3].request, fixtureA.output, fixtureA.proof);
        assertEq(hub.lockedBondOf(node), 4 * uint256(BOND), "one bond released");
    }

    function test_commitBatch_skipsRequestsCommittedByARacingNode() public {
        (bytes32[] memory ids, IInferenceHub.CommitItem[] memory items) = _requests(3);
        vm.prank(node2);
        hub.commit(ids[1], items[1].request, fixtureA.output);

        vm.expectEmit(address(hub));
        emit IInferenceHub.CommitSkipped(
            ids[1], node, IInferenceHub.RequestStatus.Committed, uint64(block.timestamp) + PROOF_WINDOW
        );
        vm.prank(node);
        uint256 committed = hub.commitBatch(items);
        assertEq(committed, 2, "the other two committed");
        assertEq(hub.lockedBondOf(node), 2 * uint256(BOND), "no bond for the skipped item");
        (,, address winner,) = hub.requestState(ids[1]);
        assertEq(winner, node2, "the first commit still wins");
    }

    function test_commitBatch_skipsExpiredAndRefundedRequests() public {
        (bytes32[] memory ids, IInferenceHub.CommitItem[] memory items) = _requests(2);
        vm.warp(items[0].request.commitDeadline + 1);
        hub.refund(ids[0], items[0].request);
        (bytes32 fresh, IInferenceHub.Request memory freshReq) = _requestA();
        IInferenceHub.CommitItem[] memory batch = new IInferenceHub.CommitItem[](3);
        batch[0] = items[0];
        batch[1] = items[1];
        batch[2] = IInferenceHub.CommitItem({requestId: fresh, request: freshReq, output: fixtureA.output});

        vm.expectEmit(address(hub));
        emit IInferenceHub.CommitSkipped(
            ids[0], node, IInferenceHub.RequestStatus.Refunded, items[0].request.commitDeadline
        );
        vm.expectEmit(address(hub));
        emit IInferenceHub.CommitSkipped(
            ids[1], node, IInferenceHub.RequestStatus.Requested, items[1].request.commitDeadline
        );
        vm.prank(node);
        assertEq(hub.commitBatch(batch), 1, "only the live request");
        assertEq(uint8(_status(fresh)), uint8(IInferenceHub.RequestStatus.Committed), "fresh committed");
    }

    function test_commitBatch_allSkippedLocksNothing() public {
        (bytes32[] memory ids, IInferenceHub.CommitItem[] memory items) = _requests(2);
        vm.prank(node2);
        hub.commitBatch(items);
        vm.prank(node);
        assertEq(hub.commitBatch(items), 0, "nothing left");
        assertEq(hub.lockedBondOf(node), 0, "nothing locked");
        assertEq(uint8(_status(ids[0])), uint8(IInferenceHub.RequestStatus.Committed), "still node2's");
    }

    function test_commitBatch_revertsWhenEmpty() public {
        IInferenceHub.CommitItem[] memory none = new IInferenceHub.CommitItem[](0);
        vm.expectRevert(IInferenceHub.HubBatchEmpty.selector);
        vm.prank(node);
        hub.commitBatch(none);
    }

    function test_commitBatch_revertsOnARequestThatDoesNotMatch() public {
        (bytes32[] memory ids, IInferenceHub.CommitItem[] memory items) = _requests(2);
        items[1].request.modelFee += 1;
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubRequestMismatch.selector, ids[1]));
        vm.prank(node);
        hub.commitBatch(items);
    }

    function test_commitBatch_revertsOnABadOutput() public {
        (, IInferenceHub.CommitItem[] memory items) = _requests(2);
        items[0].output = _words(1, 2);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubOutputLengthMismatch.selector, 1, 2));
        vm.prank(node);
        hub.commitBatch(items);
    }

    function test_commitBatch_revertsWhenTheBondsExceedFreeStake() public {
        address small = makeAddr("small");
        // The minimum stake covers 100 bonds exactly; 101 requests cannot all be bonded.
        assertEq(MIN_STAKE, 100 * uint256(BOND), "fixture: 100 bonds");
        _stakeAndOptIn(small, MIN_STAKE);
        (, IInferenceHub.CommitItem[] memory items) = _requests(101);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubInsufficientFreeStake.selector, small, 0, BOND));
        vm.prank(small);
        hub.commitBatch(items);
    }

    function test_commitBatch_readsStakePerModel() public {
        vm.prank(modelOwner);
        uint64 other = registry.register(
            IModelRegistry.VerificationMode.ZK, address(adapter), keccak256("other"), "ipfs://other", 2, 1, PRICE
        );
        (, IInferenceHub.CommitItem[] memory items) = _requests(2);
        vm.prank(requester);
        bytes32 otherId = hub.request(other, fixtureA.input, 0, 0, type(uint256).max);
        IInferenceHub.Request memory otherReq = expectedRequest(requester, fixtureA.input, 0, 0);
        otherReq.modelId = other;
        IInferenceHub.CommitItem[] memory batch = new IInferenceHub.CommitItem[](3);
        (batch[0], batch[1]) = (items[0], items[1]);
        batch[2] = IInferenceHub.CommitItem({requestId: otherId, request: otherReq, output: fixtureA.output});
        // node2 is not opted in to the other model: the batch reverts with staking's error.
        vm.prank(node2);
        vm.expectRevert();
        hub.commitBatch(batch);
        vm.prank(node);
        staking.optIn(other);
        vm.prank(node);
        assertEq(hub.commitBatch(batch), 3, "both models");
    }

    function test_commitBatch_runsCallbacksAfterEveryItemIsRecorded() public {
        MockInferenceConsumer consumer = new MockInferenceConsumer(address(hub));
        token.transfer(address(consumer), 1_000 ether);
        IInferenceHub.CommitItem[] memory batch = new IInferenceHub.CommitItem[](2);
        for (uint256 i; i < 2; ++i) {
            IInferenceHub.Request memory req = expectedRequest(address(consumer), fixtureA.input, 100_000, 1);
            bytes32 id = consumer.requestInference(modelId, fixtureA.input, 100_000, 1);
            batch[i] = IInferenceHub.CommitItem({requestId: id, request: req, output: fixtureA.output});
        }
        vm.expectEmit(address(hub));
        emit IInferenceHub.CallbackCompleted(batch[0].requestId, 1, true);
        vm.expectEmit(address(hub));
        emit IInferenceHub.CallbackCompleted(batch[1].requestId, 1, true);
        vm.prank(node);
        hub.commitBatch(batch);
        assertEq(consumer.commitCallbacks(), 2, "both delivered");
    }
}
