// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IProofVerifier} from "../interfaces/IProofVerifier.sol";
import {FieldMath} from "../libraries/FieldMath.sol";

/// @title Groth16VerifierAdapter
/// @notice Wraps a snarkjs-generated `Groth16Verifier` (fixed-size
///         `verifyProof(uint[2],uint[2][2],uint[2],uint[N]) returns (bool)`) behind `IProofVerifier`:
///         validates lengths and field ranges with named errors and turns `false` into a revert.
/// @dev The proof bytes' 8 words are, in order, exactly the static ABI encoding of `(pA, pB, pC)` that
///      snarkjs' `exportSolidityCallData` produces, so the call is `selector ++ proof ++ signals`.
contract Groth16VerifierAdapter is IProofVerifier {
    /// @notice Proof size: 8 words.
    uint256 private constant PROOF_BYTES = 256;

    /// @notice The wrapped snarkjs verifier.
    address public immutable VERIFIER;
    /// @notice The verifying key's public signal count N.
    uint256 public immutable SIGNAL_COUNT;
    /// @notice `verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[N])` for this N.
    bytes4 public immutable VERIFY_SELECTOR;

    /// @notice The wrapped verifier has no code, or N is zero.
    /// @param verifier The address given.
    /// @param signalCount The N given.
    error VerifierInvalidConfig(address verifier, uint256 signalCount);

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
        (uint256 proofAt, uint256 signalsAt) = (0, 0);
        assembly ("memory-safe") {
            proofAt := proof.offset
            signalsAt := publicSignals.offset
        }
        uint256 bad = _firstNotBelow(proofAt, 8, FieldMath.BASE_FIELD);
        if (bad < 8) revert VerifierProofCoordinateOutOfField(bad, uint256(bytes32(proof[bad * 32:bad * 32 + 32])));
        bad = _firstNotBelow(signalsAt, count, FieldMath.SCALAR_FIELD);
        if (bad < count) revert VerifierSignalOutOfField(bad, publicSignals[bad]);
        if (!_callVerifier(proof, publicSignals)) revert VerifierProofInvalid();
    }

    /// @inheritdoc IProofVerifier
    function publicSignalCount() external view returns (uint256 count) {
        count = SIGNAL_COUNT;
    }

    /// @dev Index of the first of `count` calldata words at `offset` that is not below `modulus`, or `count`.
    function _firstNotBelow(uint256 offset, uint256 count, uint256 modulus) private pure returns (uint256 index) {
        assembly ("memory-safe") {
            index := count
            for { let i := 0 } lt(i, count) { i := add(i, 1) } {
                if iszero(lt(calldataload(add(offset, mul(i, 0x20))), modulus)) {
                    index := i
                    break
                }
            }
        }
    }

    /// @dev Calls `VERIFIER.verifyProof(pA, pB, pC, signals)` with `selector ++ proof ++ signals` and reads
    ///      exactly one returned word; any revert, short return or non-true value is `false`.
    function _callVerifier(bytes calldata proof, uint256[] calldata publicSignals) private view returns (bool ok) {
        address verifier = VERIFIER;
        bytes4 selector = VERIFY_SELECTOR;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            calldatacopy(add(ptr, 4), proof.offset, 256)
            let signalBytes := mul(publicSignals.length, 32)
            calldatacopy(add(ptr, 260), publicSignals.offset, signalBytes)
            let success := staticcall(gas(), verifier, ptr, add(260, signalBytes), 0x00, 0x20)
            ok := and(and(success, eq(returndatasize(), 32)), eq(mload(0x00), 1))
        }
    }
}
