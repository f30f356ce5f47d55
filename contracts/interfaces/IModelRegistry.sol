// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IModelRegistry
/// @notice Registry of provable models: owner, verification mode, verifier, manifest, word counts, price.
/// @dev Model ids are sequential from 1 (0 means "no model"). A model's verifier, mode and word counts are
///      fixed at registration; the owner may change the price and deactivate the model (no new requests).
interface IModelRegistry {
    /// @notice How results of a model are verified on chain.
    /// @dev `ZK`: Groth16 through an `IProofVerifier`. `TEE`: enclave signatures through an `ITeeResultVerifier` (the
    ///      `EnclaveRegistry`). `VANILLA` (trusted, no proof) is reserved and refused.
    enum VerificationMode {
        ZK,
        TEE,
        VANILLA
    }

    /// @notice A registered model.
    /// @dev Storage layout (4+ slots):
    ///      slot 0: `verifier` (160) | `price` (96)
    ///      slot 1: `owner` (160) | `mode` (8) | `active` (8) | `inputWords` (16) | `outputWords` (16)
    ///      slot 2: `manifestHash`
    ///      slot 3: `manifestURI` (string)
    struct Model {
        address verifier;
        uint96 price;
        address owner;
        VerificationMode mode;
        bool active;
        uint16 inputWords;
        uint16 outputWords;
        bytes32 manifestHash;
        string manifestURI;
    }

    /// @notice What the hub needs to accept a request (slots 0 and 1 of `Model`, no string reads).
    struct ModelTerms {
        address verifier;
        uint96 price;
        VerificationMode mode;
        bool active;
        uint16 inputWords;
        uint16 outputWords;
    }

    /// @notice No model has this id.
    /// @param modelId The unknown id.
    error RegistryModelUnknown(uint64 modelId);
    /// @notice The caller is not the model's owner.
    /// @param modelId The model.
    /// @param caller The caller.
    /// @param owner The model's owner.
    error RegistryNotModelOwner(uint64 modelId, address caller, address owner);
    /// @notice The model is already inactive.
    /// @param modelId The model.
    error RegistryModelInactive(uint64 modelId);
    /// @notice The verification mode is not supported yet.
    /// @param mode The requested mode.
    error RegistryModeUnsupported(VerificationMode mode);
    /// @notice The verifier address is zero or has no code.
    /// @param verifier The rejected address.
    error RegistryInvalidVerifier(address verifier);
    /// @notice The verifier's public signal count differs from `outputWords + inputWords`.
    /// @param expected `outputWords + inputWords`.
    /// @param actual The verifier's `publicSignalCount()`.
    error RegistrySignalCountMismatch(uint256 expected, uint256 actual);
    /// @notice A word count is zero or above `MAX_WORDS`.
    /// @param inputWords The input word count given.
    /// @param outputWords The output word count given.
    error RegistryInvalidWordCounts(uint16 inputWords, uint16 outputWords);
    /// @notice The manifest hash is zero.
    error RegistryEmptyManifest();

    /// @notice A model was registered.
    /// @param modelId The new id.
    /// @param owner The registrant, who owns the model.
    /// @param mode The verification mode.
    /// @param verifier The verifier address.
    /// @param manifestHash Hash of the model manifest.
    /// @param manifestURI Where the manifest can be fetched.
    /// @param inputWords Packed input words per request.
    /// @param outputWords Packed output words per result.
    /// @param price Fee per inference in OPG wei.
    event ModelRegistered(
        uint64 indexed modelId,
        address indexed owner,
        VerificationMode mode,
        address verifier,
        bytes32 manifestHash,
        string manifestURI,
        uint16 inputWords,
        uint16 outputWords,
        uint96 price
    );
    /// @notice A model's price changed.
    /// @param modelId The model.
    /// @param oldPrice The previous price.
    /// @param newPrice The new price.
    event ModelPriceUpdated(uint64 indexed modelId, uint96 oldPrice, uint96 newPrice);
    /// @notice A model was deactivated; it accepts no new requests.
    /// @param modelId The model.
    event ModelDeactivated(uint64 indexed modelId);

    /// @notice Registers a model owned by the caller.
    /// @param mode Verification mode: `ZK` or `TEE` (`VANILLA` is refused).
    /// @param verifier For `ZK`, an `IProofVerifier` whose `publicSignalCount()` is `outputWords + inputWords`; for
    ///        `TEE`, an `ITeeResultVerifier` (the enclave registry). Either must have code.
    /// @param manifestHash Hash of the manifest (non-zero).
    /// @param manifestURI Where the manifest lives (may be empty).
    /// @param inputWords Packed input words per request, 1..MAX_WORDS.
    /// @param outputWords Packed output words per result, 1..MAX_WORDS.
    /// @param price Fee per inference in OPG wei (may be zero).
    /// @return modelId The new model's id.
    function register(
        VerificationMode mode,
        address verifier,
        bytes32 manifestHash,
        string calldata manifestURI,
        uint16 inputWords,
        uint16 outputWords,
        uint96 price
    ) external returns (uint64 modelId);

    /// @notice Sets a new price; only the model owner. Requests already made keep their escrowed fee.
    /// @param modelId The model.
    /// @param newPrice The new fee per inference.
    function updatePrice(uint64 modelId, uint96 newPrice) external;

    /// @notice Deactivates a model forever; only the model owner. Pending requests can still settle.
    /// @param modelId The model.
    function deactivate(uint64 modelId) external;

    /// @notice The full record of a model; reverts `RegistryModelUnknown` for an unknown id.
    /// @param modelId The model.
    /// @return model The record.
    function getModel(uint64 modelId) external view returns (Model memory model);

    /// @notice The terms the hub needs; reverts `RegistryModelUnknown` for an unknown id.
    /// @param modelId The model.
    /// @return terms Verifier, price, mode, active flag and word counts.
    function modelTerms(uint64 modelId) external view returns (ModelTerms memory terms);

    /// @notice Whether `modelId` exists and is active.
    /// @param modelId The model.
    /// @return active True when requests may be made.
    function isActive(uint64 modelId) external view returns (bool active);

    /// @notice The number of models registered so far (= the highest id).
    /// @return count The count.
    function modelCount() external view returns (uint64 count);
}
