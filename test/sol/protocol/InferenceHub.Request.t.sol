// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IInferenceHub} from "../../../contracts/interfaces/IInferenceHub.sol";
import {IModelRegistry} from "../../../contracts/interfaces/IModelRegistry.sol";
import {Vm} from "../utils/Vm.sol";
import {ProtocolBase} from "./ProtocolBase.sol";

contract InferenceHubRequestTest is ProtocolBase {
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    function _permitSig(uint256 key, uint256 value, uint256 deadline)
        internal
        view
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        return _permitSigFor(requester, key, value, deadline);
    }

    function _permitSigFor(address owner, uint256 key, uint256 value, uint256 deadline)
        internal
        view
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        bytes32 structHash =
            keccak256(abi.encode(PERMIT_TYPEHASH, owner, address(hub), value, token.nonces(owner), deadline));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        (v, r, s) = vm.sign(key, digest);
    }

    function test_request_escrowsFeesAndEmitsFullStruct() public {
        (uint256 modelFee, uint256 settlementFee, uint256 total) = hub.quote(modelId);
        assertEq(modelFee, PRICE, "model fee is the price");
        assertEq(settlementFee, 0.1 ether + (uint256(PRICE) * 500) / 10_000, "settlement fee");
        assertEq(total, modelFee + settlementFee, "total");

        bytes32 expectedId = hub.nextRequestId();
        IInferenceHub.Request memory expected = expectedRequest(requester, fixtureA.input, 0, 0);
        uint256 balanceBefore = token.balanceOf(requester);
        vm.recordLogs();
        vm.prank(requester);
        bytes32 id = hub.request(modelId, fixtureA.input, 0, 0, total);

        assertEq(id, expectedId, "id announced by nextRequestId");
        assertEq(id, keccak256(abi.encode(block.chainid, address(hub), uint256(0))), "id = chain, hub, nonce");
        assertEq(token.balanceOf(requester), balanceBefore - total, "requester paid");
        assertEq(token.balanceOf(address(hub)), total, "hub holds escrow");
        assertEq(hub.totalEscrowed(), total, "escrow accounted");
        assertEq(hub.nextNonce(), 1, "nonce advanced");
        (IInferenceHub.RequestStatus status, uint64 deadline, address committed, bytes32 binding) = hub.requestState(id);
        assertEq(uint8(status), uint8(IInferenceHub.RequestStatus.Requested), "status");
        assertEq(deadline, START + COMMIT_WINDOW, "commit deadline");
        assertEq(committed, address(0), "no node yet");
        assertEq(binding, hub.hashRequest(expected), "binding = hash of struct");

        Vm.Log[] memory logs = vm.getRecordedLogs();
        Vm.Log memory requested;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] == IInferenceHub.Requested.selector) requested = logs[i];
        }
        assertEq(requested.emitter, address(hub), "Requested emitted by the hub");
        assertEq(requested.topics[1], id, "indexed id");
        assertEq(uint256(requested.topics[2]), modelId, "indexed model");
        assertEq(address(uint160(uint256(requested.topics[3]))), requester, "indexed requester");
        IInferenceHub.Request memory emitted = abi.decode(requested.data, (IInferenceHub.Request));
        assertEq(hub.hashRequest(emitted), binding, "the emitted struct rebuilds the binding");
    }

    function test_request_idsAreUnique() public {
        (bytes32 first,) = _requestA();
        (bytes32 second,) = _requestA();
        assertTrue(first != second, "two requests, two ids");
    }

    function test_requestWithPermit_pullsWithSignature() public {
        vm.prank(requester);
        token.approve(address(hub), 0);
        (,, uint256 total) = hub.quote(modelId);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(REQUESTER_KEY, total, deadline);
        vm.prank(requester);
        bytes32 id = hub.requestWithPermit(modelId, fixtureA.input, 0, 0, total, deadline, v, r, s);
        assertEq(uint8(_status(id)), uint8(IInferenceHub.RequestStatus.Requested), "requested");
        assertEq(token.allowance(requester, address(hub)), 0, "permit allowance spent");
    }

    function test_requestWithPermit_toleratesFrontRunPermit() public {
        vm.prank(requester);
        token.approve(address(hub), 0);
        (,, uint256 total) = hub.quote(modelId);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(REQUESTER_KEY, total, deadline);
        token.permit(requester, address(hub), total, deadline, v, r, s); // someone front-runs the permit
        vm.prank(requester);
        hub.requestWithPermit(modelId, fixtureA.input, 0, 0, total, deadline, v, r, s);
        assertEq(hub.totalEscrowed(), total, "request went through on the existing allowance");
    }

    function test_requestWithPermit_revertsOnBadSignature() public {
        vm.prank(requester);
        token.approve(address(hub), 0);
        (,, uint256 total) = hub.quote(modelId);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permitSigFor(requester, 0xB0B, total, deadline); // wrong signer
        address signer = vm.addr(0xB0B);
        bytes memory reason = abi.encodeWithSignature("ERC2612InvalidSigner(address,address)", signer, requester);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceHub.HubPermitFailed.selector, requester, total, deadline, reason)
        );
        vm.prank(requester);
        hub.requestWithPermit(modelId, fixtureA.input, 0, 0, total, deadline, v, r, s);
    }

    function test_requestWithPermit_revertsOnExpiredPermit() public {
        vm.prank(requester);
        token.approve(address(hub), 0);
        (,, uint256 total) = hub.quote(modelId);
        uint256 deadline = block.timestamp - 1;
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(REQUESTER_KEY, total, deadline);
        bytes memory reason = abi.encodeWithSignature("ERC2612ExpiredSignature(uint256)", deadline);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceHub.HubPermitFailed.selector, requester, total, deadline, reason)
        );
        vm.prank(requester);
        hub.requestWithPermit(modelId, fixtureA.input, 0, 0, total, deadline, v, r, s);
    }

    function test_request_revertsOnInsufficientAllowance() public {
        (,, uint256 total) = hub.quote(modelId);
        vm.prank(requester);
        token.approve(address(hub), total - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector, address(hub), total - 1, total
            )
        );
        vm.prank(requester);
        hub.request(modelId, fixtureA.input, 0, 0, total);
    }

    function test_request_revertsOnUnknownModel() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.RegistryModelUnknown.selector, uint64(99)));
        vm.prank(requester);
        hub.request(99, fixtureA.input, 0, 0, type(uint256).max);
    }

    function test_request_revertsOnInactiveModel() public {
        vm.prank(modelOwner);
        registry.deactivate(modelId);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubModelInactive.selector, modelId));
        vm.prank(requester);
        hub.request(modelId, fixtureA.input, 0, 0, type(uint256).max);
    }

    function test_request_revertsOnInputLength() public {
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubInputLengthMismatch.selector, 2, 1));
        vm.prank(requester);
        hub.request(modelId, _words(1), 0, 0, type(uint256).max);
    }

    function test_request_revertsOnInputWordOutOfField() public {
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubInputWordOutOfField.selector, 1, SCALAR_FIELD));
        vm.prank(requester);
        hub.request(modelId, _words(1, SCALAR_FIELD), 0, 0, type(uint256).max);
    }

    function test_request_revertsWhenFeeAboveMax() public {
        (,, uint256 total) = hub.quote(modelId);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubFeeAboveMax.selector, total, total - 1));
        vm.prank(requester);
        hub.request(modelId, fixtureA.input, 0, 0, total - 1);
    }

    function test_request_revertsOnCallbackGasAboveCap() public {
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceHub.HubCallbackGasAboveCap.selector, MAX_CALLBACK_GAS + 1, MAX_CALLBACK_GAS)
        );
        vm.prank(requester);
        hub.request(modelId, fixtureA.input, MAX_CALLBACK_GAS + 1, 1, type(uint256).max);
    }

    function test_request_revertsOnInvalidCallbackFlags() public {
        vm.startPrank(requester);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubInvalidCallbackFlags.selector, 4));
        hub.request(modelId, fixtureA.input, 1000, 4, type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubInvalidCallbackFlags.selector, 1));
        hub.request(modelId, fixtureA.input, 0, 1, type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubInvalidCallbackFlags.selector, 0));
        hub.request(modelId, fixtureA.input, 1000, 0, type(uint256).max);
        vm.stopPrank();
    }

    function test_request_revertsWhenPaused() public {
        hub.pause();
        vm.expectRevert(IInferenceHub.EnforcedPause.selector);
        vm.prank(requester);
        hub.request(modelId, fixtureA.input, 0, 0, type(uint256).max);
        hub.unpause();
        _requestA();
    }

    function test_quote_revertsOnInactiveModel() public {
        vm.prank(modelOwner);
        registry.deactivate(modelId);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubModelInactive.selector, modelId));
        hub.quote(modelId);
    }

    function test_request_snapshotsPriceAgainstLaterChanges() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestA();
        vm.prank(modelOwner);
        registry.updatePrice(modelId, 100 ether);
        vm.prank(node);
        hub.commit(id, req, fixtureA.output);
        hub.settle(id, req, fixtureA.output, fixtureA.proof);
        (, uint256 earnings) = hub.nodeAccount(node);
        assertEq(earnings, PRICE, "node paid the escrowed price, not the new one");
    }
}
