// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {InferenceHub} from "../../../contracts/InferenceHub.sol";
import {IInferenceHub} from "../../../contracts/interfaces/IInferenceHub.sol";
import {IModelRegistry} from "../../../contracts/interfaces/IModelRegistry.sol";
import {INodeStaking} from "../../../contracts/interfaces/INodeStaking.sol";
import {IOPGToken} from "../../../contracts/interfaces/IOPGToken.sol";
import {ProtocolBase} from "./ProtocolBase.sol";

contract InferenceHubGovernanceTest is ProtocolBase {
    function test_setParams_updatesAndEmits() public {
        IInferenceHub.HubParams memory p = defaultParams();
        p.baseSettlementFee = 1 ether;
        p.settlementFeeBps = 0;
        vm.expectEmit(address(hub));
        emit IInferenceHub.ParamsUpdated(p);
        hub.setParams(p);
        assertEq(hub.params().baseSettlementFee, 1 ether, "stored");
        (, uint256 settlementFee,) = hub.quote(modelId);
        assertEq(settlementFee, 1 ether, "quote follows the parameters");
    }

    function test_setParams_onlyOwner() public {
        IInferenceHub.HubParams memory p = defaultParams();
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        hub.setParams(p);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        hub.pause();
    }

    function test_setParams_rejectsOutOfRange() public {
        IInferenceHub.HubParams memory p = defaultParams();
        p.settlementFeeBps = 10_001;
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubInvalidParam.selector, "settlementFeeBps", 10_001));
        hub.setParams(p);
        p = defaultParams();
        p.slashCompensationBps = 10_001;
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceHub.HubInvalidParam.selector, "slashCompensationBps", 10_001)
        );
        hub.setParams(p);
        p = defaultParams();
        p.commitWindow = 0;
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubInvalidParam.selector, "commitWindow", 0));
        hub.setParams(p);
        p = defaultParams();
        p.proofWindow = 31 days;
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubInvalidParam.selector, "proofWindow", 31 days));
        hub.setParams(p);
        p = defaultParams();
        p.maxCallbackGas = 5_000_001;
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubInvalidParam.selector, "maxCallbackGas", 5_000_001));
        hub.setParams(p);
    }

    function test_pause_togglesAndRejectsRepeats() public {
        hub.pause();
        assertTrue(hub.paused(), "paused");
        vm.expectRevert(IInferenceHub.EnforcedPause.selector);
        hub.pause();
        hub.unpause();
        assertFalse(hub.paused(), "unpaused");
        vm.expectRevert(IInferenceHub.ExpectedPause.selector);
        hub.unpause();
    }

    function test_ownership_transfersInTwoSteps() public {
        hub.transferOwnership(stranger);
        assertEq(hub.owner(), address(this), "still owner until accepted");
        vm.prank(stranger);
        hub.acceptOwnership();
        assertEq(hub.owner(), stranger, "new owner");
    }

    function test_constructor_rejectsZeroAddresses() public {
        vm.expectRevert(IInferenceHub.HubZeroAddress.selector);
        new InferenceHub(IOPGToken(address(0)), registry, staking, address(this), defaultParams());
        vm.expectRevert(IInferenceHub.HubZeroAddress.selector);
        new InferenceHub(IOPGToken(address(token)), IModelRegistry(address(0)), staking, address(this), defaultParams());
        vm.expectRevert(IInferenceHub.HubZeroAddress.selector);
        new InferenceHub(
            IOPGToken(address(token)), registry, INodeStaking(address(0)), address(this), defaultParams()
        );
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        new InferenceHub(IOPGToken(address(token)), registry, staking, address(0), defaultParams());
    }

    function test_quote_revertsWhenTotalExceeds96Bits() public {
        vm.prank(modelOwner);
        registry.updatePrice(modelId, type(uint96).max);
        uint256 price = type(uint96).max;
        uint256 total = price + 0.1 ether + (price * 500) / 10_000;
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.HubAmountTooLarge.selector, total));
        hub.quote(modelId);
    }
}
