// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BatchVerifierBase} from "../protocol/BatchVerifierBase.sol";

/// @dev Fuzz over batch size, start, which proof and which word is corrupted, and how.
contract Groth16BatchVerifierFuzzTest is BatchVerifierBase {
    function testFuzz_verifyProofBatch_acceptsEveryValidBatch(uint256 n, uint256 start) public view {
        n = bound(n, 1, 24);
        (bytes memory batch, uint256[] memory batchSignals) = _batch(start % proofCount, n);
        verifier.verifyProofBatch(batch, batchSignals);
    }

    /// @dev One word of one proof or of its signals changed (xor with a nonzero mask): the batch must revert, with
    ///      whichever error fits (out of field, off the curve, or a false pairing), from both verifiers.
    function testFuzz_verifyProofBatch_rejectsAnyCorruptedWord(uint256 n, uint256 which, uint256 word, uint256 mask)
        public
    {
        n = bound(n, 1, 8);
        which = bound(which, 0, n - 1);
        word = bound(word, 0, 8 + SIGNALS - 1);
        vm.assume(mask != 0);
        (bytes memory batch, uint256[] memory batchSignals) = _batch(0, n);
        if (word < 8) {
            _setWord(batch, which, word, _word(batch, which, word) ^ mask);
        } else {
            batchSignals[which * SIGNALS + word - 8] ^= mask;
        }
        vm.expectRevert();
        verifier.verifyProofBatch(batch, batchSignals);
        vm.expectRevert();
        adapter.verifyProofBatch(batch, batchSignals);
    }

    /// @dev The generated single check agrees with snarkjs' verifier on a proof and signals, either intact or with
    ///      one signal shifted by `delta` (mod r, so the value stays in range and only the pairing decides).
    function testFuzz_verifyProof_agreesWithSnarkjs(uint256 which, uint256 signal, uint256 delta) public {
        which = bound(which, 0, proofCount - 1);
        signal = bound(signal, 0, SIGNALS - 1);
        delta = delta % 4 == 0 ? 0 : delta % SCALAR_FIELD; // a quarter of the runs keep the statement intact
        bytes memory proof = _proofAt(proofs, which);
        uint256[] memory s = _signalsAt(signals, which);
        s[signal] = addmod(s[signal], delta, SCALAR_FIELD);
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) =
            abi.decode(proof, (uint256[2], uint256[2][2], uint256[2]));
        bool snarkjsAccepts = groth16.verifyProof(a, b, c, [s[0], s[1], s[2]]);
        bool ok;
        try verifier.verifyProof(proof, s) {
            ok = true;
        } catch {
            ok = false;
        }
        assertEq(ok, snarkjsAccepts, "same verdict as snarkjs");
        assertEq(ok, delta == 0, "accepts exactly the intact statement");
    }
}
