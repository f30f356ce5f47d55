// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title OPGToken
/// @notice The OPG token: 1,000,000,000 OPG (18 decimals) minted once to `recipient`; permit and burn.
/// @dev There is no mint function: the supply can only fall, by burns. See `IOPGToken` for the surface.
contract OPGToken is ERC20, ERC20Permit, ERC20Burnable {
    /// @notice The whole supply, minted at deployment.
    uint256 public constant INITIAL_SUPPLY = 1_000_000_000 ether;

    /// @param recipient Receives the whole supply (a treasury or distribution contract).
    constructor(address recipient) ERC20("OPG", "OPG") ERC20Permit("OPG") {
        _mint(recipient, INITIAL_SUPPLY);
    }
}
