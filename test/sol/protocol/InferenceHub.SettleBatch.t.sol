// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBatchProofVerifier} from "../../../contracts/interfaces/IBatchProofVerifier.sol";
import {IInferenceHub} from "../../../contracts/interfaces/IInferenceHub.sol";
import {IModelRegistry} from "../../../contracts/interfaces/IModelRegistry.sol";
import {IProofVerifier} from "../../../contracts/interfaces/IProofVerifier.sol";
import {MockInferenceConsumer} from "../../../contracts/mocks/MockInferenceConsumer.sol";
import {TestCircuitBatchVerifier} from "../../../contracts/verifiers/generated/TestCircuitBatchVerifier.sol";
import {ProtocolBase} from "./ProtocolBase.sol";

/// @notice settleBatch: N committed requests of one verifier settled with one batch check.
contract InferenceHubSettleBatchTest is ProtocolBase {
    uint256 internal constant SIGNALS = 3;
    uint256 internal constant PROOF_BYTES = 256;
    uint256 internal constant BASE_FIELD =
        21888242871839275222246405745257275088696311157297823662689037894645226208583;

    TestCircuitBatchVerifier internal batchVerifier;
    uint64 internal batchModel;
    bytes internal proofs;
    uint256[] internal signals;
    uint256 internal proofCount;
    bytes internal otherProofs;

    function setUp() public override {
        super.setUp();
        batchVerifier = new TestCircuitBatchVerifier();
        vm.prank(modelOwner);
        batchModel = registry.register(
            IModelRegistry.VerificationMode.ZK, address(batchVerifier), keccak256("batch"), "test://batch", 2, 1, PRICE
        );
        vm.prank(node);
        staking.optIn(batchModel);
        vm.prank(node2);
        staking.optIn(batchModel);
        string memory root = string.concat(vm.projectRoot(), "/test/fixtures/test-circuit/");
        string memory json = vm.readFile(string.concat(root, "batch-proofs.json"));
        proofs = vm.parseJsonBytes(json, ".proofs");
        signals = vm.parseJsonUintArray(json, ".publicSignals");
        proofCount = vm.parseJsonUint(json, ".count");
        otherProofs = vm.parseJsonBytes(vm.readFile(string.concat(root, "other-key/proofs.json")), ".proofs");
    }

    function _proof(bytes memory all, uint256 k) internal pure returns (bytes memory p) {
        p = new bytes(PROOF_BYTES);
        for (uint256 b; b < PROOF_BYTES; ++b) p[b] = all[k * PROOF_BYTES + b];
    }

    /// @dev Requests fixtures `0 … n-1` (cyclic) of the batch model and commits each by `byNode(i)`.
    function _committed(uint256 n, address secondNode) internal returns (IInferenceHub.SettleItem[] memory items) {
        items = new IInferenceHub.SettleItem[](n);
        for (uint256 i; i < n; ++i) {
            uint256 k = i % proofCount;
            uint256[] memory input = _words(signals[k * SIGNALS + 1], signals[k * SIGNALS + 2]);
            uint256[] memory output = _words(signals[k * SIGNALS]);
            IInferenceHub.Request memory req =
                expectedRequestOf(batchModel, address(batchVerifier), 1, requester, input, 0, 0);
            vm.prank(requester);
            bytes32 id = hub.request(batchModel, input, 0, 0, type(uint256).max);
            vm.prank(i % 2 == 1 ? secondNode : node);
            hub.commit(id, req, output);
            items[i] = IInferenceHub.SettleItem({requestId: id, request: req, output: output, proof: _proof(proofs, k)});
        }
    }

    function _earnings(address who) internal view returns (uint256 earned) {
        (, earned) = hub.nodeAccount(who);
    }

    function test_settleBatch_settlesEveryItemOnce() public {
        uint256[3] memory sizes = [uint256(1), 8, 16];
        for (uint256 s; s < sizes.length; ++s) {
            uint256 n = sizes[s];
            IInferenceHub.SettleItem[] memory items = _committed(n, node);
            uint256 burnBefore = hub.pendingBurn();
            uint256 earnedBefore = _earnings(node);
            for (uint256 i; i < n; ++i) {
                vm.expectEmit(address(hub));
                emit IInferenceHub.Settled(
                    items[i].requestId, node, PRICE, 0, items[i].request.settlementFee
                );
            }
            vm.prank(stranger);
            hub.settleBatch(items);
            for (uint256 i; i < n; ++i) {
                assertEq(uint8(_status(items[i].requestId)), uint8(IInferenceHub.RequestStatus.Settled), "settled");
            }
            assertEq(_earnings(node) - earnedBefore, n * PRICE, "node paid once per request");
            assertEq(hub.pendingBurn() - burnBefore, n * uint256(items[0].request.settlementFee), "fees queued");
            assertEq(hub.lockedBondOf(node), 0, "every bond released");
        }
        assertEq(hub.totalEscrowed(), 0, "no escrow left");
    }

    function test_settleBatch_creditsEachCommittingNode() public {
        IInferenceHub.SettleItem[] memory items = _committed(6, node2);
        hub.settleBatch(items);
        assertEq(_earnings(node), 3 * uint256(PRICE), "node: items 0, 2, 4");
        assertEq(_earnings(node2), 3 * uint256(PRICE), "node2: items 1, 3, 5");
        assertEq(hub.lockedBondOf(node) + hub.lockedBondOf(node2), 0, "bonds released");
    }

    function test_settleBatch_oneInvalidProofAnywhereRevertsTheBatch() public {
        IInferenceHub.SettleItem[] memory items = _committed(8, node);
        for (uint256 bad; bad < 8; bad += 3) {
            bytes memory original = items[bad].proof;
            items[bad].proof = _proof(proofs, (bad + 1) % proofCount); // a valid proof of another input
            vm.expectRevert(abi.encodeWithSelector(IBatchProofVerifier.VerifierBatchInvalid.selector, 8));
            hub.settleBatch(items);
            items[bad].proof = original;
        }
        hub.settleBatch(items);
    }

    function test_settleBatch_swappedCPointsFail() public {
        IInferenceHub.SettleItem[] memory items = _committed(4, node);
        bytes memory p1 = items[1].proof;
        bytes memory p2 = items[2].proof;
        for (uint256 b = 192; b < PROOF_BYTES; ++b) (p1[b], p2[b]) = (p2[b], p1[b]);
        vm.expectRevert(abi.encodeWithSelector(IBatchProofVerifier.VerifierBatchInvalid.selector, 4));
        hub.settleBatch(items);
    }

    function test_settleBatch_swappedAPointsFail() public {
        IInferenceHub.SettleItem[] memory items = _committed(4, node);
        bytes memory p0 = items[0].proof;
        bytes memory p3 = items[3].proof;
        for (uint256 b; b < 64; ++b) (p0[b], p3[b]) = (p3[b], p0[b]);
        vm.expectRevert(abi.encodeWithSelector(IBatchProofVerifier.VerifierBatchInvalid.selector, 4));
        hub.settleBatch(items);
    }

    function test_settleBatch_proofOfAnotherKeyFails() public {
        IInferenceHub.SettleItem[] memory items = _committed(2, node);
        items[1].proof = _proof(otherProofs, 1);
        vm.expectRevert(abi.encodeWithSelector(IBatchProofVerifier.VerifierBatchInvalid.selector, 2));
        hub.settleBatch(items);
    }

    function test_settleBatch_itemOfAnotherVerifierIsRefused() public {
        IInferenceHub.SettleItem[] memory items = _committed(2, node);
        (bytes32 id, IInferenceHub.Request memory req) = _commitA(); // the adapter's model
        IInferenceHub.SettleItem[] memory mixed = new IInferenceHub.SettleItem[](3);
        (mixed[0], mixed[1]) = (items[0], items[1]);
        mixed[2] = IInferenceHub.SettleItem({requestId: id, request: req, output: fixtureA.output, proof: fixtureA.proof});
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceHub.HubBatchVerifierMismatch.selector, 2, address(adapter), address(batchVerifier)
            )
        );
        hub.settleBatch(mixed);
    }

    function test_settleBatch_duplicateIsNamed() public {
        IInferenceHub.SettleItem[] memory items = _committed(3, node);
        items[2] = items[0];
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubBatchDuplicate.selector, items[0].requestId));
        hub.settleBatch(items);
    }

    function test_settleBatch_coordinateAboveTheBaseFieldFails() public {
        IInferenceHub.SettleItem[] memory items = _committed(2, node);
        bytes memory p = items[1].proof;
        uint256 value = BASE_FIELD;
        assembly ("memory-safe") {
            mstore(add(p, 0xe0), value) // word 6: C.x
        }
        vm.expectRevert(
            abi.encodeWithSelector(IProofVerifier.VerifierProofCoordinateOutOfField.selector, 8 + 6, value)
        );
        hub.settleBatch(items);
    }

    function test_settleBatch_proofOfTheWrongLengthIsNamed() public {
        IInferenceHub.SettleItem[] memory items = _committed(2, node);
        items[1].proof = abi.encodePacked(items[1].proof, bytes1(0));
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubBatchProofLength.selector, 1, PROOF_BYTES + 1));
        hub.settleBatch(items);
    }

    function test_settleBatch_emptyIsRefused() public {
        vm.expectRevert(IInferenceHub.HubBatchEmpty.selector);
        hub.settleBatch(new IInferenceHub.SettleItem[](0));
    }

    function test_settleBatch_settledOrExpiredItemsRevert() public {
        IInferenceHub.SettleItem[] memory items = _committed(2, node);
        hub.settle(items[0].requestId, items[0].request, items[0].output, items[0].proof);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceHub.HubUnexpectedStatus.selector,
                items[0].requestId,
                IInferenceHub.RequestStatus.Settled,
                IInferenceHub.RequestStatus.Committed
            )
        );
        hub.settleBatch(items);

        IInferenceHub.SettleItem[] memory late = _committed(1, node);
        uint64 deadline = uint64(block.timestamp) + PROOF_WINDOW;
        vm.warp(deadline + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceHub.HubProofDeadlinePassed.selector, late[0].requestId, deadline)
        );
        hub.settleBatch(late);
    }

    function test_settleBatch_changedOutputIsAMismatch() public {
        IInferenceHub.SettleItem[] memory items = _committed(2, node);
        items[1].output = _words(items[1].output[0] + 1);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubRequestMismatch.selector, items[1].requestId));
        hub.settleBatch(items);
    }

    function test_settleBatch_legacyAdapterModelsSettleThroughItsLoop() public {
        (bytes32 idA, IInferenceHub.Request memory reqA) = _commitA();
        (bytes32 idB, IInferenceHub.Request memory reqB) = _request(fixtureB.input);
        vm.prank(node2);
        hub.commit(idB, reqB, fixtureB.output);
        IInferenceHub.SettleItem[] memory items = new IInferenceHub.SettleItem[](2);
        items[0] = IInferenceHub.SettleItem({requestId: idA, request: reqA, output: fixtureA.output, proof: fixtureA.proof});
        items[1] = IInferenceHub.SettleItem({requestId: idB, request: reqB, output: fixtureB.output, proof: fixtureB.proof});
        hub.settleBatch(items);
        assertEq(_earnings(node) + _earnings(node2), 2 * uint256(PRICE), "both paid");
    }

    function test_settleBatch_runsSettleCallbacksAfterEveryItemIsRecorded() public {
        MockInferenceConsumer consumer = new MockInferenceConsumer(address(hub));
        token.transfer(address(consumer), 1_000 ether);
        IInferenceHub.SettleItem[] memory items = new IInferenceHub.SettleItem[](2);
        for (uint256 i; i < 2; ++i) {
            uint256[] memory input = _words(signals[i * SIGNALS + 1], signals[i * SIGNALS + 2]);
            IInferenceHub.Request memory req =
                expectedRequestOf(batchModel, address(batchVerifier), 1, address(consumer), input, 100_000, 2);
            bytes32 id = consumer.requestInference(batchModel, input, 100_000, 2);
            uint256[] memory output = _words(signals[i * SIGNALS]);
            vm.prank(node);
            hub.commit(id, req, output);
            items[i] = IInferenceHub.SettleItem({requestId: id, request: req, output: output, proof: _proof(proofs, i)});
        }
        vm.expectEmit(address(hub));
        emit IInferenceHub.CallbackCompleted(items[0].requestId, 2, true);
        vm.expectEmit(address(hub));
        emit IInferenceHub.CallbackCompleted(items[1].requestId, 2, true);
        hub.settleBatch(items);
        assertEq(consumer.settleCallbacks(), 2, "both delivered");
    }

    function testFuzz_settleBatch_anyCorruptedProofRevertsAndNothingMoves(uint8 size, uint8 which, uint8 word)
        public
    {
        uint256 n = 1 + size % 12;
        IInferenceHub.SettleItem[] memory items = _committed(n, node2);
        uint256 bad = which % n;
        uint256 at = 32 + uint256(word % 8) * 32;
        bytes memory p = items[bad].proof;
        assembly ("memory-safe") {
            // Flip the lowest bit of one coordinate: still < p, but not the proven point.
            mstore(add(p, at), xor(mload(add(p, at)), 1))
        }
        uint256 burnBefore = hub.pendingBurn();
        vm.expectRevert();
        hub.settleBatch(items);
        assertEq(hub.pendingBurn(), burnBefore, "nothing burned");
        assertEq(_earnings(node) + _earnings(node2), 0, "nobody paid");
        assertEq(uint8(_status(items[bad].requestId)), uint8(IInferenceHub.RequestStatus.Committed), "still open");
    }

    function testFuzz_settleBatch_anyValidBatchSettles(uint8 size) public {
        uint256 n = 1 + size % 16;
        IInferenceHub.SettleItem[] memory items = _committed(n, node2);
        hub.settleBatch(items);
        assertEq(_earnings(node) + _earnings(node2), n * PRICE, "every request paid");
        assertEq(hub.totalEscrowed(), 0, "every escrow released");
    }
}
