// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ITeeResultVerifier
/// @notice Verifies that an inference result was signed by an attested enclave key active for the model.
/// @dev A TEE-mode model registers a contract implementing this interface as its verifier (and never
///      `IProofVerifier`: the selector a hub calls is what keeps ZK proofs and TEE signatures apart).
///      The enclave signs an EIP-712 message, domain `{name: "OPG HACA TEE", version: "1", chainId,
///      verifyingContract: <this verifier>}`, type
///      `TeeResult(address hub,bytes32 requestId,uint64 modelId,bytes32 inputHash,bytes32 outputHash,address node,uint64 expiry)`
///      where `hub` is the caller of `verifyResult`, `inputHash = keccak256(abi.encodePacked(input words))`,
///      `outputHash = keccak256(abi.encodePacked(output words))` and `node` is the account paid for the result
///      (so a copied signature earns a front-runner nothing). `signature` bytes are
///      `abi.encodePacked(uint64 expiry, bytes32 r, bytes32 s, uint8 v)` (73 bytes); s must be low (EIP-2).
interface ITeeResultVerifier {
    /// @notice Reverts with a named error unless `signature` is a valid, unexpired signature over these fields by an
    ///         enclave key that is registered, unrevoked, unexpired and bound to a measurement approved (and not
    ///         revoked) for `modelId`, all checked at this call.
    /// @param requestId The request.
    /// @param modelId The request's model.
    /// @param inputHash `keccak256(abi.encodePacked(input))`.
    /// @param outputHash `keccak256(abi.encodePacked(output))`.
    /// @param node The node to be paid (the hub's `msg.sender`).
    /// @param signature `expiry (8) ‖ r (32) ‖ s (32) ‖ v (1)`.
    /// @return signer The enclave key's address.
    function verifyResult(
        bytes32 requestId,
        uint64 modelId,
        bytes32 inputHash,
        bytes32 outputHash,
        address node,
        bytes calldata signature
    ) external view returns (address signer);
}
