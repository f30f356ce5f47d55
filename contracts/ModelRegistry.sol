// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {IProofVerifier} from "./interfaces/IProofVerifier.sol";

/// @title ModelRegistry
/// @notice Permissionless registry of provable models; each model's owner sets its price and may retire it.
contract ModelRegistry is IModelRegistry {
    /// @notice Upper bound on a model's input or output word count (keeps public signals, and gas, bounded).
    uint16 public constant MAX_WORDS = 64;

    uint64 private _modelCount;
    mapping(uint64 modelId => Model) private _models;

    /// @inheritdoc IModelRegistry
    function register(
        VerificationMode mode,
        address verifier,
        bytes32 manifestHash,
        string calldata manifestURI,
        uint16 inputWords,
        uint16 outputWords,
        uint96 price
    ) external returns (uint64 modelId) {
        if (mode == VerificationMode.VANILLA) revert RegistryModeUnsupported(mode);
        if (verifier.code.length == 0) revert RegistryInvalidVerifier(verifier);
        if (inputWords == 0 || outputWords == 0 || inputWords > MAX_WORDS || outputWords > MAX_WORDS) {
            revert RegistryInvalidWordCounts(inputWords, outputWords);
        }
        if (manifestHash == bytes32(0)) revert RegistryEmptyManifest();
        // A TEE verifier (the enclave registry) checks signatures over hashes of the words: no signal count to match.
        if (mode == VerificationMode.ZK) {
            uint256 expected = uint256(inputWords) + outputWords;
            uint256 actual = IProofVerifier(verifier).publicSignalCount();
            if (actual != expected) revert RegistrySignalCountMismatch(expected, actual);
        }

        modelId = ++_modelCount;
        _models[modelId] = Model({
            verifier: verifier,
            price: price,
            owner: msg.sender,
            mode: mode,
            active: true,
            inputWords: inputWords,
            outputWords: outputWords,
            manifestHash: manifestHash,
            manifestURI: manifestURI
        });
        emit ModelRegistered(
            modelId, msg.sender, mode, verifier, manifestHash, manifestURI, inputWords, outputWords, price
        );
    }

    /// @inheritdoc IModelRegistry
    function updatePrice(uint64 modelId, uint96 newPrice) external {
        Model storage model = _ownedModel(modelId);
        uint96 oldPrice = model.price;
        model.price = newPrice;
        emit ModelPriceUpdated(modelId, oldPrice, newPrice);
    }

    /// @inheritdoc IModelRegistry
    function deactivate(uint64 modelId) external {
        Model storage model = _ownedModel(modelId);
        if (!model.active) revert RegistryModelInactive(modelId);
        model.active = false;
        emit ModelDeactivated(modelId);
    }

    /// @inheritdoc IModelRegistry
    function getModel(uint64 modelId) external view returns (Model memory model) {
        model = _existing(modelId);
    }

    /// @inheritdoc IModelRegistry
    function modelTerms(uint64 modelId) external view returns (ModelTerms memory terms) {
        Model storage model = _existing(modelId);
        terms = ModelTerms({
            verifier: model.verifier,
            price: model.price,
            mode: model.mode,
            active: model.active,
            inputWords: model.inputWords,
            outputWords: model.outputWords
        });
    }

    /// @inheritdoc IModelRegistry
    function isActive(uint64 modelId) external view returns (bool active) {
        active = _models[modelId].active;
    }

    /// @inheritdoc IModelRegistry
    function modelCount() external view returns (uint64 count) {
        count = _modelCount;
    }

    function _existing(uint64 modelId) private view returns (Model storage model) {
        model = _models[modelId];
        if (model.owner == address(0)) revert RegistryModelUnknown(modelId);
    }

    function _ownedModel(uint64 modelId) private view returns (Model storage model) {
        model = _existing(modelId);
        if (model.owner != msg.sender) revert RegistryNotModelOwner(modelId, msg.sender, model.owner);
    }
}
