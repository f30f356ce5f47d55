// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../../../contracts/interfaces/IInferenceHub.sol";
import {MockInferenceConsumer} from "../../../contracts/mocks/MockInferenceConsumer.sol";
import {ProtocolBase} from "./ProtocolBase.sol";

/// @notice Whoever asks for callback gas pays for it: `callbackGasLimit` × callbacks × `callbackGasPrice` is
///         escrowed with the request, paid to the committing node on settlement and returned on refund or slash.
contract InferenceHubCallbackFeesTest is ProtocolBase {
    uint8 internal constant BOTH = 3;
    MockInferenceConsumer internal consumer;

    function setUp() public override {
        super.setUp();
        consumer = new MockInferenceConsumer(address(hub));
        token.transfer(address(consumer), 1_000 ether);
    }

    function _fee(uint256 gasLimit, uint256 callbacks) internal pure returns (uint256) {
        return gasLimit * callbacks * CALLBACK_GAS_PRICE * 1 gwei;
    }

    function _consumerRequest(uint32 gasLimit, uint8 flags)
        internal
        returns (bytes32 id, IInferenceHub.Request memory req)
    {
        req = expectedRequest(address(consumer), fixtureA.input, gasLimit, flags);
        id = consumer.requestInference(modelId, fixtureA.input, gasLimit, flags);
    }

    function _settleByStranger(bytes32 id, IInferenceHub.Request memory req) internal {
        vm.prank(node);
        hub.commit(id, req, fixtureA.output);
        vm.prank(stranger);
        hub.settle(id, req, fixtureA.output, fixtureA.proof);
    }

    function test_quoteRequest_pricesCallbackGas() public view {
        (uint256 modelFee, uint256 settlementFee, uint256 callbackFee, uint256 total) =
            hub.quoteRequest(modelId, MAX_CALLBACK_GAS, BOTH);
        (uint256 plainModelFee, uint256 plainSettlementFee, uint256 plainTotal) = hub.quote(modelId);
        assertEq(modelFee, plainModelFee, "model fee independent of callbacks");
        assertEq(settlementFee, plainSettlementFee, "settlement fee independent of callbacks");
        assertEq(callbackFee, _fee(MAX_CALLBACK_GAS, 2), "gas x callbacks x rate");
        assertEq(total, plainTotal + callbackFee, "total includes the callback fee");
        (,, uint256 oneCallback,) = hub.quoteRequest(modelId, MAX_CALLBACK_GAS, 2);
        assertEq(oneCallback, _fee(MAX_CALLBACK_GAS, 1), "one callback, half the fee");
        (,, uint256 none, uint256 noneTotal) = hub.quoteRequest(modelId, 0, 0);
        assertEq(none, 0, "no callbacks, no fee");
        assertEq(noneTotal, plainTotal, "quote(modelId) = quoteRequest(modelId, 0, 0)");
    }

    function test_request_escrowsCallbackFeeAndSettlePaysItToTheNode() public {
        uint256 callbackFee = _fee(MAX_CALLBACK_GAS, 2);
        uint256 consumerBefore = token.balanceOf(address(consumer));
        (bytes32 id, IInferenceHub.Request memory req) = _consumerRequest(MAX_CALLBACK_GAS, BOTH);
        assertEq(req.callbackFee, callbackFee, "callback fee in the request");
        uint256 escrow = uint256(req.modelFee) + req.settlementFee + callbackFee;
        assertEq(consumerBefore - token.balanceOf(address(consumer)), escrow, "requester paid for its callbacks");
        assertEq(hub.totalEscrowed(), escrow, "escrow includes the callback fee");
        assertEq(hub.hashRequest(req), _binding(id), "emitted struct carries the fee");

        vm.prank(node);
        hub.commit(id, req, fixtureA.output);
        vm.expectEmit(address(hub));
        emit IInferenceHub.Settled(id, node, PRICE, callbackFee, req.settlementFee);
        vm.prank(stranger);
        hub.settle(id, req, fixtureA.output, fixtureA.proof);
        (, uint256 earnings) = hub.nodeAccount(node);
        assertEq(earnings, uint256(PRICE) + callbackFee, "node paid the model fee and the callback gas");
        (, uint256 strangerEarnings) = hub.nodeAccount(stranger);
        assertEq(strangerEarnings, 0, "settler paid nothing");
        assertEq(hub.pendingBurn(), req.settlementFee, "only the settlement fee burns");
        assertEq(hub.totalEscrowed(), 0, "escrow released");
    }

    function test_request_zeroPriceModelWithCallbacksIsNotFree() public {
        IInferenceHub.HubParams memory p = defaultParams();
        p.baseSettlementFee = 0;
        p.settlementFeeBps = 0;
        hub.setParams(p);
        vm.prank(modelOwner);
        registry.updatePrice(modelId, 0);
        consumer.setMode(MockInferenceConsumer.Mode.BurnGas);

        uint256 consumerBefore = token.balanceOf(address(consumer));
        (bytes32 id, IInferenceHub.Request memory req) = _consumerRequest(MAX_CALLBACK_GAS, BOTH);
        uint256 callbackFee = _fee(MAX_CALLBACK_GAS, 2);
        assertGt(callbackFee, 0, "callbacks cost something");
        assertEq(consumerBefore - token.balanceOf(address(consumer)), callbackFee, "the consumer paid its gas");
        _settleByStranger(id, req);
        (, uint256 earnings) = hub.nodeAccount(node);
        assertEq(earnings, callbackFee, "the node that spent the gas is paid for it");
    }

    function test_refund_returnsCallbackFee() public {
        uint256 consumerBefore = token.balanceOf(address(consumer));
        (bytes32 id, IInferenceHub.Request memory req) = _consumerRequest(MAX_CALLBACK_GAS, BOTH);
        uint256 escrow = uint256(req.modelFee) + req.settlementFee + req.callbackFee;
        vm.warp(req.commitDeadline + 1);
        vm.expectEmit(address(hub));
        emit IInferenceHub.Refunded(id, address(consumer), escrow);
        hub.refund(id, req);
        assertEq(token.balanceOf(address(consumer)), consumerBefore, "everything back, callback fee included");
        assertEq(hub.totalEscrowed(), 0, "escrow released");
    }

    function test_slash_returnsCallbackFee() public {
        uint256 consumerBefore = token.balanceOf(address(consumer));
        (bytes32 id, IInferenceHub.Request memory req) = _consumerRequest(MAX_CALLBACK_GAS, BOTH);
        vm.prank(node);
        hub.commit(id, req, fixtureA.output);
        vm.warp(block.timestamp + PROOF_WINDOW + 1);
        hub.slash(id, req, fixtureA.output);
        uint256 compensation = (uint256(BOND) * 5_000) / 10_000;
        assertEq(token.balanceOf(address(consumer)), consumerBefore + compensation, "escrow back plus compensation");
        (, uint256 earnings) = hub.nodeAccount(node);
        assertEq(earnings, 0, "an unproven node earns nothing, callback gas included");
        assertEq(hub.totalEscrowed(), 0, "escrow released");
    }

    function test_request_revertsWhenMaxTotalFeeLeavesOutTheCallbackFee() public {
        (,, uint256 plainTotal) = hub.quote(modelId);
        (,,, uint256 total) = hub.quoteRequest(modelId, MAX_CALLBACK_GAS, BOTH);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubFeeAboveMax.selector, total, plainTotal));
        vm.prank(requester);
        hub.request(modelId, fixtureA.input, MAX_CALLBACK_GAS, BOTH, plainTotal);
    }

    function test_quoteRequest_revertsLikeRequestOnBadCallbackSettings() public {
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubInvalidCallbackFlags.selector, 4));
        hub.quoteRequest(modelId, 1_000, 4);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubInvalidCallbackFlags.selector, 1));
        hub.quoteRequest(modelId, 0, 1);
        uint32 tooMuch = MAX_CALLBACK_GAS + 1;
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceHub.HubCallbackGasAboveCap.selector, tooMuch, MAX_CALLBACK_GAS)
        );
        hub.quoteRequest(modelId, tooMuch, 1);
    }

    function test_setParams_rejectsFreeCallbackGas() public {
        IInferenceHub.HubParams memory p = defaultParams();
        p.callbackGasPrice = 0;
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubInvalidParam.selector, "callbackGasPrice", 0));
        hub.setParams(p);
        p.maxCallbackGas = 0; // callbacks switched off: no price needed
        hub.setParams(p);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubCallbackGasAboveCap.selector, 1, 0));
        vm.prank(requester);
        hub.request(modelId, fixtureA.input, 1, 1, type(uint256).max);
    }

    function test_request_snapshotsCallbackFee() public {
        (bytes32 id, IInferenceHub.Request memory req) = _consumerRequest(MAX_CALLBACK_GAS, BOTH);
        IInferenceHub.HubParams memory p = defaultParams();
        p.callbackGasPrice = CALLBACK_GAS_PRICE * 10;
        hub.setParams(p);
        _settleByStranger(id, req);
        (, uint256 earnings) = hub.nodeAccount(node);
        assertEq(earnings, uint256(PRICE) + _fee(MAX_CALLBACK_GAS, 2), "paid at the rate of the request's time");
    }

    function testFuzz_callbackFee_escrowedAndPaidOrReturnedExactly(
        uint32 gasSeed,
        uint8 flagsSeed,
        uint32 rateSeed,
        uint8 outcome
    ) public {
        IInferenceHub.HubParams memory p = defaultParams();
        p.maxCallbackGas = hub.MAX_CALLBACK_GAS_CAP();
        p.callbackGasPrice = uint32(bound(rateSeed, 1, type(uint32).max));
        hub.setParams(p);
        uint8 flags = uint8(bound(flagsSeed, 0, 3));
        uint32 gasLimit = flags == 0 ? 0 : uint32(bound(gasSeed, 1, p.maxCallbackGas));
        uint256 callbacks = (flags & 1) + (flags >> 1);
        uint256 callbackFee = uint256(gasLimit) * callbacks * p.callbackGasPrice * 1 gwei;
        token.transfer(requester, 50_000_000 ether); // the largest fee here is ≈ 4.3e7 OPG

        (,,, uint256 total) = hub.quoteRequest(modelId, gasLimit, flags);
        uint256 requesterBefore = token.balanceOf(requester);
        IInferenceHub.Request memory req = expectedRequest(requester, fixtureA.input, gasLimit, flags);
        vm.prank(requester);
        bytes32 id = hub.request(modelId, fixtureA.input, gasLimit, flags, total);
        assertEq(req.callbackFee, callbackFee, "callback fee = gas x callbacks x rate");
        assertEq(total, uint256(req.modelFee) + req.settlementFee + callbackFee, "quote total");
        assertEq(requesterBefore - token.balanceOf(requester), total, "escrowed exactly the quote");
        assertEq(hub.totalEscrowed(), total, "escrow accounted");

        outcome %= 3;
        if (outcome == 0) {
            vm.prank(node);
            hub.commit(id, req, fixtureA.output);
            hub.settle(id, req, fixtureA.output, fixtureA.proof);
            (, uint256 earnings) = hub.nodeAccount(node);
            assertEq(earnings, uint256(req.modelFee) + callbackFee, "node paid model and callback fee");
            assertEq(requesterBefore - token.balanceOf(requester), total, "requester charged once");
        } else if (outcome == 1) {
            vm.warp(req.commitDeadline + 1);
            hub.refund(id, req);
            assertEq(token.balanceOf(requester), requesterBefore, "refund returns everything");
        } else {
            vm.prank(node);
            hub.commit(id, req, fixtureA.output);
            vm.warp(block.timestamp + PROOF_WINDOW + 1);
            hub.slash(id, req, fixtureA.output);
            uint256 compensation = (uint256(BOND) * p.slashCompensationBps) / 10_000;
            assertEq(token.balanceOf(requester), requesterBefore + compensation, "slash returns everything");
        }
        assertEq(hub.totalEscrowed(), 0, "escrow released");
        (, uint256 nodeEarnings) = hub.nodeAccount(node);
        assertEq(token.balanceOf(address(hub)), nodeEarnings + hub.pendingBurn(), "hub holds only what it owes");
    }

    function _binding(bytes32 id) internal view returns (bytes32 binding) {
        (,,, binding) = hub.requestState(id);
    }
}
