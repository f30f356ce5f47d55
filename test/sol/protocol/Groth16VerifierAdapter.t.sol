// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IProofVerifier} from "../../../contracts/interfaces/IProofVerifier.sol";
import {Groth16VerifierAdapter} from "../../../contracts/verifiers/Groth16VerifierAdapter.sol";
import {VerifierCall} from "../../../contracts/libraries/VerifierCall.sol";
import {ProtocolBase} from "./ProtocolBase.sol";

/// @dev Exposes the hub's verifier-call library.
contract VerifierCallHarness {
    function verify(address verifier, bytes calldata proof, uint256[] calldata output, uint256[] calldata input)
        external
        view
    {
        VerifierCall.verify(verifier, proof, output, input);
    }
}

contract Groth16VerifierAdapterTest is ProtocolBase {
    uint256 internal constant BASE_FIELD =
        21888242871839275222246405745257275088696311157297823662689037894645226208583;

    function _signals(uint256[] memory output, uint256[] memory input) internal pure returns (uint256[] memory s) {
        s = new uint256[](output.length + input.length);
        for (uint256 i; i < output.length; ++i) s[i] = output[i];
        for (uint256 i; i < input.length; ++i) s[output.length + i] = input[i];
    }

    function test_verifyProof_acceptsFixtureProofs() public view {
        adapter.verifyProof(fixtureA.proof, _signals(fixtureA.output, fixtureA.input));
        adapter.verifyProof(fixtureB.proof, _signals(fixtureB.output, fixtureB.input));
        assertEq(adapter.publicSignalCount(), 3, "signal count");
    }

    function test_verifyProof_revertsWhenProofIsForOtherSignals() public {
        vm.expectRevert(IProofVerifier.VerifierProofInvalid.selector);
        adapter.verifyProof(fixtureA.proof, _signals(fixtureB.output, fixtureB.input));
    }

    function test_verifyProof_revertsWhenOutputIsWrong() public {
        uint256[] memory signals = _signals(fixtureA.output, fixtureA.input);
        signals[0] += 1;
        vm.expectRevert(IProofVerifier.VerifierProofInvalid.selector);
        adapter.verifyProof(fixtureA.proof, signals);
    }

    function test_verifyProof_revertsOnTamperedProof() public {
        bytes memory proof = fixtureA.proof;
        proof[255] ^= 0x01; // pi_c[1]: off the curve, so the precompile fails
        vm.expectRevert(IProofVerifier.VerifierProofInvalid.selector);
        adapter.verifyProof(proof, _signals(fixtureA.output, fixtureA.input));
    }

    function test_verifyProof_revertsOnMalformedLength() public {
        bytes memory short = new bytes(255);
        vm.expectRevert(abi.encodeWithSelector(IProofVerifier.VerifierMalformedProof.selector, 255));
        adapter.verifyProof(short, _signals(fixtureA.output, fixtureA.input));
        bytes memory long = bytes.concat(fixtureA.proof, bytes1(0));
        vm.expectRevert(abi.encodeWithSelector(IProofVerifier.VerifierMalformedProof.selector, 257));
        adapter.verifyProof(long, _signals(fixtureA.output, fixtureA.input));
    }

    function test_verifyProof_revertsOnCoordinateOutOfField() public {
        uint256[8] memory words = abi.decode(fixtureA.proof, (uint256[8]));
        words[3] = BASE_FIELD;
        vm.expectRevert(
            abi.encodeWithSelector(IProofVerifier.VerifierProofCoordinateOutOfField.selector, 3, BASE_FIELD)
        );
        adapter.verifyProof(abi.encode(words), _signals(fixtureA.output, fixtureA.input));
    }

    function test_verifyProof_revertsOnSignalCountMismatch() public {
        vm.expectRevert(abi.encodeWithSelector(IProofVerifier.VerifierSignalCountMismatch.selector, 3, 2));
        adapter.verifyProof(fixtureA.proof, fixtureA.input);
    }

    function test_verifyProof_revertsOnSignalOutOfField() public {
        uint256[] memory signals = _signals(fixtureA.output, fixtureA.input);
        // x0 + r is congruent to x0: without the range check it would alias and the proof would verify.
        signals[1] += SCALAR_FIELD;
        vm.expectRevert(
            abi.encodeWithSelector(IProofVerifier.VerifierSignalOutOfField.selector, 1, signals[1])
        );
        adapter.verifyProof(fixtureA.proof, signals);
    }

    function test_constructor_revertsOnBadConfig() public {
        vm.expectRevert(abi.encodeWithSelector(IProofVerifier.VerifierInvalidConfig.selector, stranger, 3));
        new Groth16VerifierAdapter(stranger, 3);
        vm.expectRevert(
            abi.encodeWithSelector(IProofVerifier.VerifierInvalidConfig.selector, address(groth16), 0)
        );
        new Groth16VerifierAdapter(address(groth16), 0);
    }

    function test_verifierCall_forwardsOutputThenInput() public {
        VerifierCallHarness harness = new VerifierCallHarness();
        harness.verify(address(adapter), fixtureA.proof, fixtureA.output, fixtureA.input);
        vm.expectRevert(IProofVerifier.VerifierProofInvalid.selector);
        harness.verify(address(adapter), fixtureA.proof, fixtureA.input, fixtureA.output);
        vm.expectRevert(abi.encodeWithSelector(IProofVerifier.VerifierMalformedProof.selector, 33));
        harness.verify(address(adapter), new bytes(33), fixtureA.output, fixtureA.input);
        vm.expectRevert(abi.encodeWithSelector(IProofVerifier.VerifierCallNoCode.selector, stranger));
        harness.verify(stranger, fixtureA.proof, fixtureA.output, fixtureA.input);
    }

    function test_selector_matchesGeneratedVerifier() public view {
        assertEq(
            bytes32(adapter.VERIFY_SELECTOR()),
            bytes32(groth16.verifyProof.selector),
            "adapter computes the generated verifier's selector"
        );
    }
}
