// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../../../contracts/interfaces/IInferenceHub.sol";
import {ProtocolBase} from "../protocol/ProtocolBase.sol";

/// @notice Fee math, deadlines and bonds over fuzzed parameters, with real proofs.
contract InferenceHubFuzzTest is ProtocolBase {
    function testFuzz_fees_escrowedPaidAndBurnedExactly(uint96 priceSeed, uint96 baseSeed, uint16 bpsSeed) public {
        uint96 price = uint96(bound(priceSeed, 0, 1_000 ether));
        IInferenceHub.HubParams memory p = defaultParams();
        p.baseSettlementFee = uint96(bound(baseSeed, 0, 100 ether));
        p.settlementFeeBps = uint16(bound(bpsSeed, 0, 10_000));
        hub.setParams(p);
        vm.prank(modelOwner);
        registry.updatePrice(modelId, price);

        uint256 expectedSettlement = p.baseSettlementFee + (uint256(price) * p.settlementFeeBps) / 10_000;
        uint256 requesterBefore = token.balanceOf(requester);
        uint256 supplyBefore = token.totalSupply();
        (bytes32 id, IInferenceHub.Request memory req) = _requestA();
        assertEq(req.settlementFee, expectedSettlement, "settlement fee formula");
        assertEq(requesterBefore - token.balanceOf(requester), price + expectedSettlement, "escrow = total");
        vm.prank(node);
        hub.commit(id, req, fixtureA.output);
        hub.settle(id, req, fixtureA.output, fixtureA.proof);
        if (expectedSettlement > 0) hub.flushBurn();
        (, uint256 earnings) = hub.nodeAccount(node);
        assertEq(earnings, price, "node gets the model fee");
        assertEq(supplyBefore - token.totalSupply(), expectedSettlement, "exactly the settlement fee burned");
        assertEq(token.balanceOf(address(hub)), earnings, "hub holds only the earnings");
    }

    function testFuzz_commitDeadline_inclusive(uint32 windowSeed, uint32 delaySeed) public {
        uint32 window = uint32(bound(windowSeed, 1, 30 days));
        IInferenceHub.HubParams memory p = defaultParams();
        p.commitWindow = window;
        hub.setParams(p);
        (bytes32 id, IInferenceHub.Request memory req) = _requestA();
        uint256 delay = bound(delaySeed, 0, 2 * uint256(window));
        vm.warp(block.timestamp + delay);
        if (delay <= window) {
            vm.prank(node);
            hub.commit(id, req, fixtureA.output);
            assertEq(uint8(_status(id)), uint8(IInferenceHub.RequestStatus.Committed), "commit in time");
        } else {
            vm.expectRevert(
                abi.encodeWithSelector(IInferenceHub.HubCommitDeadlinePassed.selector, id, req.commitDeadline)
            );
            vm.prank(node);
            hub.commit(id, req, fixtureA.output);
            hub.refund(id, req);
            assertEq(uint8(_status(id)), uint8(IInferenceHub.RequestStatus.Refunded), "refund once late");
        }
    }

    function testFuzz_proofDeadline_settleOrSlash(uint32 windowSeed, uint32 delaySeed) public {
        uint32 window = uint32(bound(windowSeed, 1, 30 days));
        IInferenceHub.HubParams memory p = defaultParams();
        p.proofWindow = window;
        hub.setParams(p);
        (bytes32 id, IInferenceHub.Request memory req) = _commitA();
        uint256 delay = bound(delaySeed, 0, 2 * uint256(window));
        vm.warp(block.timestamp + delay);
        if (delay <= window) {
            hub.settle(id, req, fixtureA.output, fixtureA.proof);
            assertEq(uint8(_status(id)), uint8(IInferenceHub.RequestStatus.Settled), "settled in time");
        } else {
            hub.slash(id, req, fixtureA.output);
            assertEq(uint8(_status(id)), uint8(IInferenceHub.RequestStatus.Slashed), "slashed once late");
        }
    }

    function testFuzz_bonds_lockedReleasedAndSlashedExactly(uint96 bondSeed, uint16 compSeed, bool prove) public {
        uint96 bond = uint96(bound(bondSeed, 0, 10_000 ether));
        IInferenceHub.HubParams memory p = defaultParams();
        p.requestBond = bond;
        p.slashCompensationBps = uint16(bound(compSeed, 0, 10_000));
        hub.setParams(p);
        (bytes32 id, IInferenceHub.Request memory req) = _commitA();
        assertEq(hub.lockedBondOf(node), bond, "bond locked at commit");
        uint256 requesterBefore = token.balanceOf(requester);
        if (prove) {
            hub.settle(id, req, fixtureA.output, fixtureA.proof);
            assertEq(staking.stakeOf(node).staked, 10_000 ether, "stake intact after a proof");
        } else {
            vm.warp(block.timestamp + PROOF_WINDOW + 1);
            hub.slash(id, req, fixtureA.output);
            uint256 compensation = (uint256(bond) * p.slashCompensationBps) / 10_000;
            assertEq(staking.stakeOf(node).staked, 10_000 ether - bond, "stake cut by the bond");
            assertEq(
                token.balanceOf(requester) - requesterBefore,
                uint256(req.modelFee) + req.settlementFee + compensation,
                "escrow plus compensation"
            );
            assertEq(hub.pendingBurn(), bond - compensation, "rest to burn");
        }
        assertEq(hub.lockedBondOf(node), 0, "bond released either way");
    }
}
