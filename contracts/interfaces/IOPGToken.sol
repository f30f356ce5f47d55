// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

/// @title IOPGToken
/// @notice The OPG token: a fixed-supply ERC-20 with EIP-2612 permit and burning.
/// @dev The whole supply (`INITIAL_SUPPLY`) is minted once at deployment; nothing can mint afterwards,
///      so `totalSupply()` only ever falls, and exactly by the amounts burned.
///      Errors are OpenZeppelin's `IERC20Errors` (e.g. `ERC20InsufficientAllowance`) and
///      `ERC2612ExpiredSignature` / `ERC2612InvalidSigner` for permits.
interface IOPGToken is IERC20, IERC20Permit {
    /// @notice Destroys `value` tokens of the caller.
    /// @param value The amount to burn, in wei (18 decimals).
    function burn(uint256 value) external;

    /// @notice Destroys `value` tokens of `account`, spending the caller's allowance.
    /// @param account The holder whose tokens are burned.
    /// @param value The amount to burn.
    function burnFrom(address account, uint256 value) external;
}
