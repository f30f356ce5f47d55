// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBatchProofVerifier} from "../../../contracts/interfaces/IBatchProofVerifier.sol";
import {IProofVerifier} from "../../../contracts/interfaces/IProofVerifier.sol";
import {BatchVerifierBase} from "./BatchVerifierBase.sol";

/// @dev Valid batches of the generated verifier and of the adapter's loop.
contract Groth16BatchVerifierAcceptTest is BatchVerifierBase {
    function test_verifyProofBatch_acceptsValidBatches() public view {
        uint256[4] memory sizes = [uint256(1), 2, 8, 16];
        for (uint256 s; s < sizes.length; ++s) {
            (bytes memory batch, uint256[] memory batchSignals) = _batch(0, sizes[s]);
            verifier.verifyProofBatch(batch, batchSignals);
            adapter.verifyProofBatch(batch, batchSignals);
        }
    }

    function test_verifyProofBatch_acceptsRepeatedProofs() public view {
        // 32 positions over 16 proofs: each proof twice, each position with its own coefficient.
        (bytes memory batch, uint256[] memory batchSignals) = _batch(5, 32);
        verifier.verifyProofBatch(batch, batchSignals);
    }

    function test_verifyProofBatch_acceptsFromAnyCaller() public {
        (bytes memory batch, uint256[] memory batchSignals) = _batch(3, 4);
        vm.prank(makeAddr("hub"));
        verifier.verifyProofBatch(batch, batchSignals);
    }

    function test_otherKeyVerifier_acceptsItsOwnProofs() public view {
        otherVerifier.verifyProofBatch(otherProofs, otherSignals);
    }

    function test_publicSignalCount_isThree() public view {
        assertEq(verifier.publicSignalCount(), SIGNALS, "generated");
        assertEq(adapter.publicSignalCount(), SIGNALS, "adapter");
    }

    function test_vkHash_isKeccakOfTheKeysPoints() public view {
        string memory json =
            vm.readFile(string.concat(vm.projectRoot(), "/test/fixtures/test-circuit/verification_key.json"));
        uint256[] memory words = new uint256[](14 + 2 * (SIGNALS + 1));
        words[0] = vm.parseJsonUint(json, ".vk_alpha_1[0]");
        words[1] = vm.parseJsonUint(json, ".vk_alpha_1[1]");
        string[3] memory g2 = [".vk_beta_2", ".vk_gamma_2", ".vk_delta_2"];
        for (uint256 k; k < 3; ++k) {
            // The precompile's order: x.c1, x.c0, y.c1, y.c0.
            words[2 + 4 * k] = vm.parseJsonUint(json, string.concat(g2[k], "[0][1]"));
            words[3 + 4 * k] = vm.parseJsonUint(json, string.concat(g2[k], "[0][0]"));
            words[4 + 4 * k] = vm.parseJsonUint(json, string.concat(g2[k], "[1][1]"));
            words[5 + 4 * k] = vm.parseJsonUint(json, string.concat(g2[k], "[1][0]"));
        }
        string[4] memory ic = ["[0]", "[1]", "[2]", "[3]"];
        for (uint256 k; k <= SIGNALS; ++k) {
            words[14 + 2 * k] = vm.parseJsonUint(json, string.concat(".IC", ic[k], "[0]"));
            words[15 + 2 * k] = vm.parseJsonUint(json, string.concat(".IC", ic[k], "[1]"));
        }
        assertEq(verifier.VK_HASH(), keccak256(abi.encodePacked(words)), "VK_HASH");
    }

    function test_runtimeCode_isFarUnderEip170() public view {
        assertLt(address(verifier).code.length, 8_000, "runtime bytes");
    }
}

/// @dev Invalid batches: each must revert with `VerifierBatchInvalid(N)` from both verifiers.
contract Groth16BatchVerifierRejectTest is BatchVerifierBase {
    function _expectInvalid(bytes memory batch, uint256[] memory batchSignals) internal {
        uint256 n = batch.length / PROOF_BYTES;
        IBatchProofVerifier[2] memory v = _verifiers();
        for (uint256 k; k < v.length; ++k) {
            vm.expectRevert(abi.encodeWithSelector(IBatchProofVerifier.VerifierBatchInvalid.selector, n));
            v[k].verifyProofBatch(batch, batchSignals);
        }
    }

    function test_verifyProofBatch_revertsWhenOneProofIsForOtherSignals() public {
        uint256[3] memory positions = [uint256(0), 7, 15];
        for (uint256 p; p < positions.length; ++p) {
            (bytes memory batch, uint256[] memory batchSignals) = _batch(0, 16);
            batchSignals[positions[p] * SIGNALS] += 1; // the output word y
            _expectInvalid(batch, batchSignals);
        }
    }

    function test_verifyProofBatch_revertsWhenCIsSwappedBetweenProofs() public {
        uint256[2][3] memory pairs = [[uint256(0), 1], [uint256(2), 5], [uint256(6), 7]];
        for (uint256 p; p < pairs.length; ++p) {
            (bytes memory batch, uint256[] memory batchSignals) = _batch(0, 8);
            _swapWords(batch, pairs[p][0], pairs[p][1], 6, 8);
            _expectInvalid(batch, batchSignals);
        }
    }

    function test_verifyProofBatch_revertsWhenAIsSwappedBetweenProofs() public {
        uint256[2][3] memory pairs = [[uint256(0), 1], [uint256(2), 5], [uint256(6), 7]];
        for (uint256 p; p < pairs.length; ++p) {
            (bytes memory batch, uint256[] memory batchSignals) = _batch(0, 8);
            _swapWords(batch, pairs[p][0], pairs[p][1], 0, 2);
            _expectInvalid(batch, batchSignals);
        }
    }

    function test_verifyProofBatch_revertsWhenProofsAreSwappedButNotSignals() public {
        (bytes memory batch, uint256[] memory batchSignals) = _batch(0, 4);
        _swapWords(batch, 1, 3, 0, 8);
        _expectInvalid(batch, batchSignals);
    }

    function test_verifyProofBatch_revertsOnProofOfOtherKey() public {
        // Alone (N = 1: the plain 4-pairing check) and mixed into a batch at the first and a later position.
        _expectInvalid(_proofAt(otherProofs, 0), _signalsAt(otherSignals, 0));
        uint256[2] memory positions = [uint256(0), 5];
        for (uint256 p; p < positions.length; ++p) {
            (bytes memory batch, uint256[] memory batchSignals) = _batch(0, 8);
            _copyProof(otherProofs, 1, batch, positions[p]);
            for (uint256 j; j < SIGNALS; ++j) batchSignals[positions[p] * SIGNALS + j] = otherSignals[SIGNALS + j];
            _expectInvalid(batch, batchSignals);
        }
        // And the other key's verifier rejects the main key's proofs.
        (bytes memory main, uint256[] memory mainSignals) = _batch(0, 2);
        vm.expectRevert(abi.encodeWithSelector(IBatchProofVerifier.VerifierBatchInvalid.selector, 2));
        otherVerifier.verifyProofBatch(main, mainSignals);
    }

    function test_verifyProofBatch_revertsWhenAPointIsOffTheCurve() public {
        // Word 1 (A.y) and 7 (C.y) of the first proof (no ECMUL: the pairing and ECADD reject it) and of a later one
        // (ECMUL rejects it); word 5 (B's y.c0) of a later one (only the pairing sees B).
        uint256[2][5] memory cases = [[uint256(0), 1], [uint256(0), 7], [uint256(3), 1], [uint256(3), 7], [uint256(3), 5]];
        for (uint256 c; c < cases.length; ++c) {
            (bytes memory batch, uint256[] memory batchSignals) = _batch(0, 4);
            uint256 y = _word(batch, cases[c][0], cases[c][1]);
            _setWord(batch, cases[c][0], cases[c][1], y == 0 ? 1 : y - 1);
            _expectInvalid(batch, batchSignals);
        }
    }

    function test_verifyProofBatch_revertsWhenAIsNegated() public {
        // −A is on the curve, so every precompile call succeeds and only the pairing product tells.
        (bytes memory batch, uint256[] memory batchSignals) = _batch(0, 4);
        _setWord(batch, 2, 1, BASE_FIELD - _word(batch, 2, 1));
        _expectInvalid(batch, batchSignals);
    }
}

/// @dev Shape and field-range errors, with indices into the concatenated arrays.
contract Groth16BatchVerifierInputTest is BatchVerifierBase {
    function test_verifyProofBatch_revertsOnEmptyBatch() public {
        IBatchProofVerifier[2] memory v = _verifiers();
        for (uint256 k; k < v.length; ++k) {
            vm.expectRevert(IBatchProofVerifier.VerifierBatchEmpty.selector);
            v[k].verifyProofBatch("", new uint256[](0));
            vm.expectRevert(IBatchProofVerifier.VerifierBatchEmpty.selector);
            v[k].verifyProofBatch("", new uint256[](3));
        }
    }

    function test_verifyProofBatch_revertsOnWrongShape() public {
        (bytes memory two, uint256[] memory twoSignals) = _batch(0, 2);
        (, uint256[] memory oneSignals) = _batch(0, 1);
        IBatchProofVerifier[2] memory v = _verifiers();
        for (uint256 k; k < v.length; ++k) {
            vm.expectRevert(abi.encodeWithSelector(IBatchProofVerifier.VerifierBatchShapeMismatch.selector, 512, 3));
            v[k].verifyProofBatch(two, oneSignals);
            vm.expectRevert(abi.encodeWithSelector(IBatchProofVerifier.VerifierBatchShapeMismatch.selector, 257, 6));
            v[k].verifyProofBatch(bytes.concat(_proofAt(two, 0), bytes1(0)), twoSignals);
            vm.expectRevert(abi.encodeWithSelector(IBatchProofVerifier.VerifierBatchShapeMismatch.selector, 255, 3));
            v[k].verifyProofBatch(new bytes(255), oneSignals);
            vm.expectRevert(abi.encodeWithSelector(IBatchProofVerifier.VerifierBatchShapeMismatch.selector, 512, 7));
            v[k].verifyProofBatch(two, new uint256[](7));
        }
    }

    function test_verifyProofBatch_revertsOnSignalOutOfField() public {
        IBatchProofVerifier[2] memory v = _verifiers();
        for (uint256 k; k < v.length; ++k) {
            (bytes memory batch, uint256[] memory batchSignals) = _batch(0, 4);
            // x + r is congruent to x: without the range check it would alias and the batch would verify.
            batchSignals[7] += SCALAR_FIELD;
            vm.expectRevert(
                abi.encodeWithSelector(IProofVerifier.VerifierSignalOutOfField.selector, 7, batchSignals[7])
            );
            v[k].verifyProofBatch(batch, batchSignals);
        }
    }

    function test_verifyProofBatch_revertsOnCoordinateOutOfField() public {
        IBatchProofVerifier[2] memory v = _verifiers();
        for (uint256 k; k < v.length; ++k) {
            (bytes memory batch, uint256[] memory batchSignals) = _batch(0, 4);
            // A.y + q of proof 2 is the same field element: it must be refused, not reduced.
            uint256 aliased = _word(batch, 2, 1) + BASE_FIELD;
            _setWord(batch, 2, 1, aliased);
            vm.expectRevert(
                abi.encodeWithSelector(IProofVerifier.VerifierProofCoordinateOutOfField.selector, 17, aliased)
            );
            v[k].verifyProofBatch(batch, batchSignals);
        }
    }
}

/// @dev The generated verifier's single `verifyProof`: a batch of one, the same verdicts as snarkjs' verifier.
contract Groth16BatchVerifierSingleTest is BatchVerifierBase {
    function test_verifyProof_acceptsEveryFixtureProof() public view {
        for (uint256 i; i < proofCount; ++i) {
            verifier.verifyProof(_proofAt(proofs, i), _signalsAt(signals, i));
        }
    }

    function test_verifyProof_revertsWhenProofIsForOtherSignals() public {
        vm.expectRevert(IProofVerifier.VerifierProofInvalid.selector);
        verifier.verifyProof(_proofAt(proofs, 0), _signalsAt(signals, 1));
    }

    function test_verifyProof_revertsOnProofOfOtherKey() public {
        vm.expectRevert(IProofVerifier.VerifierProofInvalid.selector);
        verifier.verifyProof(_proofAt(otherProofs, 0), _signalsAt(otherSignals, 0));
    }

    function test_verifyProof_revertsWhenAPointIsOffTheCurve() public {
        bytes memory proof = _proofAt(proofs, 0);
        proof[255] ^= 0x01; // C.y: off the curve, so the ECADD precompile fails
        vm.expectRevert(IProofVerifier.VerifierProofInvalid.selector);
        verifier.verifyProof(proof, _signalsAt(signals, 0));
    }

    function test_verifyProof_revertsOnMalformedLength() public {
        vm.expectRevert(abi.encodeWithSelector(IProofVerifier.VerifierMalformedProof.selector, 255));
        verifier.verifyProof(new bytes(255), _signalsAt(signals, 0));
        vm.expectRevert(abi.encodeWithSelector(IProofVerifier.VerifierMalformedProof.selector, 512));
        verifier.verifyProof(new bytes(512), _signalsAt(signals, 0));
    }

    function test_verifyProof_revertsOnSignalCountMismatch() public {
        vm.expectRevert(abi.encodeWithSelector(IProofVerifier.VerifierSignalCountMismatch.selector, 3, 6));
        verifier.verifyProof(_proofAt(proofs, 0), new uint256[](6));
    }

    function test_verifyProof_revertsOnOutOfFieldValues() public {
        uint256[] memory s = _signalsAt(signals, 0);
        s[2] = SCALAR_FIELD;
        vm.expectRevert(abi.encodeWithSelector(IProofVerifier.VerifierSignalOutOfField.selector, 2, SCALAR_FIELD));
        verifier.verifyProof(_proofAt(proofs, 0), s);
        bytes memory proof = _proofAt(proofs, 0);
        _setWord(proof, 0, 6, BASE_FIELD);
        vm.expectRevert(
            abi.encodeWithSelector(IProofVerifier.VerifierProofCoordinateOutOfField.selector, 6, BASE_FIELD)
        );
        verifier.verifyProof(proof, _signalsAt(signals, 0));
    }
}
