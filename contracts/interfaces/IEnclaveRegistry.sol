// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAttestationAdapter} from "./IAttestationAdapter.sol";
import {ITeeResultVerifier} from "./ITeeResultVerifier.sol";

/// @title IEnclaveRegistry
/// @notice Registry of attested TEE enclave keys and, per model, of the enclave code measurements its owner approved;
///         the verifier (`ITeeResultVerifier`) that TEE-mode models register.
/// @dev Flow: governance allows attestation adapters and sets the age and TTL bounds; a model's owner (or governance)
///      approves measurements for the model, `measurement = keccak256(PCR0 ‖ PCR1 ‖ PCR2)` (48 bytes each); anyone
///      registers an enclave key by submitting its attestation through an allowed adapter; each result signature is
///      then checked by `verifyResult` against the key, its adapter, its expiry and its measurement's approval for the
///      model, all read at use, so a revocation or a disallowed adapter takes effect at the next result.
interface IEnclaveRegistry is ITeeResultVerifier {
    /// @notice Approval state of a measurement for a model. `Revoked` is final for that (model, measurement).
    enum MeasurementStatus {
        None,
        Approved,
        Revoked
    }

    /// @notice A registered enclave key.
    /// @dev Storage layout, one slot (all of it read by `verifyResult` with one SLOAD):
    ///      `adapter` (160) | `expiresAt` (40) | `measurementId` (48) | `revoked` (8).
    ///      `expiresAt` in seconds fits 40 bits until the year 36812; `measurementId` indexes `measurementOf`-computed
    ///      hashes in approval order (2^48 approvals cannot be paid for).
    struct EnclaveKey {
        address adapter;
        uint40 expiresAt;
        uint48 measurementId;
        bool revoked;
    }

    /// @notice A registered enclave key as the views return it.
    /// @param measurement The key's measurement (zero when the key is unknown).
    /// @param adapter The adapter that verified its latest attestation.
    /// @param expiresAt Last second (inclusive) at which it may sign: attestation time + key TTL at registration.
    /// @param revoked Whether governance revoked it (final).
    struct EnclaveKeyInfo {
        bytes32 measurement;
        address adapter;
        uint64 expiresAt;
        bool revoked;
    }

    /// @notice The caller is neither the model's owner nor governance.
    /// @param modelId The model.
    /// @param caller The caller.
    /// @param owner The model's owner.
    error EnclaveNotModelOwner(uint64 modelId, address caller, address owner);
    /// @notice The bounds are out of range: `0 < maxAttestationAge < keyTtl`, `maxAttestationAge <= MAX_ATTESTATION_AGE`,
    ///         `keyTtl <= MAX_KEY_TTL`.
    /// @param maxAttestationAge The age given (seconds).
    /// @param keyTtl The TTL given (seconds).
    error EnclaveInvalidBounds(uint64 maxAttestationAge, uint64 keyTtl);
    /// @notice An adapter to allow has no code.
    /// @param adapter The rejected address.
    error EnclaveInvalidAdapter(address adapter);
    /// @notice The adapter is not allowed by governance.
    /// @param adapter The adapter.
    error EnclaveAdapterNotAllowed(address adapter);
    /// @notice The measurement is zero.
    error EnclaveMeasurementZero();
    /// @notice The measurement is already approved for the model.
    /// @param modelId The model.
    /// @param measurement The measurement.
    error EnclaveMeasurementAlreadyApproved(uint64 modelId, bytes32 measurement);
    /// @notice The measurement was revoked for the model (final).
    /// @param modelId The model.
    /// @param measurement The measurement.
    error EnclaveMeasurementRevoked(uint64 modelId, bytes32 measurement);
    /// @notice The measurement is not approved for the model (never approved, or approved for another model only).
    /// @param modelId The model.
    /// @param measurement The measurement.
    error EnclaveMeasurementNotApproved(uint64 modelId, bytes32 measurement);
    /// @notice No model ever approved this measurement, so no key may be bound to it.
    /// @param measurement The attested measurement.
    error EnclaveMeasurementUnknown(bytes32 measurement);
    /// @notice A PCR of the attestation is all zero: a debug-mode enclave, refused unconditionally.
    /// @param pcrIndex The zero PCR (0, 1 or 2).
    error EnclaveDebugMeasurement(uint8 pcrIndex);
    /// @notice The attestation is older than `maxAttestationAge`.
    /// @param timestampMs The attestation's timestamp (milliseconds).
    /// @param maxAttestationAge The bound (seconds).
    /// @param blockTimestamp The block's timestamp (seconds).
    error EnclaveAttestationStale(uint64 timestampMs, uint64 maxAttestationAge, uint256 blockTimestamp);
    /// @notice The attestation's timestamp is later than the block's by more than `MAX_CLOCK_SKEW`.
    /// @param timestampMs The attestation's timestamp (milliseconds).
    /// @param blockTimestamp The block's timestamp (seconds).
    error EnclaveAttestationFromFuture(uint64 timestampMs, uint256 blockTimestamp);
    /// @notice The attested signer is the zero address.
    error EnclaveSignerZero();
    /// @notice The key is bound to another measurement: an enclave key never moves to other code.
    /// @param signer The key.
    /// @param registered Its measurement.
    /// @param attested The measurement of the new attestation.
    error EnclaveKeyMeasurementChanged(address signer, bytes32 registered, bytes32 attested);
    /// @notice A re-registration would not extend the key's life (its attestation is not newer).
    /// @param signer The key.
    /// @param expiresAt The expiry the attestation would give.
    /// @param currentExpiresAt The key's current expiry.
    error EnclaveRenewalNotLater(address signer, uint64 expiresAt, uint64 currentExpiresAt);
    /// @notice The key is not registered.
    /// @param signer The key (for a signature, the address it recovers to).
    error EnclaveKeyUnknown(address signer);
    /// @notice The key was revoked.
    /// @param signer The key.
    error EnclaveKeyIsRevoked(address signer);
    /// @notice The key's TTL has run out; register a fresh attestation.
    /// @param signer The key.
    /// @param expiresAt Its expiry.
    error EnclaveKeyExpired(address signer, uint64 expiresAt);
    /// @notice The key's adapter is no longer allowed; register through an allowed adapter.
    /// @param signer The key.
    /// @param adapter The disallowed adapter.
    error EnclaveKeyAdapterDisallowed(address signer, address adapter);
    /// @notice The signature is not 73 bytes (`expiry (8) ‖ r (32) ‖ s (32) ‖ v (1)`).
    /// @param length The length given.
    error EnclaveSignatureLength(uint256 length);
    /// @notice The signature's expiry has passed.
    /// @param expiry The signed expiry (seconds, inclusive).
    /// @param blockTimestamp The block's timestamp.
    error EnclaveSignatureExpired(uint64 expiry, uint256 blockTimestamp);
    /// @notice The signature's s is in the upper half of the curve order (malleable; EIP-2).
    /// @param s The s value.
    error EnclaveSignatureHighS(bytes32 s);
    /// @notice The signature recovers no address (bad v, or r/s off the curve).
    error EnclaveSignatureInvalid();

    /// @notice Governance allowed or disallowed an attestation adapter.
    /// @param adapter The adapter.
    /// @param allowed Whether it may register keys (and whether keys it registered may sign).
    event AdapterSet(address indexed adapter, bool allowed);
    /// @notice Governance set the registration bounds.
    /// @param maxAttestationAge Oldest attestation accepted at registration (seconds).
    /// @param keyTtl A key's life from its attestation's time (seconds).
    event BoundsSet(uint64 maxAttestationAge, uint64 keyTtl);
    /// @notice A measurement was approved for a model.
    /// @param modelId The model.
    /// @param measurement The measurement.
    /// @param by The model's owner or governance.
    event MeasurementApproved(uint64 indexed modelId, bytes32 indexed measurement, address by);
    /// @notice A measurement was revoked for a model (final).
    /// @param modelId The model.
    /// @param measurement The measurement.
    /// @param by The model's owner or governance.
    event MeasurementRevoked(uint64 indexed modelId, bytes32 indexed measurement, address by);
    /// @notice An enclave key was registered or renewed.
    /// @param signer The key's address.
    /// @param measurement Its measurement.
    /// @param adapter The adapter that verified the attestation.
    /// @param attestedAtMs The attestation's timestamp (milliseconds).
    /// @param expiresAt Last second at which it may sign.
    event KeyRegistered(
        address indexed signer, bytes32 indexed measurement, address indexed adapter, uint64 attestedAtMs, uint64 expiresAt
    );
    /// @notice Governance revoked an enclave key (final).
    /// @param signer The key.
    event KeyRevoked(address indexed signer);

    /// @notice Allows or disallows an attestation adapter; only governance. Disallowing also stops every key it
    ///         registered from signing until re-registered through an allowed adapter.
    /// @param adapter An `IAttestationAdapter` (must have code to be allowed).
    /// @param allowed Whether it is allowed.
    function setAdapterAllowed(address adapter, bool allowed) external;

    /// @notice Sets the registration bounds; only governance. Keys already registered keep their expiry.
    /// @param maxAttestationAge Oldest attestation accepted at registration, in seconds (> 0, <= MAX_ATTESTATION_AGE).
    /// @param keyTtl A key's life from its attestation's time, in seconds (> maxAttestationAge, <= MAX_KEY_TTL).
    function setBounds(uint64 maxAttestationAge, uint64 keyTtl) external;

    /// @notice Approves `measurement` for `modelId`; only the model's owner or governance.
    /// @param modelId The model (must exist in the model registry).
    /// @param measurement `measurementOf(PCR0, PCR1, PCR2)` of the enclave image.
    function approveMeasurement(uint64 modelId, bytes32 measurement) external;

    /// @notice Revokes `measurement` for `modelId` for good; only the model's owner or governance. Keys bound to it
    ///         stop being accepted for the model at once.
    /// @param modelId The model.
    /// @param measurement The measurement (approved or not: revoking an unapproved one pre-empts its approval).
    function revokeMeasurement(uint64 modelId, bytes32 measurement) external;

    /// @notice Registers (or renews) the enclave key an attestation vouches for; anyone may call.
    /// @dev Checks: adapter allowed; the adapter verifies the document; no PCR0–2 all zero; the attestation is at most
    ///      `maxAttestationAge` old and at most `MAX_CLOCK_SKEW` in the future; signer non-zero; measurement approved
    ///      for some model at some time; the key not revoked nor bound to another measurement; a renewal extends it.
    ///      `expiresAt = attestation time + keyTtl`.
    /// @param adapter An allowed `IAttestationAdapter`.
    /// @param attestation The document in the adapter's encoding.
    /// @return signer The key's address.
    /// @return measurement The key's measurement.
    function registerEnclave(address adapter, bytes calldata attestation)
        external
        returns (address signer, bytes32 measurement);

    /// @notice Revokes an enclave key for good; only governance.
    /// @param signer The key.
    function revokeKey(address signer) external;

    /// @notice The model registry whose model owners approve measurements.
    /// @return registry Its address.
    function MODEL_REGISTRY() external view returns (address registry);

    /// @notice Whether `adapter` is allowed.
    /// @param adapter The adapter.
    /// @return allowed True when allowed.
    function isAdapterAllowed(address adapter) external view returns (bool allowed);

    /// @notice The registration bounds.
    /// @return maxAttestationAge Oldest attestation accepted at registration (seconds).
    /// @return keyTtl A key's life from its attestation's time (seconds).
    function bounds() external view returns (uint64 maxAttestationAge, uint64 keyTtl);

    /// @notice The approval state of `measurement` for `modelId`.
    /// @param modelId The model.
    /// @param measurement The measurement.
    /// @return status None, Approved or Revoked.
    function measurementStatus(uint64 modelId, bytes32 measurement) external view returns (MeasurementStatus status);

    /// @notice A registered key (all fields zero when unknown).
    /// @param signer The key.
    /// @return key Its measurement, adapter, expiry and revocation flag.
    function enclaveKey(address signer) external view returns (EnclaveKeyInfo memory key);

    /// @notice `keccak256(PCR0 ‖ PCR1 ‖ PCR2)`, each PCR 48 bytes (144 bytes hashed).
    /// @param pcrs PCR0, PCR1, PCR2.
    /// @return measurement The measurement.
    function measurementOf(IAttestationAdapter.Pcr48[3] calldata pcrs) external pure returns (bytes32 measurement);

    /// @notice The EIP-712 digest an enclave signs for a result delivered to `hub`.
    /// @param hub The hub that will call `verifyResult`.
    /// @param requestId The request.
    /// @param modelId The model.
    /// @param inputHash `keccak256(abi.encodePacked(input))`.
    /// @param outputHash `keccak256(abi.encodePacked(output))`.
    /// @param node The node to be paid.
    /// @param expiry Last second (inclusive) the signature is valid.
    /// @return digest The digest.
    function teeResultDigest(
        address hub,
        bytes32 requestId,
        uint64 modelId,
        bytes32 inputHash,
        bytes32 outputHash,
        address node,
        uint64 expiry
    ) external view returns (bytes32 digest);
}
