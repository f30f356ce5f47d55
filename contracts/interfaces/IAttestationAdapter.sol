// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IAttestationAdapter
/// @notice Verifies one kind of TEE attestation document and returns the facts the enclave registry binds.
/// @dev An adapter only verifies and extracts; it never decides policy. The `EnclaveRegistry` computes the
///      measurement from the raw PCRs, refuses debug (all-zero) PCRs, bounds the attestation's age and stores the
///      key. Adapters are used only once governance allows them (`IEnclaveRegistry.setAdapterAllowed`).
interface IAttestationAdapter {
    /// @notice A 48-byte PCR (SHA-384 for AWS Nitro), split into two words as the ABI cannot hold 48 bytes in one.
    /// @param head Bytes 0–31.
    /// @param tail Bytes 32–47.
    struct Pcr48 {
        bytes32 head;
        bytes16 tail;
    }

    /// @notice What an attestation document proves about an enclave.
    /// @param signer The address of the secp256k1 key the enclave holds and will sign results with.
    /// @param timestampMs When the document was produced, in MILLISECONDS since the epoch (as Nitro reports it).
    /// @param pcrs PCR0, PCR1 and PCR2 in that order (image, kernel and bootstrap, application).
    struct AttestedEnclave {
        address signer;
        uint64 timestampMs;
        Pcr48[3] pcrs;
    }

    /// @notice Verifies `attestation` and returns the facts it attests; reverts with a named error when it does not
    ///         verify. Not `view`: a verifier may cache what it learnt (Automata's caches certificates).
    /// @param attestation The adapter's encoding of the document and whatever proves it.
    /// @return attested The enclave's signer, attestation time (ms) and PCR0–2.
    function verifyAttestation(bytes calldata attestation) external returns (AttestedEnclave memory attested);
}
