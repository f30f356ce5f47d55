// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IEnclaveRegistry} from "../../../contracts/interfaces/IEnclaveRegistry.sol";
import {IModelRegistry} from "../../../contracts/interfaces/IModelRegistry.sol";
import {EnclaveRegistry} from "../../../contracts/tee/EnclaveRegistry.sol";
import {EnclaveRegistryBase} from "./EnclaveRegistryBase.sol";

/// @notice Governance (adapters, bounds, key revocation) and measurement approvals by model owners.
contract EnclaveRegistryGovernanceTest is EnclaveRegistryBase {
    function test_constructor_setsBoundsAndRefusesBadOnes() public {
        (uint64 maxAge, uint64 ttl) = enclaves.bounds();
        assertEq(maxAge, MAX_AGE, "max age");
        assertEq(ttl, KEY_TTL, "ttl");
        assertEq(enclaves.MODEL_REGISTRY(), address(models), "model registry");
        assertEq(enclaves.owner(), governance, "owner");
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveInvalidBounds.selector, 0, KEY_TTL));
        new EnclaveRegistry(governance, address(models), 0, KEY_TTL);
    }

    function test_setBounds_onlyGovernanceWithinLimits() public {
        vm.expectEmit(address(enclaves));
        emit IEnclaveRegistry.BoundsSet(10 minutes, 2 days);
        vm.prank(governance);
        enclaves.setBounds(10 minutes, 2 days);
        (uint64 maxAge, uint64 ttl) = enclaves.bounds();
        assertEq(maxAge, 10 minutes, "max age");
        assertEq(ttl, 2 days, "ttl");

        uint64 maxAgeCap = enclaves.MAX_ATTESTATION_AGE();
        uint64 ttlCap = enclaves.MAX_KEY_TTL();
        uint64[2][4] memory bad = [
            [uint64(0), uint64(1 days)],
            [maxAgeCap + 1, ttlCap],
            [uint64(1 hours), uint64(1 hours)],
            [uint64(1 hours), ttlCap + 1]
        ];
        for (uint256 i; i < bad.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(IEnclaveRegistry.EnclaveInvalidBounds.selector, bad[i][0], bad[i][1])
            );
            vm.prank(governance);
            enclaves.setBounds(bad[i][0], bad[i][1]);
        }
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        enclaves.setBounds(10 minutes, 2 days);
    }

    function test_setAdapterAllowed_onlyGovernanceAndContracts() public {
        address adapter = address(devAdapter);
        vm.expectEmit(address(enclaves));
        emit IEnclaveRegistry.AdapterSet(adapter, false);
        vm.prank(governance);
        enclaves.setAdapterAllowed(adapter, false);
        assertFalse(enclaves.isAdapterAllowed(adapter), "disallowed");
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveInvalidAdapter.selector, stranger));
        vm.prank(governance);
        enclaves.setAdapterAllowed(stranger, true);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        enclaves.setAdapterAllowed(adapter, true);
    }

    function test_revokeKey_onlyGovernanceOnce() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        enclaves.revokeKey(enclaveSigner);
        vm.expectEmit(address(enclaves));
        emit IEnclaveRegistry.KeyRevoked(enclaveSigner);
        vm.prank(governance);
        enclaves.revokeKey(enclaveSigner);
        assertTrue(enclaves.enclaveKey(enclaveSigner).revoked, "revoked");
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveKeyIsRevoked.selector, enclaveSigner));
        vm.prank(governance);
        enclaves.revokeKey(enclaveSigner);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveKeyUnknown.selector, stranger));
        vm.prank(governance);
        enclaves.revokeKey(stranger);
    }

    function test_approveMeasurement_byOwnerOrGovernanceAndEmits() public {
        bytes32 other = enclaves.measurementOf(pcrs(2));
        assertEq(uint8(enclaves.measurementStatus(otherModelId, other)), 0, "none before");
        vm.expectEmit(address(enclaves));
        emit IEnclaveRegistry.MeasurementApproved(otherModelId, other, otherOwner);
        vm.prank(otherOwner);
        enclaves.approveMeasurement(otherModelId, other);
        assertEq(uint8(enclaves.measurementStatus(otherModelId, other)), 1, "approved");
        assertEq(uint8(enclaves.measurementStatus(modelId, other)), 0, "not for another model");
        vm.expectEmit(address(enclaves));
        emit IEnclaveRegistry.MeasurementApproved(modelId, other, governance);
        vm.prank(governance);
        enclaves.approveMeasurement(modelId, other);
        vm.expectRevert(
            abi.encodeWithSelector(IEnclaveRegistry.EnclaveMeasurementAlreadyApproved.selector, modelId, other)
        );
        vm.prank(modelOwner);
        enclaves.approveMeasurement(modelId, other);
    }

    function test_approveMeasurement_refusesNonOwnerZeroAndUnknownModel() public {
        vm.expectRevert(
            abi.encodeWithSelector(IEnclaveRegistry.EnclaveNotModelOwner.selector, modelId, stranger, modelOwner)
        );
        vm.prank(stranger);
        enclaves.approveMeasurement(modelId, keccak256("m"));
        // Another model's owner is a stranger here too.
        vm.expectRevert(
            abi.encodeWithSelector(IEnclaveRegistry.EnclaveNotModelOwner.selector, modelId, otherOwner, modelOwner)
        );
        vm.prank(otherOwner);
        enclaves.approveMeasurement(modelId, keccak256("m"));
        vm.expectRevert(
            abi.encodeWithSelector(IEnclaveRegistry.EnclaveNotModelOwner.selector, modelId, stranger, modelOwner)
        );
        vm.prank(stranger);
        enclaves.revokeMeasurement(modelId, measurement);
        vm.expectRevert(IEnclaveRegistry.EnclaveMeasurementZero.selector);
        vm.prank(modelOwner);
        enclaves.approveMeasurement(modelId, bytes32(0));
        vm.expectRevert(IEnclaveRegistry.EnclaveMeasurementZero.selector);
        vm.prank(modelOwner);
        enclaves.revokeMeasurement(modelId, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.RegistryModelUnknown.selector, uint64(99)));
        vm.prank(governance);
        enclaves.approveMeasurement(99, keccak256("m"));
    }

    function test_revokeMeasurement_isFinalAndEmits() public {
        vm.expectEmit(address(enclaves));
        emit IEnclaveRegistry.MeasurementRevoked(modelId, measurement, governance);
        vm.prank(governance);
        enclaves.revokeMeasurement(modelId, measurement);
        assertEq(uint8(enclaves.measurementStatus(modelId, measurement)), 2, "revoked");
        vm.expectRevert(
            abi.encodeWithSelector(IEnclaveRegistry.EnclaveMeasurementRevoked.selector, modelId, measurement)
        );
        vm.prank(modelOwner);
        enclaves.approveMeasurement(modelId, measurement);
        vm.expectRevert(
            abi.encodeWithSelector(IEnclaveRegistry.EnclaveMeasurementRevoked.selector, modelId, measurement)
        );
        vm.prank(modelOwner);
        enclaves.revokeMeasurement(modelId, measurement);
    }

    function test_revokeMeasurement_preemptsApprovalOfUnseenMeasurement() public {
        bytes32 unseen = keccak256("vulnerable image");
        assertEq(uint8(enclaves.measurementStatus(modelId, unseen)), 0, "unseen");
        vm.prank(modelOwner);
        enclaves.revokeMeasurement(modelId, unseen);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveMeasurementRevoked.selector, modelId, unseen));
        vm.prank(governance);
        enclaves.approveMeasurement(modelId, unseen);
    }

    function test_ownership_transfersInTwoSteps() public {
        vm.prank(governance);
        enclaves.transferOwnership(stranger);
        assertEq(enclaves.owner(), governance, "still governance");
        vm.prank(stranger);
        enclaves.acceptOwnership();
        assertEq(enclaves.owner(), stranger, "accepted");
    }

    function test_enclaveKey_unknownIsZero() public view {
        IEnclaveRegistry.EnclaveKeyInfo memory key = enclaves.enclaveKey(stranger);
        assertEq(key.measurement, bytes32(0), "measurement");
        assertEq(key.adapter, address(0), "adapter");
        assertEq(key.expiresAt, 0, "expiry");
    }
}
