// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {OPGToken} from "../../../contracts/OPGToken.sol";
import {ProtocolBase} from "./ProtocolBase.sol";

contract OPGTokenTest is ProtocolBase {
    function test_constructor_mintsFixedSupply() public {
        OPGToken fresh = new OPGToken(stranger);
        assertEq(fresh.totalSupply(), 1_000_000_000 ether, "one billion OPG");
        assertEq(fresh.balanceOf(stranger), 1_000_000_000 ether, "all to the recipient");
        assertEq(fresh.decimals(), 18, "18 decimals");
        assertEq(keccak256(bytes(fresh.symbol())), keccak256("OPG"), "symbol");
    }

    function test_constructor_rejectsZeroRecipient() public {
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0)));
        new OPGToken(address(0));
    }

    function test_burn_reducesSupply() public {
        uint256 supply = token.totalSupply();
        token.burn(5 ether);
        assertEq(token.totalSupply(), supply - 5 ether, "burned");
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, stranger, 0, 1)
        );
        vm.prank(stranger);
        token.burn(1);
    }

    function test_permit_setsAllowance() public {
        bytes32 typehash =
            keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
        uint256 deadline = block.timestamp + 1;
        bytes32 structHash = keccak256(abi.encode(typehash, requester, stranger, 7 ether, 0, deadline));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(REQUESTER_KEY, digest);
        token.permit(requester, stranger, 7 ether, deadline, v, r, s);
        assertEq(token.allowance(requester, stranger), 7 ether, "allowance set by signature");
        assertEq(token.nonces(requester), 1, "nonce used");
    }
}
