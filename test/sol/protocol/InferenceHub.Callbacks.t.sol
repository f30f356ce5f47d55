// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../../../contracts/interfaces/IInferenceHub.sol";
import {IInferenceConsumer} from "../../../contracts/interfaces/IInferenceConsumer.sol";
import {MockInferenceConsumer} from "../../../contracts/mocks/MockInferenceConsumer.sol";
import {ProtocolBase} from "./ProtocolBase.sol";

/// @notice Consumer callbacks: delivered with the requested gas, never able to block the hub.
contract InferenceHubCallbacksTest is ProtocolBase {
    uint32 internal constant CALLBACK_GAS = 200_000;
    MockInferenceConsumer internal consumer;

    function setUp() public override {
        super.setUp();
        consumer = new MockInferenceConsumer(address(hub));
        token.transfer(address(consumer), 1_000 ether);
    }

    function _consumerRequest(uint8 flags) internal returns (bytes32 id, IInferenceHub.Request memory req) {
        req = expectedRequest(address(consumer), fixtureA.input, CALLBACK_GAS, flags);
        id = consumer.requestInference(modelId, fixtureA.input, CALLBACK_GAS, flags);
    }

    function test_callbacks_deliverCommitAndSettle() public {
        (bytes32 id, IInferenceHub.Request memory req) = _consumerRequest(3);
        vm.expectEmit(address(hub));
        emit IInferenceHub.CallbackCompleted(id, 1, true);
        vm.prank(node);
        hub.commit(id, req, fixtureA.output);
        assertEq(consumer.commitCallbacks(), 1, "commit callback");
        assertEq(consumer.lastOutput(), fixtureA.output[0], "optimistic output");

        vm.expectEmit(address(hub));
        emit IInferenceHub.CallbackCompleted(id, 2, true);
        hub.settle(id, req, fixtureA.output, fixtureA.proof);
        assertEq(consumer.settleCallbacks(), 1, "settle callback");
        assertEq(consumer.lastRequestId(), id, "request id delivered");
    }

    function test_callbacks_onlySettleWhenAskedOnlyForSettle() public {
        (bytes32 id, IInferenceHub.Request memory req) = _consumerRequest(2);
        vm.prank(node);
        hub.commit(id, req, fixtureA.output);
        assertEq(consumer.commitCallbacks(), 0, "no commit callback");
        hub.settle(id, req, fixtureA.output, fixtureA.proof);
        assertEq(consumer.settleCallbacks(), 1, "settle callback");
    }

    function test_callbacks_revertingConsumerNeverBlocksSettlement() public {
        (bytes32 id, IInferenceHub.Request memory req) = _consumerRequest(3);
        consumer.setMode(MockInferenceConsumer.Mode.Revert);
        vm.expectEmit(address(hub));
        emit IInferenceHub.CallbackCompleted(id, 1, false);
        vm.prank(node);
        hub.commit(id, req, fixtureA.output);
        vm.expectEmit(address(hub));
        emit IInferenceHub.CallbackCompleted(id, 2, false);
        hub.settle(id, req, fixtureA.output, fixtureA.proof);
        assertEq(uint8(_status(id)), uint8(IInferenceHub.RequestStatus.Settled), "settled anyway");
    }

    function test_callbacks_gasBurningConsumerGetsOnlyItsLimit() public {
        (bytes32 id, IInferenceHub.Request memory req) = _consumerRequest(2);
        vm.prank(node);
        hub.commit(id, req, fixtureA.output);
        consumer.setMode(MockInferenceConsumer.Mode.BurnGas);
        uint256 gasBefore = gasleft();
        hub.settle(id, req, fixtureA.output, fixtureA.proof);
        assertLt(gasBefore - gasleft(), 700_000, "settle bounded by the callback limit");
        assertEq(uint8(_status(id)), uint8(IInferenceHub.RequestStatus.Settled), "settled anyway");
    }

    function test_callbacks_revertWhenCallerStarvesTheCallback() public {
        (bytes32 id, IInferenceHub.Request memory req) = _consumerRequest(1);
        // Enough gas for the commit itself, not for the callback's limit: the guard reverts the whole commit.
        vm.prank(node);
        bytes memory data = abi.encodeCall(hub.commit, (id, req, fixtureA.output));
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory reason) = address(hub).call{gas: 150_000}(data);
        assertFalse(ok, "starved commit reverts");
        assertEq(bytes4(reason), IInferenceHub.HubInsufficientCallbackGas.selector, "named error");
        vm.prank(node);
        hub.commit(id, req, fixtureA.output);
        assertEq(consumer.commitCallbacks(), 1, "delivered with enough gas");
    }

    function test_callbacks_reentryIsRefusedAndReported() public {
        (bytes32 id, IInferenceHub.Request memory req) = _consumerRequest(1);
        consumer.setMode(MockInferenceConsumer.Mode.Reenter);
        vm.expectEmit(address(hub));
        emit IInferenceHub.CallbackCompleted(id, 1, false);
        vm.prank(node);
        hub.commit(id, req, fixtureA.output);
        assertEq(uint8(_status(id)), uint8(IInferenceHub.RequestStatus.Committed), "commit stands");
    }

    function test_consumer_rejectsCallsNotFromHub() public {
        vm.expectRevert(abi.encodeWithSelector(IInferenceConsumer.ConsumerOnlyHub.selector, address(this)));
        consumer.onInferenceSettled(bytes32(0), fixtureA.output);
        vm.expectRevert(abi.encodeWithSelector(IInferenceConsumer.ConsumerOnlyHub.selector, address(this)));
        consumer.onInferenceCommitted(bytes32(0), fixtureA.output);
    }
}
