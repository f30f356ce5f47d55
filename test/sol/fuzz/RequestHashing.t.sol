// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// These tests send hand-crafted calldata, which needs low-level calls.
// solhint-disable avoid-low-level-calls

import {IInferenceHub} from "../../../contracts/interfaces/IInferenceHub.sol";
import {RequestHashing} from "../../../contracts/libraries/RequestHashing.sol";
import {ProtocolBase} from "../protocol/ProtocolBase.sol";

/// @dev Exposes the library's calldata functions.
contract RequestHashingHarness {
    function bindSettlement(IInferenceHub.Request calldata req, uint256[] calldata output, address node, uint64 at)
        external
        pure
        returns (bytes32)
    {
        return RequestHashing.bindSettlement(req, output, node, at);
    }
}

/// @notice The hub hashes resupplied requests straight from calldata: it must equal `keccak256(abi.encode(req))`
///         and reject any non-canonical encoding.
contract RequestHashingTest is ProtocolBase {
    function testFuzz_hashRequest_equalsAbiEncodeHash(
        address who,
        uint64 model,
        uint96 fee,
        uint96 bond,
        uint64 deadline,
        uint8 length,
        uint256 seed
    ) public view {
        uint256[] memory input = new uint256[](bound(length, 0, 20));
        for (uint256 i; i < input.length; ++i) input[i] = uint256(keccak256(abi.encode(seed, i)));
        IInferenceHub.Request memory req = IInferenceHub.Request({
            requester: who,
            modelId: model,
            verifier: address(adapter),
            outputWords: uint16(seed),
            callbackFlags: uint8(seed >> 16),
            callbackGasLimit: uint32(seed >> 24),
            modelFee: fee,
            settlementFee: fee / 3,
            callbackFee: fee / 5,
            bond: bond,
            commitDeadline: deadline,
            proofWindow: uint32(seed >> 56),
            input: input
        });
        assertEq(hub.hashRequest(req), keccak256(abi.encode(req)), "calldata hash = abi.encode hash");
    }

    function testFuzz_bindSettlement_equalsThePackedReference(
        address who,
        address committer,
        uint64 proofDeadline,
        uint256 seed
    ) public {
        IInferenceHub.Request memory req = _randomRequest(who, seed);
        uint256[] memory output = new uint256[](req.outputWords);
        for (uint256 i; i < output.length; ++i) output[i] = uint256(keccak256(abi.encode(seed, "out", i)));
        bytes memory preimage = _settlementPreimage(req, output, committer, proofDeadline);
        assertEq(preimage.length, 124 + 32 * (output.length + req.input.length), "preimage size");
        RequestHashingHarness harness = new RequestHashingHarness();
        assertEq(harness.bindSettlement(req, output, committer, proofDeadline), keccak256(preimage), "reference");
    }

    function _randomRequest(address who, uint256 seed) private pure returns (IInferenceHub.Request memory req) {
        uint256[] memory input = new uint256[]((seed >> 200) % 21);
        for (uint256 i; i < input.length; ++i) input[i] = uint256(keccak256(abi.encode(seed, i)));
        uint96 fee = uint96(seed >> 120);
        req = IInferenceHub.Request({
            requester: who,
            modelId: uint64(seed),
            verifier: address(uint160(seed >> 8)),
            outputWords: uint16((seed >> 210) % 13),
            callbackFlags: uint8(seed >> 16) & 3,
            callbackGasLimit: uint32(seed >> 24),
            modelFee: fee,
            settlementFee: fee / 3,
            callbackFee: fee / 5,
            bond: uint96(seed >> 100),
            commitDeadline: uint64(seed >> 60),
            proofWindow: uint32(seed >> 56),
            input: input
        });
    }

    /// @dev The preimage as `IInferenceHub.settleBatch` documents it, built field by field.
    function _settlementPreimage(
        IInferenceHub.Request memory req,
        uint256[] memory output,
        address committer,
        uint64 proofDeadline
    ) private pure returns (bytes memory) {
        bool onSettle = req.callbackFlags & 2 != 0;
        return bytes.concat(
            abi.encodePacked(req.verifier, uint16(output.length), uint16(req.input.length), committer, proofDeadline),
            abi.encodePacked(req.modelFee, req.callbackFee, req.settlementFee, req.bond),
            abi.encodePacked(onSettle ? req.callbackGasLimit : uint32(0), req.requester),
            abi.encodePacked(output, req.input)
        );
    }

    function test_commit_storesTheSettlementBinding() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestA();
        vm.prank(node);
        hub.commit(id, req, fixtureA.output);
        (, uint64 deadline, address committer, bytes32 binding) = hub.requestState(id);
        assertEq(committer, node, "committer");
        assertEq(binding, keccak256(_settlementPreimage(req, fixtureA.output, committer, deadline)), "binding");
    }

    function test_commit_rejectsNonCanonicalRequestEncoding() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestA();
        bytes memory data = abi.encodeCall(hub.commit, (id, req, fixtureA.output));
        // The struct starts at 4 + its offset word; word 12 of its head is the offset of `input` (0x1a0).
        uint256 structAt = 4 + uint256(bytes32(_slice(data, 36)));
        uint256 inputOffsetAt = structAt + 12 * 32;
        assertEq(uint256(bytes32(_slice(data, inputOffsetAt))), 0x1a0, "canonical input offset");
        // Same decoded values, different bytes: dirty bits above the requester's 20-byte address.
        data[structAt + 11] = 0x01;
        vm.prank(node);
        (bool ok, bytes memory reason) = address(hub).call(data);
        assertFalse(ok, "dirty encoding rejected");
        assertEq(reason, abi.encodeWithSelector(IInferenceHub.HubRequestMismatch.selector, id), "named error");
    }

    function test_commit_rejectsRelocatedInputArray() public {
        (bytes32 id, IInferenceHub.Request memory req) = _requestA();
        bytes memory data = abi.encodeCall(hub.commit, (id, req, fixtureA.output));
        uint256 structAt = 4 + uint256(bytes32(_slice(data, 36)));
        // Append a copy of `input` (length + words) and point the struct's `input` offset at it: a valid
        // ABI encoding of the same values, but not the canonical bytes the binding was made from.
        uint256 newOffset = data.length - structAt;
        bytes memory copy = abi.encodePacked(uint256(2), fixtureA.input[0], fixtureA.input[1]);
        data = bytes.concat(data, copy);
        bytes32 offsetWord = bytes32(newOffset);
        for (uint256 i; i < 32; ++i) data[structAt + 12 * 32 + i] = offsetWord[i];
        vm.prank(node);
        (bool ok, bytes memory reason) = address(hub).call(data);
        assertFalse(ok, "relocated array rejected");
        assertEq(reason, abi.encodeWithSelector(IInferenceHub.HubRequestMismatch.selector, id), "named error");
    }

    function _slice(bytes memory data, uint256 at) private pure returns (bytes32 word) {
        assembly ("memory-safe") {
            word := mload(add(add(data, 0x20), at))
        }
    }
}
