// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IAttestationAdapter} from "../interfaces/IAttestationAdapter.sol";
import {IEnclaveRegistry} from "../interfaces/IEnclaveRegistry.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {ITeeResultVerifier} from "../interfaces/ITeeResultVerifier.sol";

/// @title EnclaveRegistry
/// @notice Attested enclave keys bound to code measurements that model owners approve; verifies TEE result signatures.
/// @dev A key's life runs from its ATTESTATION's time, not from its registration: the trust window is anchored to the
///      evidence, so a document submitted late (up to `maxAttestationAge`) gets no longer life, and resubmitting the
///      same document (anyone may) cannot keep a key alive; only a fresher attestation renews it.
///      Approvals are stored by measurement id (dense, assigned at first approval) so that a key record is one slot
///      and `verifyResult` reads two slots of its own plus the adapter's allowance.
///      `registerEnclave` calls the adapter before it reads any state it writes, so a re-entered call (possible only
///      through a governance-allowed adapter) leaves nothing inconsistent: no reentrancy guard is needed.
contract EnclaveRegistry is IEnclaveRegistry, Ownable2Step, EIP712 {
    /// @notice EIP-712 type of a signed result (see `ITeeResultVerifier`).
    bytes32 public constant TEE_RESULT_TYPEHASH = keccak256(
        "TeeResult(address hub,bytes32 requestId,uint64 modelId,bytes32 inputHash,bytes32 outputHash,address node,uint64 expiry)"
    );
    /// @notice Length of `verifyResult`'s signature: expiry (8) ‖ r (32) ‖ s (32) ‖ v (1).
    uint256 public constant SIGNATURE_LENGTH = 73;
    /// @notice How far an attestation's timestamp may be ahead of the block's (enclave and validator clocks differ).
    uint64 public constant MAX_CLOCK_SKEW = 60;
    /// @notice Highest `maxAttestationAge` governance may set (Nitro leaf certificates live about 3 hours).
    uint64 public constant MAX_ATTESTATION_AGE = 1 days;
    /// @notice Highest key TTL governance may set: a key must be re-attested at least this often.
    uint64 public constant MAX_KEY_TTL = 30 days;

    /// @inheritdoc IEnclaveRegistry
    address public immutable MODEL_REGISTRY;

    uint64 private _maxAttestationAge;
    uint64 private _keyTtl;
    uint48 private _measurementCount;
    mapping(address adapter => bool) private _adapterAllowed;
    mapping(bytes32 measurement => uint48 id) private _measurementIds;
    mapping(uint48 id => bytes32 measurement) private _measurements;
    mapping(uint64 modelId => mapping(uint48 measurementId => MeasurementStatus)) private _approvals;
    mapping(address signer => EnclaveKey) private _keys;

    /// @param governance The owner (two-step transfer): allows adapters, sets bounds, revokes keys and measurements.
    /// @param modelRegistry The model registry whose model owners approve measurements.
    /// @param maxAttestationAge Oldest attestation accepted at registration (seconds).
    /// @param keyTtl A key's life from its attestation's time (seconds).
    constructor(address governance, address modelRegistry, uint64 maxAttestationAge, uint64 keyTtl)
        Ownable(governance)
        EIP712("OPG HACA TEE", "1")
    {
        MODEL_REGISTRY = modelRegistry;
        _setBounds(maxAttestationAge, keyTtl);
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc IEnclaveRegistry
    function setAdapterAllowed(address adapter, bool allowed) external onlyOwner {
        if (allowed && adapter.code.length == 0) revert EnclaveInvalidAdapter(adapter);
        _adapterAllowed[adapter] = allowed;
        emit AdapterSet(adapter, allowed);
    }

    /// @inheritdoc IEnclaveRegistry
    function setBounds(uint64 maxAttestationAge, uint64 keyTtl) external onlyOwner {
        _setBounds(maxAttestationAge, keyTtl);
    }

    /// @inheritdoc IEnclaveRegistry
    function revokeKey(address signer) external onlyOwner {
        EnclaveKey storage key = _keys[signer];
        if (key.measurementId == 0) revert EnclaveKeyUnknown(signer);
        if (key.revoked) revert EnclaveKeyIsRevoked(signer);
        key.revoked = true;
        emit KeyRevoked(signer);
    }

    // ------------------------------------------------------------------ measurements

    /// @inheritdoc IEnclaveRegistry
    function approveMeasurement(uint64 modelId, bytes32 measurement) external {
        _checkModelOwnerOrGovernance(modelId);
        if (measurement == bytes32(0)) revert EnclaveMeasurementZero();
        uint48 id = _measurementIdOrNew(measurement);
        MeasurementStatus status = _approvals[modelId][id];
        if (status == MeasurementStatus.Approved) revert EnclaveMeasurementAlreadyApproved(modelId, measurement);
        if (status == MeasurementStatus.Revoked) revert EnclaveMeasurementRevoked(modelId, measurement);
        _approvals[modelId][id] = MeasurementStatus.Approved;
        emit MeasurementApproved(modelId, measurement, msg.sender);
    }

    /// @inheritdoc IEnclaveRegistry
    function revokeMeasurement(uint64 modelId, bytes32 measurement) external {
        _checkModelOwnerOrGovernance(modelId);
        if (measurement == bytes32(0)) revert EnclaveMeasurementZero();
        uint48 id = _measurementIdOrNew(measurement);
        if (_approvals[modelId][id] == MeasurementStatus.Revoked) revert EnclaveMeasurementRevoked(modelId, measurement);
        _approvals[modelId][id] = MeasurementStatus.Revoked;
        emit MeasurementRevoked(modelId, measurement, msg.sender);
    }

    // ------------------------------------------------------------------ keys

    /// @inheritdoc IEnclaveRegistry
    function registerEnclave(address adapter, bytes calldata attestation)
        external
        returns (address signer, bytes32 measurement)
    {
        if (!_adapterAllowed[adapter]) revert EnclaveAdapterNotAllowed(adapter);
        // The adapter is governance-allowed; its answer is what every check below is made on.
        IAttestationAdapter.AttestedEnclave memory attested = IAttestationAdapter(adapter).verifyAttestation(attestation);

        for (uint8 i; i < 3; ++i) {
            if (attested.pcrs[i].head == bytes32(0) && attested.pcrs[i].tail == bytes16(0)) {
                revert EnclaveDebugMeasurement(i);
            }
        }
        uint64 attestedAt = _checkFresh(attested.timestampMs);
        signer = attested.signer;
        if (signer == address(0)) revert EnclaveSignerZero();
        measurement = _measurementOf(attested.pcrs);
        uint48 id = _measurementIds[measurement];
        if (id == 0) revert EnclaveMeasurementUnknown(measurement);

        EnclaveKey memory key = _keys[signer];
        // `attestedAt <= block.timestamp + MAX_CLOCK_SKEW` and `_keyTtl <= MAX_KEY_TTL`: far below 2^40.
        uint40 expiresAt = uint40(attestedAt + _keyTtl);
        if (key.measurementId != 0) {
            if (key.revoked) revert EnclaveKeyIsRevoked(signer);
            if (key.measurementId != id) {
                revert EnclaveKeyMeasurementChanged(signer, _measurements[key.measurementId], measurement);
            }
            if (expiresAt <= key.expiresAt) revert EnclaveRenewalNotLater(signer, expiresAt, key.expiresAt);
        }
        _keys[signer] = EnclaveKey({adapter: adapter, expiresAt: expiresAt, measurementId: id, revoked: false});
        emit KeyRegistered(signer, measurement, adapter, attested.timestampMs, expiresAt);
    }

    // ------------------------------------------------------------------ results

    /// @inheritdoc ITeeResultVerifier
    function verifyResult(
        bytes32 requestId,
        uint64 modelId,
        bytes32 inputHash,
        bytes32 outputHash,
        address node,
        bytes calldata signature
    ) external view returns (address signer) {
        if (signature.length != SIGNATURE_LENGTH) revert EnclaveSignatureLength(signature.length);
        uint64 expiry = uint64(bytes8(signature[0:8]));
        if (block.timestamp > expiry) revert EnclaveSignatureExpired(expiry, block.timestamp);

        bytes32 digest = _teeResultDigest(msg.sender, requestId, modelId, inputHash, outputHash, node, expiry);
        ECDSA.RecoverError error;
        bytes32 errorArg;
        (signer, error, errorArg) =
            ECDSA.tryRecover(digest, uint8(signature[72]), bytes32(signature[8:40]), bytes32(signature[40:72]));
        if (error == ECDSA.RecoverError.InvalidSignatureS) revert EnclaveSignatureHighS(errorArg);
        if (error != ECDSA.RecoverError.NoError) revert EnclaveSignatureInvalid();

        EnclaveKey memory key = _keys[signer];
        if (key.measurementId == 0) revert EnclaveKeyUnknown(signer);
        if (key.revoked) revert EnclaveKeyIsRevoked(signer);
        if (block.timestamp > key.expiresAt) revert EnclaveKeyExpired(signer, key.expiresAt);
        if (!_adapterAllowed[key.adapter]) revert EnclaveKeyAdapterDisallowed(signer, key.adapter);
        MeasurementStatus status = _approvals[modelId][key.measurementId];
        if (status != MeasurementStatus.Approved) {
            bytes32 measurement = _measurements[key.measurementId];
            if (status == MeasurementStatus.Revoked) revert EnclaveMeasurementRevoked(modelId, measurement);
            revert EnclaveMeasurementNotApproved(modelId, measurement);
        }
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IEnclaveRegistry
    function isAdapterAllowed(address adapter) external view returns (bool allowed) {
        allowed = _adapterAllowed[adapter];
    }

    /// @inheritdoc IEnclaveRegistry
    function bounds() external view returns (uint64 maxAttestationAge, uint64 keyTtl) {
        (maxAttestationAge, keyTtl) = (_maxAttestationAge, _keyTtl);
    }

    /// @inheritdoc IEnclaveRegistry
    function measurementStatus(uint64 modelId, bytes32 measurement) external view returns (MeasurementStatus status) {
        uint48 id = _measurementIds[measurement];
        status = id == 0 ? MeasurementStatus.None : _approvals[modelId][id];
    }

    /// @inheritdoc IEnclaveRegistry
    function enclaveKey(address signer) external view returns (EnclaveKeyInfo memory key) {
        EnclaveKey memory stored = _keys[signer];
        key = EnclaveKeyInfo({
            measurement: _measurements[stored.measurementId],
            adapter: stored.adapter,
            expiresAt: stored.expiresAt,
            revoked: stored.revoked
        });
    }

    /// @inheritdoc IEnclaveRegistry
    function measurementOf(IAttestationAdapter.Pcr48[3] calldata pcrs) external pure returns (bytes32 measurement) {
        measurement = _measurementOf(pcrs);
    }

    /// @inheritdoc IEnclaveRegistry
    function teeResultDigest(
        address hub,
        bytes32 requestId,
        uint64 modelId,
        bytes32 inputHash,
        bytes32 outputHash,
        address node,
        uint64 expiry
    ) external view returns (bytes32 digest) {
        digest = _teeResultDigest(hub, requestId, modelId, inputHash, outputHash, node, expiry);
    }

    // ------------------------------------------------------------------ internals

    function _setBounds(uint64 maxAttestationAge, uint64 keyTtl) private {
        if (
            maxAttestationAge == 0 || maxAttestationAge > MAX_ATTESTATION_AGE || keyTtl <= maxAttestationAge
                || keyTtl > MAX_KEY_TTL
        ) revert EnclaveInvalidBounds(maxAttestationAge, keyTtl);
        (_maxAttestationAge, _keyTtl) = (maxAttestationAge, keyTtl);
        emit BoundsSet(maxAttestationAge, keyTtl);
    }

    /// @dev Nitro timestamps are milliseconds; the chain's are seconds. Returns the attestation time in seconds.
    function _checkFresh(uint64 timestampMs) private view returns (uint64 attestedAt) {
        attestedAt = timestampMs / 1000;
        if (attestedAt > block.timestamp + MAX_CLOCK_SKEW) revert EnclaveAttestationFromFuture(timestampMs, block.timestamp);
        // `attestedAt + _maxAttestationAge` cannot overflow: attestedAt < 2^64 / 1000 and the age is at most 1 day.
        if (block.timestamp > attestedAt + _maxAttestationAge) {
            revert EnclaveAttestationStale(timestampMs, _maxAttestationAge, block.timestamp);
        }
    }

    function _checkModelOwnerOrGovernance(uint64 modelId) private view {
        address modelOwner = IModelRegistry(MODEL_REGISTRY).getModel(modelId).owner;
        if (msg.sender != modelOwner && msg.sender != owner()) {
            revert EnclaveNotModelOwner(modelId, msg.sender, modelOwner);
        }
    }

    function _measurementIdOrNew(bytes32 measurement) private returns (uint48 id) {
        id = _measurementIds[measurement];
        if (id == 0) {
            id = ++_measurementCount;
            _measurementIds[measurement] = id;
            _measurements[id] = measurement;
        }
    }

    function _measurementOf(IAttestationAdapter.Pcr48[3] memory pcrs) private pure returns (bytes32) {
        return keccak256(
            abi.encodePacked(pcrs[0].head, pcrs[0].tail, pcrs[1].head, pcrs[1].tail, pcrs[2].head, pcrs[2].tail)
        );
    }

    function _teeResultDigest(
        address hub,
        bytes32 requestId,
        uint64 modelId,
        bytes32 inputHash,
        bytes32 outputHash,
        address node,
        uint64 expiry
    ) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(TEE_RESULT_TYPEHASH, hub, requestId, modelId, inputHash, outputHash, node, expiry))
        );
    }
}
