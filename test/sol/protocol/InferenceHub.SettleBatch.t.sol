// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBatchProofVerifier} from "../../../contracts/interfaces/IBatchProofVerifier.sol";
import {IInferenceHub} from "../../../contracts/interfaces/IInferenceHub.sol";
import {IModelRegistry} from "../../../contracts/interfaces/IModelRegistry.sol";
import {IProofVerifier} from "../../../contracts/interfaces/IProofVerifier.sol";
import {MockInferenceConsumer} from "../../../contracts/mocks/MockInferenceConsumer.sol";
import {TestCircuitBatchVerifier} from "../../../contracts/verifiers/generated/TestCircuitBatchVerifier.sol";
import {PackedBatch, SettleBatchEncoding, SettleItem} from "../utils/SettleBatchEncoding.sol";
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
    function _committed(uint256 n, address secondNode) internal returns (SettleItem[] memory items) {
        items = new SettleItem[](n);
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
            items[i] = SettleItem({requestId: id, request: req, output: output, proof: _proof(proofs, k)});
        }
    }

    function _pack(SettleItem[] memory items) internal view returns (PackedBatch memory) {
        return SettleBatchEncoding.pack(hub, items);
    }

    function _send(PackedBatch memory batch) internal {
        SettleBatchEncoding.submit(hub, batch);
    }

    function _earnings(address who) internal view returns (uint256 earned) {
        (, earned) = hub.nodeAccount(who);
    }

    function test_settleBatch_settlesEveryItemOnce() public {
        uint256[3] memory sizes = [uint256(1), 8, 16];
        for (uint256 s; s < sizes.length; ++s) {
            uint256 n = sizes[s];
            SettleItem[] memory items = _committed(n, node);
            uint256 burnBefore = hub.pendingBurn();
            uint256 earnedBefore = _earnings(node);
            PackedBatch memory batch = _pack(items);
            for (uint256 i; i < n; ++i) {
                vm.expectEmit(address(hub));
                emit IInferenceHub.Settled(
                    items[i].requestId, node, PRICE, 0, items[i].request.settlementFee
                );
            }
            vm.prank(stranger);
            _send(batch);
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
        SettleItem[] memory items = _committed(6, node2);
        _send(_pack(items));
        assertEq(_earnings(node), 3 * uint256(PRICE), "node: items 0, 2, 4");
        assertEq(_earnings(node2), 3 * uint256(PRICE), "node2: items 1, 3, 5");
        assertEq(hub.lockedBondOf(node) + hub.lockedBondOf(node2), 0, "bonds released");
    }

    function test_settleBatch_oneInvalidProofAnywhereRevertsTheBatch() public {
        SettleItem[] memory items = _committed(8, node);
        for (uint256 bad; bad < 8; bad += 3) {
            bytes memory original = items[bad].proof;
            items[bad].proof = _proof(proofs, (bad + 1) % proofCount); // a valid proof of another input
            PackedBatch memory batch = _pack(items);
            vm.expectRevert(abi.encodeWithSelector(IBatchProofVerifier.VerifierBatchInvalid.selector, 8));
            _send(batch);
            items[bad].proof = original;
        }
        _send(_pack(items));
    }

    function test_settleBatch_swappedCPointsFail() public {
        SettleItem[] memory items = _committed(4, node);
        bytes memory p1 = items[1].proof;
        bytes memory p2 = items[2].proof;
        for (uint256 b = 192; b < PROOF_BYTES; ++b) (p1[b], p2[b]) = (p2[b], p1[b]);
        PackedBatch memory batch = _pack(items);
        vm.expectRevert(abi.encodeWithSelector(IBatchProofVerifier.VerifierBatchInvalid.selector, 4));
        _send(batch);
    }

    function test_settleBatch_swappedAPointsFail() public {
        SettleItem[] memory items = _committed(4, node);
        bytes memory p0 = items[0].proof;
        bytes memory p3 = items[3].proof;
        for (uint256 b; b < 64; ++b) (p0[b], p3[b]) = (p3[b], p0[b]);
        PackedBatch memory batch = _pack(items);
        vm.expectRevert(abi.encodeWithSelector(IBatchProofVerifier.VerifierBatchInvalid.selector, 4));
        _send(batch);
    }

    function test_settleBatch_proofOfAnotherKeyFails() public {
        SettleItem[] memory items = _committed(2, node);
        items[1].proof = _proof(otherProofs, 1);
        PackedBatch memory batch = _pack(items);
        vm.expectRevert(abi.encodeWithSelector(IBatchProofVerifier.VerifierBatchInvalid.selector, 2));
        _send(batch);
    }

    function test_settleBatch_itemOfAnotherVerifierIsRefused() public {
        SettleItem[] memory items = _committed(2, node);
        (bytes32 id, IInferenceHub.Request memory req) = _commitA(); // the adapter's model, same word counts
        SettleItem[] memory mixed = new SettleItem[](3);
        (mixed[0], mixed[1]) = (items[0], items[1]);
        mixed[2] = SettleItem({requestId: id, request: req, output: fixtureA.output, proof: fixtureA.proof});
        PackedBatch memory batch = _pack(mixed);
        // Its committed terms name another verifier than the batch's: its binding does not match.
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubRequestMismatch.selector, id));
        _send(batch);
        // Nor does any item when the batch names a verifier they were not requested with.
        batch = _pack(items);
        batch.verifier = address(adapter);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubRequestMismatch.selector, items[0].requestId));
        _send(batch);
    }

    function test_settleBatch_otherWordCountsAreAMismatch() public {
        SettleItem[] memory items = _committed(2, node);
        PackedBatch memory batch = _pack(items);
        // One output word moved to the input side: same bytes, other shape.
        (batch.outputWords, batch.inputWords) = (0, 3);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubRequestMismatch.selector, items[0].requestId));
        _send(batch);
    }

    function test_settleBatch_changedTermsAreAMismatch() public {
        SettleItem[] memory items = _committed(2, node);
        // Each term in turn (node, deadline, the four fees, the callback fields) changed by one bit.
        uint256[8] memory offsets = [uint256(32 + 19), 52 + 7, 60 + 11, 72 + 11, 84 + 11, 96 + 11, 108 + 3, 112 + 19];
        for (uint256 k; k < offsets.length; ++k) {
            PackedBatch memory batch = _pack(items);
            uint256 at = 132 + 3 * 32 + PROOF_BYTES + offsets[k]; // in item 1
            batch.items[at] = bytes1(uint8(batch.items[at]) ^ 1);
            vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubRequestMismatch.selector, items[1].requestId));
            _send(batch);
        }
        _send(_pack(items));
    }

    function test_settleBatch_changedInputIsAMismatch() public {
        SettleItem[] memory items = _committed(2, node);
        PackedBatch memory batch = _pack(items);
        uint256 at = 132 + 32 + 31; // item 0's first input word, low byte
        batch.items[at] = bytes1(uint8(batch.items[at]) ^ 1);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubRequestMismatch.selector, items[0].requestId));
        _send(batch);
    }

    function test_settleBatch_duplicateIsNamed() public {
        SettleItem[] memory items = _committed(3, node);
        items[2] = items[0];
        PackedBatch memory batch = _pack(items);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubBatchDuplicate.selector, items[0].requestId));
        _send(batch);
    }

    function test_settleBatch_coordinateAboveTheBaseFieldFails() public {
        SettleItem[] memory items = _committed(2, node);
        bytes memory p = items[1].proof;
        uint256 value = BASE_FIELD;
        assembly ("memory-safe") {
            mstore(add(p, 0xe0), value) // word 6: C.x
        }
        PackedBatch memory batch = _pack(items);
        vm.expectRevert(
            abi.encodeWithSelector(IProofVerifier.VerifierProofCoordinateOutOfField.selector, 8 + 6, value)
        );
        _send(batch);
    }

    function test_settleBatch_itemsOfTheWrongLengthAreNamed() public {
        SettleItem[] memory items = _committed(2, node);
        PackedBatch memory batch = _pack(items);
        uint256 itemBytes = 132 + 3 * 32 + PROOF_BYTES;
        batch.items = abi.encodePacked(batch.items, bytes1(0));
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubBatchLength.selector, 2 * itemBytes + 1, itemBytes));
        _send(batch);
        // A proof one byte short shifts every later item: refused the same way, before any item is read.
        items[1].proof = _proof(proofs, 0);
        batch = _pack(items);
        batch.items = _slice(batch.items, 0, 2 * itemBytes - 1);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubBatchLength.selector, 2 * itemBytes - 1, itemBytes));
        _send(batch);
    }

    function test_settleBatch_emptyIsRefused() public {
        uint256 itemBytes = 132 + 3 * 32 + PROOF_BYTES;
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubBatchLength.selector, 0, itemBytes));
        hub.settleBatch(address(batchVerifier), 1, 2, "");
    }

    function _slice(bytes memory all, uint256 from, uint256 to) internal pure returns (bytes memory part) {
        part = new bytes(to - from);
        for (uint256 b = from; b < to; ++b) part[b - from] = all[b];
    }

    function test_settleBatch_settledOrExpiredItemsRevert() public {
        SettleItem[] memory items = _committed(2, node);
        hub.settle(items[0].requestId, items[0].request, items[0].output, items[0].proof);
        PackedBatch memory batch = _pack(items);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceHub.HubUnexpectedStatus.selector,
                items[0].requestId,
                IInferenceHub.RequestStatus.Settled,
                IInferenceHub.RequestStatus.Committed
            )
        );
        _send(batch);

        SettleItem[] memory late = _committed(1, node);
        uint64 deadline = uint64(block.timestamp) + PROOF_WINDOW;
        vm.warp(deadline + 1);
        batch = _pack(late);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceHub.HubProofDeadlinePassed.selector, late[0].requestId, deadline)
        );
        _send(batch);
    }

    function test_settleBatch_changedOutputIsAMismatch() public {
        SettleItem[] memory items = _committed(2, node);
        items[1].output = _words(items[1].output[0] + 1);
        PackedBatch memory batch = _pack(items);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubRequestMismatch.selector, items[1].requestId));
        _send(batch);
    }

    function test_settleBatch_legacyAdapterModelsSettleThroughItsLoop() public {
        (bytes32 idA, IInferenceHub.Request memory reqA) = _commitA();
        (bytes32 idB, IInferenceHub.Request memory reqB) = _request(fixtureB.input);
        vm.prank(node2);
        hub.commit(idB, reqB, fixtureB.output);
        SettleItem[] memory items = new SettleItem[](2);
        items[0] = SettleItem({requestId: idA, request: reqA, output: fixtureA.output, proof: fixtureA.proof});
        items[1] = SettleItem({requestId: idB, request: reqB, output: fixtureB.output, proof: fixtureB.proof});
        _send(_pack(items));
        assertEq(_earnings(node) + _earnings(node2), 2 * uint256(PRICE), "both paid");
    }

    function test_settleBatch_runsSettleCallbacksAfterEveryItemIsRecorded() public {
        MockInferenceConsumer consumer = new MockInferenceConsumer(address(hub));
        token.transfer(address(consumer), 1_000 ether);
        SettleItem[] memory items = new SettleItem[](2);
        for (uint256 i; i < 2; ++i) {
            uint256[] memory input = _words(signals[i * SIGNALS + 1], signals[i * SIGNALS + 2]);
            IInferenceHub.Request memory req =
                expectedRequestOf(batchModel, address(batchVerifier), 1, address(consumer), input, 100_000, 2);
            bytes32 id = consumer.requestInference(batchModel, input, 100_000, 2);
            uint256[] memory output = _words(signals[i * SIGNALS]);
            vm.prank(node);
            hub.commit(id, req, output);
            items[i] = SettleItem({requestId: id, request: req, output: output, proof: _proof(proofs, i)});
        }
        PackedBatch memory batch = _pack(items);
        vm.expectEmit(address(hub));
        emit IInferenceHub.CallbackCompleted(items[0].requestId, 2, true);
        vm.expectEmit(address(hub));
        emit IInferenceHub.CallbackCompleted(items[1].requestId, 2, true);
        _send(batch);
        assertEq(consumer.settleCallbacks(), 2, "both delivered");
    }

    function testFuzz_settleBatch_anyCorruptedProofRevertsAndNothingMoves(uint8 size, uint8 which, uint8 word)
        public
    {
        uint256 n = 1 + size % 12;
        SettleItem[] memory items = _committed(n, node2);
        uint256 bad = which % n;
        uint256 at = 32 + uint256(word % 8) * 32;
        bytes memory p = items[bad].proof;
        assembly ("memory-safe") {
            // Flip the lowest bit of one coordinate: still < p, but not the proven point.
            mstore(add(p, at), xor(mload(add(p, at)), 1))
        }
        uint256 burnBefore = hub.pendingBurn();
        PackedBatch memory batch = _pack(items);
        vm.expectRevert();
        _send(batch);
        assertEq(hub.pendingBurn(), burnBefore, "nothing burned");
        assertEq(_earnings(node) + _earnings(node2), 0, "nobody paid");
        assertEq(uint8(_status(items[bad].requestId)), uint8(IInferenceHub.RequestStatus.Committed), "still open");
    }

    function testFuzz_settleBatch_anyValidBatchSettles(uint8 size) public {
        uint256 n = 1 + size % 16;
        SettleItem[] memory items = _committed(n, node2);
        _send(_pack(items));
        assertEq(_earnings(node) + _earnings(node2), n * PRICE, "every request paid");
        assertEq(hub.totalEscrowed(), 0, "every escrow released");
    }

    /// Any one bit flipped anywhere in an item's requestId, terms or signals: the batch reverts (a binding mismatch,
    /// an unknown request, or a proof that no longer verifies) and nothing moves.
    function testFuzz_settleBatch_anyFlippedBitOutsideTheProofRevertsAndNothingMoves(
        uint8 size,
        uint8 which,
        uint16 at,
        uint8 bit
    ) public {
        uint256 n = 1 + size % 6;
        SettleItem[] memory items = _committed(n, node2);
        PackedBatch memory batch = _pack(items);
        uint256 itemBytes = 132 + 3 * 32 + PROOF_BYTES;
        uint256 offset = (which % n) * itemBytes + at % (132 + 3 * 32);
        batch.items[offset] = bytes1(uint8(batch.items[offset]) ^ uint8(1 << (bit % 8)));
        uint256 burnBefore = hub.pendingBurn();
        vm.expectRevert();
        _send(batch);
        assertEq(hub.pendingBurn(), burnBefore, "nothing burned");
        assertEq(_earnings(node) + _earnings(node2), 0, "nobody paid");
        for (uint256 i; i < n; ++i) {
            assertEq(uint8(_status(items[i].requestId)), uint8(IInferenceHub.RequestStatus.Committed), "still open");
        }
        _send(_pack(items));
        assertEq(_earnings(node) + _earnings(node2), n * PRICE, "the untouched batch settles");
    }
}
