// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IAutomataNitroEnclaveVerifier
/// @notice The part of Automata's on-chain AWS Nitro attestation verifier (automata-network/aws-nitro-enclave-attestation,
///         `INitroEnclaveVerifier`) that `AutomataNitroAdapter` calls, declared here from its published ABI.
/// @dev Automata's verifier checks a ZK proof (RISC Zero, SP1 or Pico) that its guest program parsed and verified a
///      Nitro COSE_Sign1 document (ES384 chain to the pinned AWS root), then its own checks of the certificate chain and
///      of the timestamp against `maxTimeDiff`. It does NOT revert when those checks fail: it returns a journal whose
///      `result` says which failed, so a caller must require `VerificationResult.Success` itself.
///      Deployed (per its published deployments): Base 0x5d1B5BEd5365942421afD473c121abEAc138A3E1,
///      Base Sepolia 0x352D171d7c1A72704EE21544547A6B2d2eCf993d.
interface IAutomataNitroEnclaveVerifier {
    /// @notice The proving system that produced `proofBytes`.
    enum ZkCoProcessorType {
        Unknown,
        RiscZero,
        Succinct,
        Pico
    }

    /// @notice The outcome of the document's verification.
    enum VerificationResult {
        Success,
        RootCertNotTrusted,
        IntermediateCertsNotTrusted,
        InvalidTimestamp
    }

    /// @notice A 48-byte PCR value.
    /// @param first Bytes 0–31.
    /// @param second Bytes 32–47.
    struct Bytes48 {
        bytes32 first;
        bytes16 second;
    }

    /// @notice One PCR of the document.
    /// @param index The PCR's index (0–31 for Nitro).
    /// @param value Its 48-byte value.
    struct Pcr {
        uint64 index;
        Bytes48 value;
    }

    /// @notice The facts the verifier's guest program extracted from a document, and the verification's result.
    /// @param result Success or the check that failed.
    /// @param trustedCertsPrefixLen How many certificates of the chain (from the root) were already trusted.
    /// @param timestamp The document's timestamp, in milliseconds.
    /// @param certs Hashes of the chain's certificates, root first.
    /// @param userData The document's `user_data` (empty when null).
    /// @param nonce The document's `nonce` (empty when null).
    /// @param publicKey The document's `public_key` (empty when null).
    /// @param pcrs The document's PCRs as (index, value) pairs.
    /// @param moduleId The Nitro module id.
    struct VerifierJournal {
        VerificationResult result;
        uint8 trustedCertsPrefixLen;
        uint64 timestamp;
        bytes32[] certs;
        bytes userData;
        bytes nonce;
        bytes publicKey;
        Pcr[] pcrs;
        string moduleId;
    }

    /// @notice Verifies a ZK proof over an encoded journal and returns the journal with the verifier's own checks applied.
    /// @param output `abi.encode(VerifierJournal)` as the guest program committed it.
    /// @param zkCoprocessor The proving system of `proofBytes`.
    /// @param proofBytes The proof.
    /// @return journal The journal; `journal.result` is `Success` only if every check passed.
    function verify(bytes calldata output, ZkCoProcessorType zkCoprocessor, bytes calldata proofBytes)
        external
        returns (VerifierJournal memory journal);
}
