// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {RiskTieredVault} from "../../../contracts/examples/RiskTieredVault.sol";
import {IRiskTieredVault} from "../../../contracts/examples/interfaces/IRiskTieredVault.sol";
import {IInferenceConsumer} from "../../../contracts/interfaces/IInferenceConsumer.sol";
import {IInferenceHub} from "../../../contracts/interfaces/IInferenceHub.sol";
import {OutputPacking} from "../../../contracts/libraries/OutputPacking.sol";
import {ProtocolBase} from "../protocol/ProtocolBase.sol";

/// @notice The example vault on the real hub with the test circuit as its model: outputs are packed 16 bits a value
///         (three values a word), so a commit can carry any tier; settlement uses the committed proof fixture.
abstract contract RiskTieredVaultBase is ProtocolBase {
    uint8 internal constant OUTPUT_BITS = 16;
    uint32 internal constant CALLBACK_GAS = 150_000;
    RiskTieredVault internal vault;
    address internal borrower = makeAddr("borrower");

    function setUp() public virtual override {
        super.setUp();
        vault = new RiskTieredVault(address(hub), IERC20(address(token)), modelId, OUTPUT_BITS, CALLBACK_GAS);
        token.transfer(borrower, 100 ether);
        vm.prank(borrower);
        token.approve(address(vault), type(uint256).max);
    }

    /// @dev A word whose argmax over 3 values of 16 bits is `tier`.
    function _tierWord(IRiskTieredVault.RiskTier tier) internal pure returns (uint256[] memory) {
        return _words(uint256(9) << (16 * uint256(tier)) | 1 | (2 << 16) | (3 << 32));
    }

    function _assess(uint256[] memory input) internal returns (bytes32 id, IInferenceHub.Request memory req) {
        req = expectedRequest(address(vault), input, CALLBACK_GAS, 3);
        vm.prank(borrower);
        id = vault.requestAssessment(input);
    }

    function _commit(bytes32 id, IInferenceHub.Request memory req, uint256[] memory output) internal {
        vm.prank(node);
        hub.commit(id, req, output);
    }

    function _position() internal view returns (IRiskTieredVault.Position memory) {
        return vault.positionOf(borrower);
    }
}

contract RiskTieredVaultRequestTest is RiskTieredVaultBase {
    function test_requestAssessment_pullsTheFeeAndOpensTheRequest() public {
        (,,, uint256 fee) = hub.quoteRequest(modelId, CALLBACK_GAS, 3);
        uint256 before = token.balanceOf(borrower);
        (bytes32 id,) = _assess(fixtureA.input);
        assertEq(before - token.balanceOf(borrower), fee, "fee pulled from the borrower");
        assertTrue(vault.isOpen(id), "open");
        assertEq(vault.borrowerOf(id), borrower, "borrower recorded");
        assertEq(uint8(_position().standing), uint8(IRiskTieredVault.Standing.Pending), "pending");
        assertEq(_position().factorBps, vault.SAFE_DEFAULT_FACTOR_BPS(), "safe default while pending");
    }

    function test_requestAssessment_revertsWhileOneIsInFlight() public {
        (bytes32 id,) = _assess(fixtureA.input);
        vm.expectRevert(abi.encodeWithSelector(IRiskTieredVault.VaultAssessmentPending.selector, borrower, id));
        vm.prank(borrower);
        vault.requestAssessment(fixtureA.input);
    }

    function test_views_safeDefaultBeforeAnyAssessment() public view {
        assertEq(vault.collateralFactorBps(borrower), 4_000, "safe default");
        assertEq(vault.borrowLimit(borrower, 1_000 ether), 400 ether, "limit at the safe default");
        assertEq(_position().factorBps, 4_000, "position shows the default");
        assertEq(vault.factorFor(IRiskTieredVault.RiskTier.Low), 8_000, "low");
        assertEq(vault.factorFor(IRiskTieredVault.RiskTier.Medium), 6_500, "medium");
        assertEq(vault.factorFor(IRiskTieredVault.RiskTier.High), 4_000, "high");
    }

    function test_callbacks_onlyFromTheHub() public {
        vm.expectRevert(abi.encodeWithSelector(IInferenceConsumer.ConsumerOnlyHub.selector, stranger));
        vm.prank(stranger);
        vault.onInferenceCommitted(bytes32(0), fixtureA.output);
        vm.expectRevert(abi.encodeWithSelector(IInferenceConsumer.ConsumerOnlyHub.selector, stranger));
        vm.prank(stranger);
        vault.onInferenceSettled(bytes32(0), fixtureA.output);
    }
}

contract RiskTieredVaultOutcomeTest is RiskTieredVaultBase {
    function test_onCommitted_appliesTheTierProvisionallyCappedAtMedium() public {
        (bytes32 id, IInferenceHub.Request memory req) = _assess(fixtureA.input);
        _commit(id, req, _tierWord(IRiskTieredVault.RiskTier.Low));
        IRiskTieredVault.Position memory p = _position();
        assertEq(uint8(p.standing), uint8(IRiskTieredVault.Standing.Provisional), "provisional");
        assertEq(uint8(p.tier), uint8(IRiskTieredVault.RiskTier.Low), "low tier");
        assertEq(p.factorBps, vault.PROVISIONAL_CAP_BPS(), "capped until proven");
    }

    function test_onCommitted_highRiskAppliesAtOnce() public {
        (bytes32 id, IInferenceHub.Request memory req) = _assess(fixtureA.input);
        _commit(id, req, _tierWord(IRiskTieredVault.RiskTier.High));
        assertEq(vault.collateralFactorBps(borrower), 4_000, "high risk factor");
    }

    function test_onSettled_confirmsTheProvenTier() public {
        (bytes32 id, IInferenceHub.Request memory req) = _assess(fixtureA.input);
        _commit(id, req, fixtureA.output);
        hub.settle(id, req, fixtureA.output, fixtureA.proof);
        IRiskTieredVault.RiskTier tier = IRiskTieredVault.RiskTier(OutputPacking.argmax(fixtureA.output[0], 3, 16));
        IRiskTieredVault.Position memory p = _position();
        assertEq(uint8(p.standing), uint8(IRiskTieredVault.Standing.Confirmed), "confirmed");
        assertEq(uint8(p.tier), uint8(tier), "proven tier");
        assertEq(p.factorBps, vault.factorFor(tier), "full factor");
        assertFalse(vault.isOpen(id), "closed");
        // A new assessment may start once the last one is final.
        _assess(fixtureB.input);
    }

    function test_syncOutcome_afterAnyonesRefundRestoresTheDefaultAndReturnsTheFee() public {
        (,,, uint256 fee) = hub.quoteRequest(modelId, CALLBACK_GAS, 3);
        (bytes32 id, IInferenceHub.Request memory req) = _assess(fixtureA.input);
        uint256 before = token.balanceOf(borrower);
        vm.warp(req.commitDeadline + 1);
        vm.prank(stranger);
        hub.refund(id, req);
        vm.expectEmit(address(vault));
        emit IInferenceConsumer.ConsumerRequestClosed(id, IInferenceHub.RequestStatus.Refunded);
        vm.prank(stranger);
        vault.syncOutcome(id);
        assertEq(token.balanceOf(borrower) - before, fee, "fee returned");
        assertEq(uint8(_position().standing), uint8(IRiskTieredVault.Standing.Unassessed), "unassessed");
        assertEq(_position().factorBps, 4_000, "safe default");
        vm.expectRevert(abi.encodeWithSelector(IInferenceConsumer.ConsumerRequestNotOpen.selector, id));
        vault.syncOutcome(id);
    }

    function test_refundAndSync_refundsAndAppliesInOneCall() public {
        (bytes32 id, IInferenceHub.Request memory req) = _assess(fixtureA.input);
        vm.warp(req.commitDeadline + 1);
        vm.prank(stranger);
        vault.refundAndSync(id, req);
        assertEq(uint8(_status(id)), uint8(IInferenceHub.RequestStatus.Refunded), "refunded");
        assertFalse(vault.isOpen(id), "closed");
    }

    function test_slashAndSync_undoesTheProvisionalFactor() public {
        (bytes32 id, IInferenceHub.Request memory req) = _assess(fixtureA.input);
        uint256[] memory forged = _tierWord(IRiskTieredVault.RiskTier.Low);
        _commit(id, req, forged);
        assertEq(vault.collateralFactorBps(borrower), 6_500, "provisional");
        vm.warp(block.timestamp + req.proofWindow + 1);
        vm.prank(stranger);
        vault.slashAndSync(id, req, forged);
        assertEq(uint8(_status(id)), uint8(IInferenceHub.RequestStatus.Slashed), "slashed");
        assertEq(vault.collateralFactorBps(borrower), 4_000, "back to the safe default");
        assertEq(uint8(_position().standing), uint8(IRiskTieredVault.Standing.Unassessed), "unassessed");
    }

    function test_syncOutcome_revertsWhileTheRequestIsInFlight() public {
        (bytes32 id, IInferenceHub.Request memory req) = _assess(fixtureA.input);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceConsumer.ConsumerNothingToSync.selector, id, IInferenceHub.RequestStatus.Requested
            )
        );
        vault.syncOutcome(id);
        _commit(id, req, fixtureA.output);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceConsumer.ConsumerNothingToSync.selector, id, IInferenceHub.RequestStatus.Committed
            )
        );
        vault.syncOutcome(id);
    }
}

/// @dev Calls the library through an external function so reverts can be expected.
contract OutputPackingHarness {
    function argmax(uint256 word, uint256 count, uint256 bits) external pure returns (uint256) {
        return OutputPacking.argmax(word, count, bits);
    }
}

contract OutputPackingTest is ProtocolBase {
    OutputPackingHarness internal harness = new OutputPackingHarness();

    function test_argmax_firstOfTheLargestOffsets() public view {
        assertEq(harness.argmax(5 | (7 << 8) | (7 << 16), 3, 8), 1, "first of ties");
        assertEq(harness.argmax(5 | (7 << 8) | (9 << 16) | (255 << 24), 3, 8), 2, "ignores values past count");
        assertEq(harness.argmax(42, 1, 253), 0, "one value");
    }

    function test_argmax_revertsOnALayoutThatIsNoWord() public {
        vm.expectRevert(abi.encodeWithSelector(OutputPacking.OutputPackingInvalid.selector, 0, 8));
        harness.argmax(1, 0, 8);
        vm.expectRevert(abi.encodeWithSelector(OutputPacking.OutputPackingInvalid.selector, 3, 0));
        harness.argmax(1, 3, 0);
        vm.expectRevert(abi.encodeWithSelector(OutputPacking.OutputPackingInvalid.selector, 3, 86));
        harness.argmax(1, 3, 86);
    }
}
