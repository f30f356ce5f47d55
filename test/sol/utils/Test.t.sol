// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "./Test.sol";

/// @dev A target whose only purpose is to observe cheatcode effects.
contract CheatcodeProbe {
    error ProbeRejected(uint256 value);

    event Poked(address indexed caller, uint256 value);

    function whoAndWhen() external view returns (address, uint256) {
        return (msg.sender, block.timestamp);
    }

    function poke(uint256 value) external {
        if (value == 0) revert ProbeRejected(value);
        emit Poked(msg.sender, value);
    }
}

/// @notice Checks that the project-owned test base behaves as the test suites rely on.
contract TestBaseTest is Test {
    CheatcodeProbe internal probe;

    function setUp() public {
        probe = new CheatcodeProbe();
    }

    function test_prankAndWarp_changeSenderAndTime() public {
        address alice = makeAddr("alice");
        vm.warp(1_000_000);
        vm.prank(alice);
        (address sender, uint256 time) = probe.whoAndWhen();
        assertEq(sender, alice, "prank sets msg.sender");
        assertEq(time, 1_000_000, "warp sets block.timestamp");
    }

    function test_expectRevert_matchesCustomErrorWithArgs() public {
        vm.expectRevert(abi.encodeWithSelector(CheatcodeProbe.ProbeRejected.selector, 0));
        probe.poke(0);
    }

    function test_expectEmit_matchesEvent() public {
        vm.expectEmit(address(probe));
        emit CheatcodeProbe.Poked(address(this), 7);
        probe.poke(7);
    }

    function testFuzz_bound_staysInRange(uint256 x, uint256 a, uint256 b) public pure {
        (uint256 lo, uint256 hi) = a < b ? (a, b) : (b, a);
        uint256 y = bound(x, lo, hi);
        assertGe(y, lo, "bound >= min");
        assertLe(y, hi, "bound <= max");
    }

    function test_sign_recoversSigner() public pure {
        uint256 key = 0xA11CE;
        bytes32 digest = keccak256("opg");
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        assertEq(ecrecover(digest, v, r, s), vm.addr(key), "ecrecover returns the signer");
    }
}
