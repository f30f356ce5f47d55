// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FieldMath} from "../../../contracts/libraries/FieldMath.sol";
import {Test} from "../utils/Test.sol";

/// @dev Gives the calldata-only helper a calldata array.
contract FieldMathHarness {
    function firstOutOfScalarField(uint256[] calldata words) external pure returns (uint256) {
        return FieldMath.firstOutOfScalarField(words);
    }
}

/// @notice The one field-range check the hub and the verifier adapter share.
contract FieldMathTest is Test {
    FieldMathHarness internal harness = new FieldMathHarness();

    function testFuzz_firstOutOfScalarField_findsTheFirstOffendingWord(uint8 length, uint256 seed, uint8 bad)
        public
        view
    {
        uint256[] memory words = new uint256[](bound(length, 0, 16));
        for (uint256 i; i < words.length; ++i) {
            uint256 w = uint256(keccak256(abi.encode(seed, i)));
            // About one word in four is out of the field (at or above r), the rest below it.
            bool outside = (w >> 252) & 3 == 0 || i == bad;
            words[i] = outside ? FieldMath.SCALAR_FIELD + (w % 1000) : w % FieldMath.SCALAR_FIELD;
        }
        uint256 expected = words.length;
        for (uint256 i; i < words.length; ++i) {
            if (words[i] >= FieldMath.SCALAR_FIELD) {
                expected = i;
                break;
            }
        }
        assertEq(harness.firstOutOfScalarField(words), expected, "first index not below r, or the length");
    }

    function test_firstOutOfScalarField_edges() public view {
        uint256[] memory words = new uint256[](3);
        words[0] = FieldMath.SCALAR_FIELD - 1;
        assertEq(harness.firstOutOfScalarField(words), 3, "r - 1 and 0 are in the field");
        words[2] = FieldMath.SCALAR_FIELD;
        assertEq(harness.firstOutOfScalarField(words), 2, "r is not");
        assertEq(harness.firstOutOfScalarField(new uint256[](0)), 0, "empty: the length");
    }
}
