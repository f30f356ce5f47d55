// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "./Vm.sol";

/// @title Test
/// @notice Project-owned base for Solidity unit, fuzz and invariant tests run by Hardhat 3.
/// @dev Gives the cheatcodes (`vm`), assertion helpers that revert with the compared values, `bound`
///      for fuzz inputs, and the `targetContracts()` hook the invariant runner reads.
abstract contract Test {
    /// @dev The standard cheatcode address: address(uint160(uint256(keccak256("hevm cheat code")))).
    // solhint-disable-next-line const-name-snakecase
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    /// @notice Raised by a failed assertion; carries the compared values so the runner's trace names them.
    error AssertionFailedUint(string what, uint256 left, uint256 right);
    error AssertionFailedInt(string what, int256 left, int256 right);
    error AssertionFailedAddress(string what, address left, address right);
    error AssertionFailedBytes32(string what, bytes32 left, bytes32 right);
    error AssertionFailedBytes(string what, bytes left, bytes right);
    error AssertionFailed(string what);

    address[] private _targetContracts;

    /// @notice Contracts the invariant fuzzer calls; empty means every contract deployed in `setUp`.
    function targetContracts() public view returns (address[] memory) {
        return _targetContracts;
    }

    function targetContract(address target) internal {
        _targetContracts.push(target);
    }

    function assertTrue(bool condition, string memory what) internal pure {
        if (!condition) revert AssertionFailed(what);
    }

    function assertFalse(bool condition, string memory what) internal pure {
        if (condition) revert AssertionFailed(what);
    }

    function assertEq(uint256 left, uint256 right, string memory what) internal pure {
        if (left != right) revert AssertionFailedUint(what, left, right);
    }

    function assertEq(int256 left, int256 right, string memory what) internal pure {
        if (left != right) revert AssertionFailedInt(what, left, right);
    }

    function assertEq(address left, address right, string memory what) internal pure {
        if (left != right) revert AssertionFailedAddress(what, left, right);
    }

    function assertEq(bytes32 left, bytes32 right, string memory what) internal pure {
        if (left != right) revert AssertionFailedBytes32(what, left, right);
    }

    function assertEq(bool left, bool right, string memory what) internal pure {
        if (left != right) revert AssertionFailed(what);
    }

    function assertEq(bytes memory left, bytes memory right, string memory what) internal pure {
        if (keccak256(left) != keccak256(right)) revert AssertionFailedBytes(what, left, right);
    }

    function assertNotEq(uint256 left, uint256 right, string memory what) internal pure {
        if (left == right) revert AssertionFailedUint(what, left, right);
    }

    function assertGt(uint256 left, uint256 right, string memory what) internal pure {
        if (left <= right) revert AssertionFailedUint(what, left, right);
    }

    function assertGe(uint256 left, uint256 right, string memory what) internal pure {
        if (left < right) revert AssertionFailedUint(what, left, right);
    }

    function assertLt(uint256 left, uint256 right, string memory what) internal pure {
        if (left >= right) revert AssertionFailedUint(what, left, right);
    }

    function assertLe(uint256 left, uint256 right, string memory what) internal pure {
        if (left > right) revert AssertionFailedUint(what, left, right);
    }

    /// @notice Maps a fuzz input into [min, max] without rejecting it (keeps the fuzzer's run count useful).
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (min > max) revert AssertionFailedUint("bound: min > max", min, max);
        if (min == 0 && max == type(uint256).max) return x;
        // `max - min + 1` cannot overflow: the full range was returned above.
        return min + (x % (max - min + 1));
    }

    /// @notice A labelled address derived from a name, for readable traces.
    function makeAddr(string memory name) internal returns (address account) {
        account = vm.addr(uint256(keccak256(bytes(name))));
        vm.label(account, name);
    }
}
