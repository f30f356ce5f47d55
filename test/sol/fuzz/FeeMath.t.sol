// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FeeMath} from "../../../contracts/libraries/FeeMath.sol";
import {Test} from "../utils/Test.sol";

contract FeeMathTest is Test {
    function testFuzz_settlementFee_isBasePlusProportion(uint96 modelFee, uint96 base, uint16 bpsSeed) public pure {
        uint256 bps = bound(bpsSeed, 0, 10_000);
        uint256 fee = FeeMath.settlementFee(modelFee, base, bps);
        assertGe(fee, base, "never below the flat part");
        assertLe(fee, uint256(base) + modelFee, "proportional part never above the model fee");
        assertEq(fee - base, (uint256(modelFee) * bps) / 10_000, "floor(modelFee * bps / 1e4)");
    }

    function testFuzz_settlementFee_monotoneInModelFee(uint96 a, uint96 b, uint96 base, uint16 bpsSeed) public pure {
        uint256 bps = bound(bpsSeed, 0, 10_000);
        (uint96 lo, uint96 hi) = a < b ? (a, b) : (b, a);
        assertLe(FeeMath.settlementFee(lo, base, bps), FeeMath.settlementFee(hi, base, bps), "monotone");
    }

    function testFuzz_callbackFee_isGasTimesCallbacksTimesRate(uint32 gasLimit, uint8 callbacks, uint32 price)
        public
        pure
    {
        uint256 fee = FeeMath.callbackFee(gasLimit, callbacks, price);
        assertEq(fee, uint256(gasLimit) * callbacks * price * 1e9, "gas x callbacks x price (gwei)");
        if (callbacks <= 2 && gasLimit <= 5_000_000) assertLe(fee, type(uint96).max, "fits the 96-bit escrow");
    }

    function testFuzz_splitSlash_conservesTheBond(uint96 bond, uint16 bpsSeed) public pure {
        uint256 bps = bound(bpsSeed, 0, 10_000);
        (uint256 compensation, uint256 remainder) = FeeMath.splitSlash(bond, bps);
        assertEq(compensation + remainder, bond, "nothing created or lost");
        assertEq(compensation, (uint256(bond) * bps) / 10_000, "compensation share");
    }
}
