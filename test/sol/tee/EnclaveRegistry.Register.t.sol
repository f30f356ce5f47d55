// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAttestationAdapter} from "../../../contracts/interfaces/IAttestationAdapter.sol";
import {IEnclaveRegistry} from "../../../contracts/interfaces/IEnclaveRegistry.sol";
import {InsecureDevAttestationAdapter} from "../../../contracts/tee/adapters/InsecureDevAttestationAdapter.sol";
import {EnclaveRegistryBase} from "./EnclaveRegistryBase.sol";

/// @notice `registerEnclave`: what it stores and emits, renewal, and every refusal.
contract EnclaveRegistryRegisterTest is EnclaveRegistryBase {
    uint256 internal constant NEW_KEY = 0x5EC0;

    function test_registerEnclave_storesKeyAndEmits() public {
        address signer = vm.addr(NEW_KEY);
        uint64 attestedMs = nowMs() - 10 minutes * 1000 + 123;
        uint64 expiresAt = uint64(START - 10 minutes + KEY_TTL);
        vm.expectEmit(address(enclaves));
        emit IEnclaveRegistry.KeyRegistered(signer, measurement, address(devAdapter), attestedMs, expiresAt);
        (address got, bytes32 gotMeasurement) =
            enclaves.registerEnclave(address(devAdapter), devAttestation(signer, attestedMs, pcrs(1)));
        assertEq(got, signer, "signer");
        assertEq(gotMeasurement, measurement, "measurement");
        IEnclaveRegistry.EnclaveKeyInfo memory key = enclaves.enclaveKey(signer);
        assertEq(key.measurement, measurement, "stored measurement");
        assertEq(key.adapter, address(devAdapter), "stored adapter");
        assertEq(key.expiresAt, expiresAt, "expiry = attestation time (s) + TTL");
        assertFalse(key.revoked, "not revoked");
    }

    function test_registerEnclave_renewsWithFresherAttestation() public {
        vm.warp(START + 20 hours);
        enclaves.registerEnclave(address(devAdapter), devAttestation(enclaveSigner, nowMs(), pcrs(1)));
        assertEq(enclaves.enclaveKey(enclaveSigner).expiresAt, START + 20 hours + KEY_TTL, "renewed");
        vm.warp(START + 30 hours);
        assertEq(verifyAsHub(validSignature()), enclaveSigner, "usable after the first expiry");
    }

    function test_registerEnclave_renewsAnExpiredKey() public {
        vm.warp(START + KEY_TTL + 1 days);
        enclaves.registerEnclave(address(devAdapter), devAttestation(enclaveSigner, nowMs(), pcrs(1)));
        assertEq(verifyAsHub(validSignature()), enclaveSigner, "usable again");
    }

    function test_registerEnclave_refusesSameOrOlderAttestation() public {
        uint64 expiresAt = uint64(START + KEY_TTL);
        vm.expectRevert(
            abi.encodeWithSelector(
                IEnclaveRegistry.EnclaveRenewalNotLater.selector, enclaveSigner, expiresAt, expiresAt
            )
        );
        enclaves.registerEnclave(address(devAdapter), devAttestation(enclaveSigner, nowMs(), pcrs(1)));
        vm.expectRevert(
            abi.encodeWithSelector(
                IEnclaveRegistry.EnclaveRenewalNotLater.selector, enclaveSigner, expiresAt - 60, expiresAt
            )
        );
        enclaves.registerEnclave(address(devAdapter), devAttestation(enclaveSigner, nowMs() - 60_000, pcrs(1)));
    }

    function test_registerEnclave_refusesRevokedKey() public {
        vm.prank(governance);
        enclaves.revokeKey(enclaveSigner);
        vm.warp(START + 1 hours);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveKeyIsRevoked.selector, enclaveSigner));
        enclaves.registerEnclave(address(devAdapter), devAttestation(enclaveSigner, nowMs(), pcrs(1)));
    }

    function test_registerEnclave_refusesKeyMovingToOtherMeasurement() public {
        bytes32 other = enclaves.measurementOf(pcrs(2));
        vm.prank(modelOwner);
        enclaves.approveMeasurement(modelId, other);
        vm.warp(START + 1 hours);
        vm.expectRevert(
            abi.encodeWithSelector(
                IEnclaveRegistry.EnclaveKeyMeasurementChanged.selector, enclaveSigner, measurement, other
            )
        );
        enclaves.registerEnclave(address(devAdapter), devAttestation(enclaveSigner, nowMs(), pcrs(2)));
    }

    function test_registerEnclave_refusesDebugPcrs() public {
        for (uint8 i; i < 3; ++i) {
            IAttestationAdapter.Pcr48[3] memory p = pcrs(1);
            p[i] = IAttestationAdapter.Pcr48({head: bytes32(0), tail: bytes16(0)});
            vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveDebugMeasurement.selector, i));
            enclaves.registerEnclave(address(devAdapter), devAttestation(vm.addr(NEW_KEY), nowMs(), p));
        }
        // A PCR that is zero in one half only is not a debug PCR (it reaches the measurement check).
        IAttestationAdapter.Pcr48[3] memory half = pcrs(1);
        half[1].tail = bytes16(0);
        bytes32 halfMeasurement = enclaves.measurementOf(half);
        vm.expectRevert(
            abi.encodeWithSelector(IEnclaveRegistry.EnclaveMeasurementUnknown.selector, halfMeasurement)
        );
        enclaves.registerEnclave(address(devAdapter), devAttestation(vm.addr(NEW_KEY), nowMs(), half));
    }

    function test_registerEnclave_refusesAllZeroPcrsEvenIfApproved() public {
        IAttestationAdapter.Pcr48[3] memory zero;
        bytes32 debugMeasurement = enclaves.measurementOf(zero);
        vm.prank(governance);
        enclaves.approveMeasurement(modelId, debugMeasurement);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveDebugMeasurement.selector, 0));
        enclaves.registerEnclave(address(devAdapter), devAttestation(vm.addr(NEW_KEY), nowMs(), zero));
    }

    function test_registerEnclave_refusesStaleAttestation() public {
        uint64 edgeMs = nowMs() - MAX_AGE * 1000;
        enclaves.registerEnclave(address(devAdapter), devAttestation(vm.addr(NEW_KEY), edgeMs, pcrs(1)));
        uint64 staleMs = edgeMs - 1000;
        vm.expectRevert(
            abi.encodeWithSelector(IEnclaveRegistry.EnclaveAttestationStale.selector, staleMs, MAX_AGE, START)
        );
        enclaves.registerEnclave(address(devAdapter), devAttestation(vm.addr(NEW_KEY + 1), staleMs, pcrs(1)));
    }

    function test_registerEnclave_treatsTimestampAsMilliseconds() public {
        // A seconds timestamp read as milliseconds is in 1970: stale, never "fresh".
        uint64 secondsByMistake = uint64(block.timestamp);
        vm.expectRevert(
            abi.encodeWithSelector(
                IEnclaveRegistry.EnclaveAttestationStale.selector, secondsByMistake, MAX_AGE, START
            )
        );
        enclaves.registerEnclave(address(devAdapter), devAttestation(vm.addr(NEW_KEY), secondsByMistake, pcrs(1)));
    }

    function test_registerEnclave_refusesAttestationFromFuture() public {
        uint64 skew = enclaves.MAX_CLOCK_SKEW();
        uint64 edgeMs = (uint64(START) + skew) * 1000 + 999;
        enclaves.registerEnclave(address(devAdapter), devAttestation(vm.addr(NEW_KEY), edgeMs, pcrs(1)));
        uint64 futureMs = (uint64(START) + skew + 1) * 1000;
        vm.expectRevert(
            abi.encodeWithSelector(IEnclaveRegistry.EnclaveAttestationFromFuture.selector, futureMs, START)
        );
        enclaves.registerEnclave(address(devAdapter), devAttestation(vm.addr(NEW_KEY + 1), futureMs, pcrs(1)));
    }

    function test_registerEnclave_refusesDisallowedAdapter() public {
        InsecureDevAttestationAdapter other = new InsecureDevAttestationAdapter();
        bytes memory attestation = devAttestation(vm.addr(NEW_KEY), nowMs(), pcrs(1));
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveAdapterNotAllowed.selector, address(other)));
        enclaves.registerEnclave(address(other), attestation);
        vm.prank(governance);
        enclaves.setAdapterAllowed(address(devAdapter), false);
        vm.expectRevert(
            abi.encodeWithSelector(IEnclaveRegistry.EnclaveAdapterNotAllowed.selector, address(devAdapter))
        );
        enclaves.registerEnclave(address(devAdapter), attestation);
    }

    function test_registerEnclave_refusesZeroSigner() public {
        vm.expectRevert(IEnclaveRegistry.EnclaveSignerZero.selector);
        enclaves.registerEnclave(address(devAdapter), devAttestation(address(0), nowMs(), pcrs(1)));
    }

    function test_registerEnclave_refusesNeverApprovedMeasurement() public {
        bytes32 unknown = enclaves.measurementOf(pcrs(3));
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveMeasurementUnknown.selector, unknown));
        enclaves.registerEnclave(address(devAdapter), devAttestation(vm.addr(NEW_KEY), nowMs(), pcrs(3)));
    }

    /// @dev Whatever the attestation's age within the bounds, the key lives exactly TTL from its attestation.
    function testFuzz_registerEnclave_expiryFollowsAttestationTime(uint256 ageMs, uint256 key) public {
        ageMs = bound(ageMs, 0, uint256(MAX_AGE) * 1000);
        key = bound(key, 1, SECP256K1_N - 1);
        address signer = vm.addr(key);
        vm.assume(signer != enclaveSigner);
        uint64 attestedMs = nowMs() - uint64(ageMs);
        enclaves.registerEnclave(address(devAdapter), devAttestation(signer, attestedMs, pcrs(1)));
        assertEq(enclaves.enclaveKey(signer).expiresAt, attestedMs / 1000 + KEY_TTL, "expiry");
    }
}
