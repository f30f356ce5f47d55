// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEnclaveRegistry} from "../../../contracts/interfaces/IEnclaveRegistry.sol";
import {EnclaveRegistryBase} from "./EnclaveRegistryBase.sol";

/// @notice `verifyResult`: the happy path, every rejection, and fuzzing over the signed fields.
contract EnclaveRegistryVerifyResultTest is EnclaveRegistryBase {
    function test_verifyResult_returnsSignerForValidSignature() public {
        assertEq(verifyAsHub(validSignature()), enclaveSigner, "signer");
    }

    function test_verifyResult_digestMatchesIndependentComputation() public view {
        uint64 expiry = expiryIn(60);
        assertEq(
            enclaves.teeResultDigest(hub, REQUEST_ID, modelId, INPUT_HASH, OUTPUT_HASH, node, expiry),
            digestOf(hub, REQUEST_ID, modelId, INPUT_HASH, OUTPUT_HASH, node, expiry),
            "digest"
        );
    }

    function test_verifyResult_acceptsAtExpirySecond() public {
        bytes memory signature =
            sign(ENCLAVE_KEY, hub, REQUEST_ID, modelId, INPUT_HASH, OUTPUT_HASH, node, uint64(block.timestamp));
        assertEq(verifyAsHub(signature), enclaveSigner, "valid through its expiry second");
    }

    function test_verifyResult_revertsWhenSignatureExpired() public {
        bytes memory signature = validSignature();
        vm.warp(block.timestamp + 1 hours + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IEnclaveRegistry.EnclaveSignatureExpired.selector, uint64(START + 1 hours), START + 1 hours + 1
            )
        );
        verifyAsHub(signature);
    }

    function test_verifyResult_revertsOnMalformedLength() public {
        bytes memory good = validSignature();
        bytes memory short = new bytes(72);
        for (uint256 i; i < 72; ++i) short[i] = good[i];
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveSignatureLength.selector, 72));
        verifyAsHub(short);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveSignatureLength.selector, 74));
        verifyAsHub(bytes.concat(good, hex"00"));
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveSignatureLength.selector, 65));
        verifyAsHub(new bytes(65));
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveSignatureLength.selector, 0));
        verifyAsHub("");
    }

    function test_verifyResult_revertsOnHighS() public {
        uint64 expiry = expiryIn(1 hours);
        bytes32 digest = digestOf(hub, REQUEST_ID, modelId, INPUT_HASH, OUTPUT_HASH, node, expiry);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ENCLAVE_KEY, digest);
        // The malleable twin (r, n − s, v ^ 1) recovers the same key; EIP-2 refuses it.
        bytes32 highS = bytes32(SECP256K1_N - uint256(s));
        uint8 flippedV = v == 27 ? 28 : 27;
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveSignatureHighS.selector, highS));
        verifyAsHub(abi.encodePacked(expiry, r, highS, flippedV));
    }

    function test_verifyResult_revertsOnUnrecoverableSignature() public {
        uint64 expiry = expiryIn(1 hours);
        vm.expectRevert(IEnclaveRegistry.EnclaveSignatureInvalid.selector);
        verifyAsHub(abi.encodePacked(expiry, bytes32(uint256(1)), bytes32(uint256(1)), uint8(29)));
        vm.expectRevert(IEnclaveRegistry.EnclaveSignatureInvalid.selector);
        verifyAsHub(abi.encodePacked(expiry, bytes32(0), bytes32(0), uint8(27)));
    }

    function test_verifyResult_revertsForUnknownSigner() public {
        uint256 otherKey = 0xBAD;
        bytes memory signature =
            sign(otherKey, hub, REQUEST_ID, modelId, INPUT_HASH, OUTPUT_HASH, node, expiryIn(1 hours));
        vm.expectRevert(unknownKeyError(vm.addr(otherKey)));
        verifyAsHub(signature);
    }

    function test_verifyResult_revertsWhenKeyExpired() public {
        uint64 expiresAt = uint64(START + KEY_TTL);
        vm.warp(expiresAt);
        assertEq(verifyAsHub(validSignature()), enclaveSigner, "valid through its last second");
        vm.warp(expiresAt + 1);
        bytes memory signature = validSignature();
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveKeyExpired.selector, enclaveSigner, expiresAt));
        verifyAsHub(signature);
    }

    function test_verifyResult_revertsWhenKeyRevoked() public {
        bytes memory signature = validSignature();
        vm.prank(governance);
        enclaves.revokeKey(enclaveSigner);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveKeyIsRevoked.selector, enclaveSigner));
        verifyAsHub(signature);
    }

    function test_verifyResult_revertsWhenKeysAdapterDisallowed() public {
        bytes memory signature = validSignature();
        vm.prank(governance);
        enclaves.setAdapterAllowed(address(devAdapter), false);
        vm.expectRevert(
            abi.encodeWithSelector(
                IEnclaveRegistry.EnclaveKeyAdapterDisallowed.selector, enclaveSigner, address(devAdapter)
            )
        );
        verifyAsHub(signature);
    }

    function test_verifyResult_revertsWhenMeasurementRevoked() public {
        bytes memory signature = validSignature();
        vm.prank(modelOwner);
        enclaves.revokeMeasurement(modelId, measurement);
        vm.expectRevert(
            abi.encodeWithSelector(IEnclaveRegistry.EnclaveMeasurementRevoked.selector, modelId, measurement)
        );
        verifyAsHub(signature);
    }

    function test_verifyResult_revertsWhenMeasurementApprovedForAnotherModelOnly() public {
        bytes memory signature =
            sign(ENCLAVE_KEY, hub, REQUEST_ID, otherModelId, INPUT_HASH, OUTPUT_HASH, node, expiryIn(1 hours));
        vm.expectRevert(
            abi.encodeWithSelector(IEnclaveRegistry.EnclaveMeasurementNotApproved.selector, otherModelId, measurement)
        );
        vm.prank(hub);
        enclaves.verifyResult(REQUEST_ID, otherModelId, INPUT_HASH, OUTPUT_HASH, node, signature);
    }

    function test_verifyResult_revertsWhenCalledByAnotherHub() public {
        bytes memory signature = validSignature();
        expectUnknownSigner(signature, stranger, REQUEST_ID, modelId, INPUT_HASH, OUTPUT_HASH, node);
        vm.prank(stranger);
        enclaves.verifyResult(REQUEST_ID, modelId, INPUT_HASH, OUTPUT_HASH, node, signature);
    }

    function test_verifyResult_revertsOnAnotherChain() public {
        bytes memory signature = validSignature();
        vm.chainId(8453);
        expectUnknownSigner(signature, hub, REQUEST_ID, modelId, INPUT_HASH, OUTPUT_HASH, node);
        verifyAsHub(signature);
    }

    function test_verifyResult_revertsWhenReplayedForAnotherRequest() public {
        bytes memory signature = validSignature();
        assertEq(verifyAsHub(signature), enclaveSigner, "original request");
        expectUnknownSigner(signature, hub, keccak256("another request"), modelId, INPUT_HASH, OUTPUT_HASH, node);
        vm.prank(hub);
        enclaves.verifyResult(keccak256("another request"), modelId, INPUT_HASH, OUTPUT_HASH, node, signature);
    }

    function test_verifyResult_revertsForEachChangedField() public {
        bytes memory signature = validSignature();
        vm.startPrank(hub);
        expectUnknownSigner(signature, hub, REQUEST_ID, modelId, keccak256("other input"), OUTPUT_HASH, node);
        enclaves.verifyResult(REQUEST_ID, modelId, keccak256("other input"), OUTPUT_HASH, node, signature);
        expectUnknownSigner(signature, hub, REQUEST_ID, modelId, INPUT_HASH, keccak256("other output"), node);
        enclaves.verifyResult(REQUEST_ID, modelId, INPUT_HASH, keccak256("other output"), node, signature);
        expectUnknownSigner(signature, hub, REQUEST_ID, modelId, INPUT_HASH, OUTPUT_HASH, stranger);
        enclaves.verifyResult(REQUEST_ID, modelId, INPUT_HASH, OUTPUT_HASH, stranger, signature);
        vm.stopPrank();
        // The model: a key approved for both models still cannot move a signature from one to the other.
        vm.prank(otherOwner);
        enclaves.approveMeasurement(otherModelId, measurement);
        expectUnknownSigner(signature, hub, REQUEST_ID, otherModelId, INPUT_HASH, OUTPUT_HASH, node);
        vm.prank(hub);
        enclaves.verifyResult(REQUEST_ID, otherModelId, INPUT_HASH, OUTPUT_HASH, node, signature);
        // The expiry is signed: extending it breaks the signature.
        bytes memory extended = bytes.concat(bytes8(expiryIn(2 hours)), _slice(signature, 8, 73));
        expectUnknownSigner(extended, hub, REQUEST_ID, modelId, INPUT_HASH, OUTPUT_HASH, node);
        verifyAsHub(extended);
    }

    /// @dev Any single changed field makes the signature recover another address (or none): never the enclave's.
    function testFuzz_verifyResult_rejectsAnyChangedField(uint8 which, bytes32 salt) public {
        which = uint8(bound(which, 0, 6));
        address hub_ = hub;
        bytes32 requestId = REQUEST_ID;
        uint64 model = modelId;
        bytes32 inputHash = INPUT_HASH;
        bytes32 outputHash = OUTPUT_HASH;
        address paid = node;
        uint64 expiry = expiryIn(1 hours);
        bytes memory signature = sign(ENCLAVE_KEY, hub_, requestId, model, inputHash, outputHash, paid, expiry);
        if (which == 0) {
            hub_ = address(uint160(uint256(salt)));
            vm.assume(hub_ != hub);
        } else if (which == 1) {
            vm.assume(salt != requestId);
            requestId = salt;
        } else if (which == 2) {
            // Approved for the other model too, so only the signature can refuse it.
            vm.prank(otherOwner);
            enclaves.approveMeasurement(otherModelId, measurement);
            model = otherModelId;
        } else if (which == 3) {
            vm.assume(salt != inputHash);
            inputHash = salt;
        } else if (which == 4) {
            vm.assume(salt != outputHash);
            outputHash = salt;
        } else if (which == 5) {
            paid = address(uint160(uint256(salt)));
            vm.assume(paid != node);
        } else {
            uint64 later = uint64(bound(uint256(salt), expiry + 1, type(uint64).max));
            signature = bytes.concat(bytes8(later), _slice(signature, 8, 73));
        }
        vm.prank(hub_);
        try enclaves.verifyResult(requestId, model, inputHash, outputHash, paid, signature) returns (address got) {
            revert AssertionFailedAddress("a changed field verified", got, enclaveSigner);
        } catch (bytes memory reason) {
            bytes4 selector = bytes4(reason);
            assertTrue(
                selector == IEnclaveRegistry.EnclaveKeyUnknown.selector
                    || selector == IEnclaveRegistry.EnclaveSignatureInvalid.selector,
                "rejected as another (or no) signer"
            );
        }
    }

    /// @dev The enclave's own signature over any fields verifies, for the hub that calls.
    function testFuzz_verifyResult_acceptsAnyFieldsSigned(
        address caller,
        bytes32 requestId,
        bytes32 inputHash,
        bytes32 outputHash,
        address paid,
        uint32 lifetime
    ) public {
        bytes memory signature = sign(
            ENCLAVE_KEY, caller, requestId, modelId, inputHash, outputHash, paid, expiryIn(lifetime)
        );
        vm.prank(caller);
        assertEq(
            enclaves.verifyResult(requestId, modelId, inputHash, outputHash, paid, signature), enclaveSigner, "signer"
        );
    }

    function _slice(bytes memory data, uint256 from, uint256 to) private pure returns (bytes memory out) {
        out = new bytes(to - from);
        for (uint256 i = from; i < to; ++i) out[i - from] = data[i];
    }
}
