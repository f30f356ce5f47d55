// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAttestationAdapter} from "../../interfaces/IAttestationAdapter.sol";
import {IAutomataNitroAdapter} from "../../interfaces/IAutomataNitroAdapter.sol";
import {IAutomataNitroEnclaveVerifier} from "../../interfaces/external/IAutomataNitroEnclaveVerifier.sol";

/// @title AutomataNitroAdapter
/// @notice Verifies an AWS Nitro attestation through Automata's on-chain Nitro verifier (ZK route, ≈ 220–258k gas) and
///         hands the enclave registry its PCR0–2, signer and timestamp.
/// @dev Automata's verifier: Base 0x5d1B5BEd5365942421afD473c121abEAc138A3E1, Base Sepolia
///      0x352D171d7c1A72704EE21544547A6B2d2eCf993d (deploy parameter `automataNitroVerifier`). Stateless; anyone may
///      call it, and only the registry's use of its answer matters.
contract AutomataNitroAdapter is IAutomataNitroAdapter {
    /// @inheritdoc IAutomataNitroAdapter
    IAutomataNitroEnclaveVerifier public immutable VERIFIER;

    /// @param verifier Automata's Nitro verifier on this chain.
    constructor(IAutomataNitroEnclaveVerifier verifier) {
        if (address(verifier).code.length == 0) revert AutomataNitroInvalidVerifier(address(verifier));
        VERIFIER = verifier;
    }

    /// @inheritdoc IAttestationAdapter
    function verifyAttestation(bytes calldata attestation) external returns (AttestedEnclave memory attested) {
        (bytes memory output, IAutomataNitroEnclaveVerifier.ZkCoProcessorType zkCoprocessor, bytes memory proof) =
            abi.decode(attestation, (bytes, IAutomataNitroEnclaveVerifier.ZkCoProcessorType, bytes));
        IAutomataNitroEnclaveVerifier.VerifierJournal memory journal = VERIFIER.verify(output, zkCoprocessor, proof);
        if (journal.result != IAutomataNitroEnclaveVerifier.VerificationResult.Success) {
            revert AutomataNitroVerificationFailed(journal.result);
        }
        attested.timestampMs = journal.timestamp;
        attested.signer = _signer(journal.publicKey, journal.userData);
        for (uint64 index; index < 3; ++index) {
            attested.pcrs[index] = _pcr(journal.pcrs, index);
        }
    }

    /// @dev The first PCR of `index` in the journal (the NSM reports each index once).
    function _pcr(IAutomataNitroEnclaveVerifier.Pcr[] memory pcrs, uint64 index) private pure returns (Pcr48 memory) {
        for (uint256 i; i < pcrs.length; ++i) {
            if (pcrs[i].index == index) return Pcr48({head: pcrs[i].value.first, tail: pcrs[i].value.second});
        }
        revert AutomataNitroPcrMissing(index);
    }

    /// @dev A 65-byte `0x04 ‖ x ‖ y` public key gives keccak256(x ‖ y)'s last 20 bytes; else a 20-byte `user_data` is
    ///      the address. A 65-byte P-256 key would also start with 0x04: its derived address has no secp256k1 private
    ///      key, so it can never sign (harmless, but such an enclave must put its address in `user_data` instead).
    function _signer(bytes memory publicKey, bytes memory userData) private pure returns (address signer) {
        if (publicKey.length == 65 && publicKey[0] == 0x04) {
            bytes32 hash;
            assembly ("memory-safe") {
                hash := keccak256(add(publicKey, 33), 64)
            }
            return address(uint160(uint256(hash)));
        }
        if (userData.length == 20) return address(bytes20(userData));
        revert AutomataNitroNoSigner(publicKey.length, userData.length);
    }
}
