// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAttestationAdapter} from "./IAttestationAdapter.sol";
import {IAutomataNitroEnclaveVerifier} from "./external/IAutomataNitroEnclaveVerifier.sol";

/// @title IAutomataNitroAdapter
/// @notice Attestation adapter for AWS Nitro documents verified by Automata's on-chain Nitro verifier.
/// @dev `attestation` is `abi.encode(bytes output, ZkCoProcessorType zkCoprocessor, bytes proofBytes)`, the three
///      arguments of Automata's `verify`. The enclave's signer is taken from the document's `public_key` when that is a
///      65-byte uncompressed secp256k1 key (`0x04 ‖ x ‖ y`, address = last 20 bytes of `keccak256(x ‖ y)`), else from
///      `user_data` when that is exactly 20 bytes (an address); anything else reverts `AutomataNitroNoSigner`.
interface IAutomataNitroAdapter is IAttestationAdapter {
    /// @notice The verifier address has no code.
    /// @param verifier The rejected address.
    error AutomataNitroInvalidVerifier(address verifier);
    /// @notice Automata's verifier returned a journal whose result is not `Success`.
    /// @param result The journal's result.
    error AutomataNitroVerificationFailed(IAutomataNitroEnclaveVerifier.VerificationResult result);
    /// @notice The journal has no PCR of this index.
    /// @param index The missing PCR (0, 1 or 2).
    error AutomataNitroPcrMissing(uint64 index);
    /// @notice Neither `public_key` (65-byte uncompressed secp256k1) nor `user_data` (20-byte address) names a signer.
    /// @param publicKeyLength Length of the journal's `publicKey`.
    /// @param userDataLength Length of the journal's `userData`.
    error AutomataNitroNoSigner(uint256 publicKeyLength, uint256 userDataLength);

    /// @notice Automata's Nitro verifier this adapter calls.
    /// @return verifier The verifier.
    function VERIFIER() external view returns (IAutomataNitroEnclaveVerifier verifier);
}
