// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAttestationAdapter} from "../../../contracts/interfaces/IAttestationAdapter.sol";
import {IEnclaveRegistry} from "../../../contracts/interfaces/IEnclaveRegistry.sol";
import {IInferenceHub} from "../../../contracts/interfaces/IInferenceHub.sol";
import {IModelRegistry} from "../../../contracts/interfaces/IModelRegistry.sol";
import {INodeStaking} from "../../../contracts/interfaces/INodeStaking.sol";
import {MockInferenceConsumer} from "../../../contracts/mocks/MockInferenceConsumer.sol";
import {EnclaveRegistry} from "../../../contracts/tee/EnclaveRegistry.sol";
import {InsecureDevAttestationAdapter} from "../../../contracts/tee/adapters/InsecureDevAttestationAdapter.sol";
import {ProtocolBase} from "./ProtocolBase.sol";

/// @notice TEE-mode models through the hub: commitAndSettle with an enclave signature checked by the enclave registry.
contract InferenceHubTeeTest is ProtocolBase {
    uint256 internal constant ENCLAVE_KEY = 0xE7C1A7E;
    uint256 internal constant OTHER_ENCLAVE_KEY = 0xBADE7C1A7E;
    uint96 internal constant TEE_PRICE = 3 ether;

    EnclaveRegistry internal enclaves;
    InsecureDevAttestationAdapter internal devAdapter;
    uint64 internal teeModel;
    bytes32 internal measurement;
    address internal enclaveSigner;
    uint256[] internal teeInput;
    uint256[] internal teeOutput;

    function setUp() public override {
        super.setUp();
        enclaves = new EnclaveRegistry(address(this), address(registry), 1 hours, 1 days);
        devAdapter = new InsecureDevAttestationAdapter();
        enclaves.setAdapterAllowed(address(devAdapter), true);
        vm.prank(modelOwner);
        teeModel = registry.register(
            IModelRegistry.VerificationMode.TEE, address(enclaves), keccak256("tee"), "ipfs://tee", 3, 2, TEE_PRICE
        );
        IAttestationAdapter.Pcr48[3] memory p = _pcrs(7);
        measurement = enclaves.measurementOf(p);
        vm.prank(modelOwner);
        enclaves.approveMeasurement(teeModel, measurement);
        enclaveSigner = vm.addr(ENCLAVE_KEY);
        enclaves.registerEnclave(address(devAdapter), abi.encode(enclaveSigner, uint64(block.timestamp) * 1000, p));
        vm.prank(node);
        staking.optIn(teeModel);
        vm.prank(node2);
        staking.optIn(teeModel);
        teeInput = [uint256(11), 22, 33];
        teeOutput = [uint256(44), 55];
    }

    function _pcrs(uint256 seed) internal pure returns (IAttestationAdapter.Pcr48[3] memory p) {
        for (uint256 i; i < 3; ++i) {
            bytes32 h = keccak256(abi.encode(seed, i));
            p[i] = IAttestationAdapter.Pcr48({head: h, tail: bytes16(h)});
        }
    }

    function _teeRequest(address who, uint32 gasLimit, uint8 flags)
        internal
        view
        returns (IInferenceHub.Request memory req)
    {
        return expectedRequestOf(teeModel, address(enclaves), 2, who, teeInput, gasLimit, flags);
    }

    function _requestTee() internal returns (bytes32 id, IInferenceHub.Request memory req) {
        req = _teeRequest(requester, 0, 0);
        vm.prank(requester);
        id = hub.request(teeModel, teeInput, 0, 0, type(uint256).max);
    }

    function _sign(uint256 key, bytes32 id, uint256[] memory output, address paid, uint64 expiry)
        internal
        view
        returns (bytes memory)
    {
        bytes32 digest = enclaves.teeResultDigest(
            address(hub),
            id,
            teeModel,
            keccak256(abi.encodePacked(teeInput)),
            keccak256(abi.encodePacked(output)),
            paid,
            expiry
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(expiry, r, s, v);
    }

    function _valid(bytes32 id) internal view returns (bytes memory) {
        return _sign(ENCLAVE_KEY, id, teeOutput, node, uint64(block.timestamp) + 300);
    }

    function test_commitAndSettle_paysTheNodeAndBurnsTheFee() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestTee();
        uint256 burnBefore = hub.pendingBurn();
        uint256 escrowBefore = hub.totalEscrowed();
        bytes memory signature = _valid(id);
        vm.expectEmit(address(hub));
        emit IInferenceHub.Committed(id, node, teeOutput, uint64(block.timestamp));
        vm.expectEmit(address(hub));
        emit IInferenceHub.Settled(id, node, req.modelFee, 0, req.settlementFee);
        vm.prank(node);
        hub.commitAndSettle(id, req, teeOutput, signature);

        (IInferenceHub.RequestStatus status,, address by, bytes32 binding) = hub.requestState(id);
        assertEq(uint8(status), uint8(IInferenceHub.RequestStatus.Settled), "settled at once");
        assertEq(by, node, "by the node");
        assertEq(binding, bytes32(0), "binding cleared");
        (uint256 locked, uint256 earned) = hub.nodeAccount(node);
        assertEq(locked, 0, "no bond stays locked");
        assertEq(earned, TEE_PRICE, "model fee credited");
        assertEq(hub.pendingBurn() - burnBefore, req.settlementFee, "settlement fee queued for burning");
        assertEq(escrowBefore - hub.totalEscrowed(), uint256(req.modelFee) + req.settlementFee, "escrow released");
    }

    function test_commitAndSettle_refusesASecondSettlement() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestTee();
        bytes memory signature = _valid(id);
        vm.prank(node);
        hub.commitAndSettle(id, req, teeOutput, signature);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceHub.HubUnexpectedStatus.selector,
                id,
                IInferenceHub.RequestStatus.Settled,
                IInferenceHub.RequestStatus.Requested
            )
        );
        vm.prank(node);
        hub.commitAndSettle(id, req, teeOutput, signature);
    }

    function test_commitAndSettle_copiedSignaturePaysAFrontRunnerNothing() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestTee();
        bytes memory signature = _valid(id); // signed for `node`
        // node2 copies it from the mempool: the digest names another node, so another key recovers.
        vm.expectRevert();
        vm.prank(node2);
        hub.commitAndSettle(id, req, teeOutput, signature);
        vm.prank(node);
        hub.commitAndSettle(id, req, teeOutput, signature);
    }

    function test_commitAndSettle_signatureIsBoundToTheRequest() public {
        (bytes32 first, IInferenceHub.Request memory req1) = _requestTee();
        (bytes32 second, IInferenceHub.Request memory req2) = _requestTee();
        bytes memory forFirst = _valid(first);
        vm.expectRevert();
        vm.prank(node);
        hub.commitAndSettle(second, req2, teeOutput, forFirst);
        vm.prank(node);
        hub.commitAndSettle(first, req1, teeOutput, forFirst);
    }

    function test_commitAndSettle_changedOutputIsRefused() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestTee();
        bytes memory signature = _valid(id);
        uint256[] memory changed = new uint256[](2);
        (changed[0], changed[1]) = (teeOutput[0], teeOutput[1] + 1);
        vm.expectRevert();
        vm.prank(node);
        hub.commitAndSettle(id, req, changed, signature);
    }

    function test_commitAndSettle_unregisteredKeyIsRefused() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestTee();
        bytes memory signature = _sign(OTHER_ENCLAVE_KEY, id, teeOutput, node, uint64(block.timestamp) + 300);
        vm.expectRevert(
            abi.encodeWithSelector(IEnclaveRegistry.EnclaveKeyUnknown.selector, vm.addr(OTHER_ENCLAVE_KEY))
        );
        vm.prank(node);
        hub.commitAndSettle(id, req, teeOutput, signature);
    }

    function test_commitAndSettle_revokedKeyIsRefusedAtOnce() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestTee();
        bytes memory signature = _valid(id);
        enclaves.revokeKey(enclaveSigner);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveKeyIsRevoked.selector, enclaveSigner));
        vm.prank(node);
        hub.commitAndSettle(id, req, teeOutput, signature);
    }

    function test_commitAndSettle_revokedMeasurementIsRefusedAtOnce() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestTee();
        bytes memory signature = _valid(id);
        vm.prank(modelOwner);
        enclaves.revokeMeasurement(teeModel, measurement);
        vm.expectRevert(
            abi.encodeWithSelector(IEnclaveRegistry.EnclaveMeasurementRevoked.selector, teeModel, measurement)
        );
        vm.prank(node);
        hub.commitAndSettle(id, req, teeOutput, signature);
    }

    function test_commitAndSettle_expiredSignatureIsRefused() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestTee();
        uint64 expiry = uint64(block.timestamp) + 10;
        bytes memory signature = _sign(ENCLAVE_KEY, id, teeOutput, node, expiry);
        vm.warp(block.timestamp + 11);
        vm.expectRevert(
            abi.encodeWithSelector(IEnclaveRegistry.EnclaveSignatureExpired.selector, expiry, block.timestamp)
        );
        vm.prank(node);
        hub.commitAndSettle(id, req, teeOutput, signature);
    }

    function test_commitAndSettle_afterTheCommitDeadlineIsRefused() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestTee();
        vm.warp(req.commitDeadline + 1);
        bytes memory signature = _valid(id);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceHub.HubCommitDeadlinePassed.selector, id, req.commitDeadline)
        );
        vm.prank(node);
        hub.commitAndSettle(id, req, teeOutput, signature);
        // The requester gets everything back, as for any uncommitted request.
        hub.refund(id, req);
    }

    function test_commitAndSettle_needsANodeRegisteredForTheModel() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestTee();
        address unstaked = makeAddr("unstaked");
        bytes memory signature = _sign(ENCLAVE_KEY, id, teeOutput, unstaked, uint64(block.timestamp) + 300);
        vm.expectRevert(abi.encodeWithSelector(INodeStaking.StakingNodeNotRegistered.selector, unstaked, teeModel));
        vm.prank(unstaked);
        hub.commitAndSettle(id, req, teeOutput, signature);
    }

    function test_commitAndSettle_refusesAZkRequestAndSettleRefusesATeeRequest() public {
        (bytes32 zkId, IInferenceHub.Request memory zkReq) = _requestA();
        // A Groth16 adapter has no verifyResult: the call reverts.
        bytes memory signature = _valid(zkId);
        vm.expectRevert();
        vm.prank(node);
        hub.commitAndSettle(zkId, zkReq, fixtureA.output, signature);

        (bytes32 id, IInferenceHub.Request memory req) = _requestTee();
        vm.prank(node);
        hub.commit(id, req, teeOutput);
        // The enclave registry has no verifyProof: a TEE request can never settle through a proof.
        vm.expectRevert();
        hub.settle(id, req, teeOutput, fixtureA.proof);
    }

    function test_commitAndSettle_runsBothCallbacks() public {
        MockInferenceConsumer consumer = new MockInferenceConsumer(address(hub));
        token.transfer(address(consumer), 1_000 ether);
        IInferenceHub.Request memory req = _teeRequest(address(consumer), 100_000, 3);
        bytes32 id = consumer.requestInference(teeModel, teeInput, 100_000, 3);
        bytes memory signature = _valid(id);
        vm.expectEmit(address(hub));
        emit IInferenceHub.CallbackCompleted(id, 1, true);
        vm.expectEmit(address(hub));
        emit IInferenceHub.CallbackCompleted(id, 2, true);
        vm.prank(node);
        hub.commitAndSettle(id, req, teeOutput, signature);
        assertEq(consumer.commitCallbacks(), 1, "commit callback");
        assertEq(consumer.settleCallbacks(), 1, "settle callback");
        (, uint256 earned) = hub.nodeAccount(node);
        assertEq(earned, uint256(req.modelFee) + req.callbackFee, "callback fee paid to the node");
    }

    function testFuzz_commitAndSettle_anySignedFieldChangedIsRefused(uint8 field, uint256 delta) public {
        vm.assume(delta != 0);
        (bytes32 id, IInferenceHub.Request memory req) = _requestTee();
        uint64 expiry = uint64(block.timestamp) + 300;
        uint256[] memory out = new uint256[](2);
        (out[0], out[1]) = (teeOutput[0], teeOutput[1]);
        bytes32 signedId = id;
        address paid = node;
        field = field % 3;
        if (field == 0) signedId = bytes32(uint256(id) ^ delta);
        if (field == 1) out[delta % 2] = addmod(out[delta % 2], delta, SCALAR_FIELD);
        if (field == 2) paid = address(uint160(uint256(uint160(node)) ^ (delta | 1)));
        vm.assume(out[0] != teeOutput[0] || out[1] != teeOutput[1] || field != 1);
        bytes memory signature = _sign(ENCLAVE_KEY, signedId, out, paid, expiry);
        vm.expectRevert();
        vm.prank(node);
        hub.commitAndSettle(id, req, teeOutput, signature);
    }
}
