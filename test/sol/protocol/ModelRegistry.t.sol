// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IModelRegistry} from "../../../contracts/interfaces/IModelRegistry.sol";
import {ProtocolBase} from "./ProtocolBase.sol";

contract ModelRegistryTest is ProtocolBase {
    function _register(address verifier, uint16 inputWords, uint16 outputWords) internal returns (uint64) {
        return registry.register(
            IModelRegistry.VerificationMode.ZK, verifier, keccak256("m"), "uri", inputWords, outputWords, 1 ether
        );
    }

    function test_register_storesModelAndEmits() public {
        vm.expectEmit(address(registry));
        emit IModelRegistry.ModelRegistered(
            2, address(this), IModelRegistry.VerificationMode.ZK, address(adapter), keccak256("m"), "uri", 2, 1, 1 ether
        );
        uint64 id = _register(address(adapter), 2, 1);
        assertEq(id, 2, "sequential id");
        assertEq(registry.modelCount(), 2, "count");
        IModelRegistry.Model memory model = registry.getModel(id);
        assertEq(model.owner, address(this), "owner");
        assertEq(model.verifier, address(adapter), "verifier");
        assertEq(model.manifestHash, keccak256("m"), "manifest hash");
        assertEq(keccak256(bytes(model.manifestURI)), keccak256("uri"), "manifest uri");
        assertTrue(model.active, "active");
        IModelRegistry.ModelTerms memory terms = registry.modelTerms(id);
        assertEq(terms.price, 1 ether, "price");
        assertEq(terms.inputWords, 2, "input words");
        assertEq(terms.outputWords, 1, "output words");
    }

    function test_register_rejectsBadInput() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IModelRegistry.RegistryModeUnsupported.selector, IModelRegistry.VerificationMode.VANILLA
            )
        );
        registry.register(IModelRegistry.VerificationMode.VANILLA, address(adapter), keccak256("m"), "", 2, 1, 0);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.RegistryInvalidVerifier.selector, address(0)));
        _register(address(0), 2, 1);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.RegistryInvalidVerifier.selector, stranger));
        _register(stranger, 2, 1);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.RegistryInvalidWordCounts.selector, 0, 1));
        _register(address(adapter), 0, 1);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.RegistryInvalidWordCounts.selector, 2, 65));
        _register(address(adapter), 2, 65);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.RegistrySignalCountMismatch.selector, 4, 3));
        _register(address(adapter), 3, 1);
        vm.expectRevert(IModelRegistry.RegistryEmptyManifest.selector);
        registry.register(IModelRegistry.VerificationMode.ZK, address(adapter), bytes32(0), "", 2, 1, 0);
    }

    function test_register_acceptsTeeVerifierWithoutSignalCount() public {
        // The hub is a contract with no `publicSignalCount`: a TEE verifier is not asked for one.
        vm.expectEmit(address(registry));
        emit IModelRegistry.ModelRegistered(
            2, address(this), IModelRegistry.VerificationMode.TEE, address(hub), keccak256("m"), "", 5, 3, 0
        );
        uint64 id = registry.register(IModelRegistry.VerificationMode.TEE, address(hub), keccak256("m"), "", 5, 3, 0);
        IModelRegistry.ModelTerms memory terms = registry.modelTerms(id);
        assertEq(uint8(terms.mode), uint8(IModelRegistry.VerificationMode.TEE), "mode");
        assertEq(terms.verifier, address(hub), "verifier");
    }

    function test_register_teeStillChecksVerifierWordsAndManifest() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.RegistryInvalidVerifier.selector, stranger));
        registry.register(IModelRegistry.VerificationMode.TEE, stranger, keccak256("m"), "", 2, 1, 0);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.RegistryInvalidWordCounts.selector, 0, 1));
        registry.register(IModelRegistry.VerificationMode.TEE, address(hub), keccak256("m"), "", 0, 1, 0);
        vm.expectRevert(IModelRegistry.RegistryEmptyManifest.selector);
        registry.register(IModelRegistry.VerificationMode.TEE, address(hub), bytes32(0), "", 2, 1, 0);
    }

    function test_updatePrice_onlyOwner() public {
        vm.expectEmit(address(registry));
        emit IModelRegistry.ModelPriceUpdated(modelId, PRICE, 5 ether);
        vm.prank(modelOwner);
        registry.updatePrice(modelId, 5 ether);
        assertEq(registry.modelTerms(modelId).price, 5 ether, "new price");
        vm.expectRevert(
            abi.encodeWithSelector(IModelRegistry.RegistryNotModelOwner.selector, modelId, stranger, modelOwner)
        );
        vm.prank(stranger);
        registry.updatePrice(modelId, 0);
    }

    function test_deactivate_onceByOwner() public {
        vm.expectEmit(address(registry));
        emit IModelRegistry.ModelDeactivated(modelId);
        vm.prank(modelOwner);
        registry.deactivate(modelId);
        assertFalse(registry.isActive(modelId), "inactive");
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.RegistryModelInactive.selector, modelId));
        vm.prank(modelOwner);
        registry.deactivate(modelId);
    }

    function test_unknownModel_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.RegistryModelUnknown.selector, uint64(7)));
        registry.getModel(7);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.RegistryModelUnknown.selector, uint64(7)));
        registry.modelTerms(7);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.RegistryModelUnknown.selector, uint64(7)));
        registry.updatePrice(7, 1);
    }
}
