// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBatchProofVerifier} from "../../../contracts/interfaces/IBatchProofVerifier.sol";
import {Groth16VerifierAdapter} from "../../../contracts/verifiers/Groth16VerifierAdapter.sol";
import {TestCircuitBatchVerifier} from "../../../contracts/verifiers/generated/TestCircuitBatchVerifier.sol";
import {TestCircuitGroth16Verifier} from "../../../contracts/verifiers/generated/TestCircuitVerifier.sol";
import {OtherKeyBatchVerifier} from "../fixtures/OtherKeyBatchVerifier.sol";
import {Test} from "../utils/Test.sol";

/// @dev The test circuit's verifiers (generated batch verifier, snarkjs verifier behind the adapter, the batch
///      verifier of an independent second setup) and the committed batch fixtures of both keys
///      (`scripts/build-test-circuit.ts`): real proofs of distinct inputs, concatenated, signals proof by proof.
abstract contract BatchVerifierBase is Test {
    uint256 internal constant SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant BASE_FIELD =
        21888242871839275222246405745257275088696311157297823662689037894645226208583;
    uint256 internal constant SIGNALS = 3;
    uint256 internal constant PROOF_BYTES = 256;

    TestCircuitBatchVerifier internal verifier;
    TestCircuitGroth16Verifier internal groth16;
    Groth16VerifierAdapter internal adapter;
    OtherKeyBatchVerifier internal otherVerifier;

    /// @dev The main key's proofs (16) and signals (48).
    bytes internal proofs;
    uint256[] internal signals;
    uint256 internal proofCount;
    /// @dev The other key's proofs (4) and signals (12).
    bytes internal otherProofs;
    uint256[] internal otherSignals;

    function setUp() public virtual {
        verifier = new TestCircuitBatchVerifier();
        groth16 = new TestCircuitGroth16Verifier();
        adapter = new Groth16VerifierAdapter(address(groth16), SIGNALS);
        otherVerifier = new OtherKeyBatchVerifier();
        string memory root = string.concat(vm.projectRoot(), "/test/fixtures/test-circuit/");
        string memory json = vm.readFile(string.concat(root, "batch-proofs.json"));
        proofs = vm.parseJsonBytes(json, ".proofs");
        signals = vm.parseJsonUintArray(json, ".publicSignals");
        proofCount = vm.parseJsonUint(json, ".count");
        json = vm.readFile(string.concat(root, "other-key/proofs.json"));
        otherProofs = vm.parseJsonBytes(json, ".proofs");
        otherSignals = vm.parseJsonUintArray(json, ".publicSignals");
    }

    /// @dev Proofs `start`, `start + 1`, … (`n` of them, cyclic over the fixtures) and their signals.
    function _batch(uint256 start, uint256 n) internal view returns (bytes memory batch, uint256[] memory batchSignals) {
        batch = new bytes(n * PROOF_BYTES);
        batchSignals = new uint256[](n * SIGNALS);
        for (uint256 i; i < n; ++i) {
            uint256 k = (start + i) % proofCount;
            _copyProof(proofs, k, batch, i);
            for (uint256 j; j < SIGNALS; ++j) batchSignals[i * SIGNALS + j] = signals[k * SIGNALS + j];
        }
    }

    /// @dev Copies proof `from` of `src` over proof `to` of `dst`.
    function _copyProof(bytes memory src, uint256 from, bytes memory dst, uint256 to) internal pure {
        for (uint256 b; b < PROOF_BYTES; ++b) dst[to * PROOF_BYTES + b] = src[from * PROOF_BYTES + b];
    }

    /// @dev Word `word` (0…7: A x, y; B x.c1, x.c0, y.c1, y.c0; C x, y) of proof `i`.
    function _word(bytes memory batch, uint256 i, uint256 word) internal pure returns (uint256 value) {
        uint256 at = 32 + i * PROOF_BYTES + word * 32;
        assembly ("memory-safe") {
            value := mload(add(batch, at))
        }
    }

    function _setWord(bytes memory batch, uint256 i, uint256 word, uint256 value) internal pure {
        uint256 at = 32 + i * PROOF_BYTES + word * 32;
        assembly ("memory-safe") {
            mstore(add(batch, at), value)
        }
    }

    /// @dev Swaps words [from, to) between proofs i and j (A: [0, 2), B: [2, 6), C: [6, 8)).
    function _swapWords(bytes memory batch, uint256 i, uint256 j, uint256 from, uint256 to) internal pure {
        for (uint256 w = from; w < to; ++w) {
            uint256 a = _word(batch, i, w);
            _setWord(batch, i, w, _word(batch, j, w));
            _setWord(batch, j, w, a);
        }
    }

    /// @dev Proof `i` of `batch` alone.
    function _proofAt(bytes memory batch, uint256 i) internal pure returns (bytes memory proof) {
        proof = new bytes(PROOF_BYTES);
        _copyProof(batch, i, proof, 0);
    }

    /// @dev Signals of proof `i` of a batch.
    function _signalsAt(uint256[] memory batchSignals, uint256 i) internal pure returns (uint256[] memory s) {
        s = new uint256[](SIGNALS);
        for (uint256 j; j < SIGNALS; ++j) s[j] = batchSignals[i * SIGNALS + j];
    }

    /// @dev The verifiers under test that must agree on every verdict (the generated one and the adapter's loop).
    function _verifiers() internal view returns (IBatchProofVerifier[2] memory v) {
        v[0] = IBatchProofVerifier(address(verifier));
        v[1] = IBatchProofVerifier(address(adapter));
    }
}
