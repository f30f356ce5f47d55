// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IBatchProofVerifier} from "../interfaces/IBatchProofVerifier.sol";
import {IProofVerifier} from "../interfaces/IProofVerifier.sol";
import {FieldMath} from "../libraries/FieldMath.sol";

/// @title Groth16VerifierAdapter
/// @notice Wraps a snarkjs-generated `Groth16Verifier` (fixed-size
///         `verifyProof(uint[2],uint[2][2],uint[2],uint[N]) returns (bool)`) behind `IProofVerifier`:
///         validates lengths and field ranges with named errors and turns `false` into a revert.
/// @dev The proof bytes' 8 words are, in order, exactly the static ABI encoding of `(pA, pB, pC)` that
///      snarkjs' `exportSolidityCallData` produces, so the call is `selector ++ proof ++ signals`.
///      `verifyProofBatch` is a loop over that single check, so that models registered behind an adapter (before the
///      compiler generated a batch verifier per model) still settle through `settleBatch`: it saves the transaction
///      and the hub's per-batch writes, but no pairing gas (N proofs cost N × the 4-pairing check). Models compiled
///      now register their generated batch verifier instead, which checks N proofs with N + 3 pairings.
contract Groth16VerifierAdapter is IBatchProofVerifier {
    /// @notice Proof words: pA (2), pB (4), pC (2).
    uint256 private constant PROOF_WORDS = 8;
    /// @notice Bytes in an ABI word.
    uint256 private constant WORD_BYTES = 32;
    /// @notice Proof size: `PROOF_WORDS` × `WORD_BYTES` (a literal, so inline assembly may use it).
    uint256 private constant PROOF_BYTES = 256;
    /// @notice Bytes of a function selector.
    uint256 private constant SELECTOR_BYTES = 4;
    /// @notice Where the signals start in the call to the snarkjs verifier: `SELECTOR_BYTES` + `PROOF_BYTES`.
    uint256 private constant SIGNALS_AT = 260;

    /// @notice The wrapped snarkjs verifier.
    address public immutable VERIFIER;
    /// @notice The verifying key's public signal count N.
    uint256 public immutable SIGNAL_COUNT;
    /// @notice `verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[N])` for this N.
    bytes4 public immutable VERIFY_SELECTOR;

    /// @param verifier A deployed snarkjs Groth16 verifier.
    /// @param signalCount Its public signal count N.
    constructor(address verifier, uint256 signalCount) {
        if (verifier.code.length == 0 || signalCount == 0) revert VerifierInvalidConfig(verifier, signalCount);
        VERIFIER = verifier;
        SIGNAL_COUNT = signalCount;
        VERIFY_SELECTOR = bytes4(
            keccak256(
                abi.encodePacked(
                    "verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[", Strings.toString(signalCount), "])"
                )
            )
        );
    }

    /// @inheritdoc IProofVerifier
    function verifyProof(bytes calldata proof, uint256[] calldata publicSignals) external view {
        if (proof.length != PROOF_BYTES) revert VerifierMalformedProof(proof.length);
        uint256 count = SIGNAL_COUNT;
        if (publicSignals.length != count) revert VerifierSignalCountMismatch(count, publicSignals.length);
        uint256 proofAt;
        assembly ("memory-safe") {
            proofAt := proof.offset
        }
        // proof.length == PROOF_BYTES was checked above, so the 8 words lie inside calldata.
        uint256 bad = FieldMath.firstNotBelow(proofAt, PROOF_WORDS, FieldMath.BASE_FIELD);
        if (bad < PROOF_WORDS) {
            uint256 at = bad * WORD_BYTES;
            revert VerifierProofCoordinateOutOfField(bad, uint256(bytes32(proof[at:at + WORD_BYTES])));
        }
        bad = FieldMath.firstOutOfScalarField(publicSignals);
        if (bad < count) revert VerifierSignalOutOfField(bad, publicSignals[bad]);
        if (!_callVerifier(proof, publicSignals)) revert VerifierProofInvalid();
    }

    /// @inheritdoc IBatchProofVerifier
    function verifyProofBatch(bytes calldata proofs, uint256[] calldata publicSignals) external view {
        uint256 proofBytes = proofs.length;
        if (proofBytes == 0) revert VerifierBatchEmpty();
        uint256 count = SIGNAL_COUNT;
        uint256 proofCount = proofBytes / PROOF_BYTES;
        if (proofBytes % PROOF_BYTES != 0 || publicSignals.length != proofCount * count) {
            revert VerifierBatchShapeMismatch(proofBytes, publicSignals.length);
        }
        uint256 proofsAt;
        assembly ("memory-safe") {
            proofsAt := proofs.offset
        }
        // Every range is checked before any pairing, with indices into the concatenated arrays, as the interface says.
        uint256 proofWords = proofCount * PROOF_WORDS;
        uint256 bad = FieldMath.firstNotBelow(proofsAt, proofWords, FieldMath.BASE_FIELD);
        if (bad < proofWords) {
            uint256 at = bad * WORD_BYTES;
            revert VerifierProofCoordinateOutOfField(bad, uint256(bytes32(proofs[at:at + WORD_BYTES])));
        }
        bad = FieldMath.firstOutOfScalarField(publicSignals);
        if (bad < publicSignals.length) revert VerifierSignalOutOfField(bad, publicSignals[bad]);
        for (uint256 i; i < proofCount; ++i) {
            // i < proofCount = proofs.length / 256 and the signal count was checked, so both slices lie inside calldata.
            bytes calldata proof = proofs[i * PROOF_BYTES:(i + 1) * PROOF_BYTES];
            if (!_callVerifier(proof, publicSignals[i * count:(i + 1) * count])) revert VerifierBatchInvalid(proofCount);
        }
    }

    /// @inheritdoc IProofVerifier
    function publicSignalCount() external view returns (uint256 count) {
        count = SIGNAL_COUNT;
    }

    /// @dev Calls `VERIFIER.verifyProof(pA, pB, pC, signals)` with `selector ++ proof ++ signals` and reads
    ///      exactly one returned word; any revert, short return or non-true value is `false`.
    function _callVerifier(bytes calldata proof, uint256[] calldata publicSignals) private view returns (bool ok) {
        address verifier = VERIFIER;
        bytes4 selector = VERIFY_SELECTOR;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            calldatacopy(add(ptr, SELECTOR_BYTES), proof.offset, PROOF_BYTES)
            let signalBytes := mul(publicSignals.length, WORD_BYTES)
            calldatacopy(add(ptr, SIGNALS_AT), publicSignals.offset, signalBytes)
            let success := staticcall(gas(), verifier, ptr, add(SIGNALS_AT, signalBytes), 0x00, WORD_BYTES)
            ok := and(and(success, eq(returndatasize(), WORD_BYTES)), eq(mload(0x00), 1))
        }
    }
}
