// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ProtocolBase} from "../protocol/ProtocolBase.sol";
import {HubHandler} from "./HubHandler.t.sol";

/// @notice Accounting and safety invariants of the hub under random action sequences.
contract InferenceHubInvariantTest is ProtocolBase {
    HubHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new HubHandler(hub, token, staking, modelId, requester, [node, node2], fixtureA, fixtureB);
        targetContract(address(handler));
    }

    /// The handler really reaches every transition (so the invariants are not vacuous).
    function test_handler_reachesEveryTransition() public {
        handler.request(0);
        handler.request(1);
        handler.request(2);
        handler.commit(0, true);
        handler.commit(256, false); // request #1 (256 % 3), second node ((256 >> 8) % 2)
        handler.settle(1, false); // wrong output: must not settle
        handler.settle(0, true); // other request's proof: must not settle
        handler.settle(0, false);
        handler.withdraw(0);
        handler.flushBurn();
        handler.warp(2 hours - 1);
        handler.refund(2);
        handler.slash(1);
        assertEq(handler.ghostValidFees(), PRICE, "one proven settlement");
        assertEq(handler.ghostWithdrawn(), PRICE, "withdrawn by the node");
        assertGt(handler.ghostBurned(), 0, "burned");
        assertEq(uint8(_status(hub.nextRequestId())), 0, "next id unused");
        invariant_hubBalanceIsFullyAccounted();
        invariant_noNodePaidWithoutValidProof();
        invariant_supplyOnlyFallsByBurns();
        assertEq(hub.totalEscrowed(), 0, "all three requests closed");
    }

    function _nodeEarnings() internal view returns (uint256 total) {
        (, uint256 e1) = hub.nodeAccount(node);
        (, uint256 e2) = hub.nodeAccount(node2);
        total = e1 + e2;
    }

    /// Hub balance = escrows + node balances + pending burns (bonds stay in staking until slashed, and a
    /// slashed bond leaves the hub in the same transaction except the part queued for burning).
    function invariant_hubBalanceIsFullyAccounted() public view {
        assertEq(
            token.balanceOf(address(hub)),
            hub.totalEscrowed() + _nodeEarnings() + hub.pendingBurn(),
            "hub balance = escrow + earnings + pending burn"
        );
    }

    function invariant_stakingBalanceCoversStakesAndLockedBonds() public view {
        uint256 held;
        uint256 locked;
        address[2] memory ns = [node, node2];
        for (uint256 i; i < 2; ++i) {
            held += staking.stakeOf(ns[i]).staked + staking.stakeOf(ns[i]).unbonding;
            locked += hub.lockedBondOf(ns[i]);
            assertGe(staking.stakeOf(ns[i]).staked, hub.lockedBondOf(ns[i]), "stake covers locked bonds");
        }
        assertEq(token.balanceOf(address(staking)), held, "staking balance = stakes");
    }

    function invariant_requestSettlesAtMostOnce() public view {
        assertFalse(handler.settledTwice(), "no request settled twice");
    }

    function invariant_supplyOnlyFallsByBurns() public view {
        assertFalse(handler.supplyRose(), "supply never rose");
        assertEq(token.totalSupply(), token.INITIAL_SUPPLY() - handler.ghostBurned(), "supply = initial - burned");
    }

    function invariant_noNodePaidWithoutValidProof() public view {
        assertFalse(handler.invalidProofSettled(), "no invalid proof settled");
        assertEq(
            _nodeEarnings() + handler.ghostWithdrawn(), handler.ghostValidFees(), "paid = fees of proven requests"
        );
    }
}
