// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAttestationAdapter} from "./IAttestationAdapter.sol";

/// @title IInsecureDevAttestationAdapter
/// @notice INSECURE attestation adapter for local development chains: it accepts an UNATTESTED
///         (signer, timestamp, PCRs) tuple, so the embedded demo and tests run without an enclave. It refuses to be
///         deployed or used on any chain but the local one (chain id 31337). Never allow it on a real network.
/// @dev `attestation` is `abi.encode(address signer, uint64 timestampMs, IAttestationAdapter.Pcr48[3] pcrs)`.
interface IInsecureDevAttestationAdapter is IAttestationAdapter {
    /// @notice The INSECURE dev adapter was deployed or called on a chain other than the local one.
    /// @param chainId The chain's id.
    error InsecureDevAdapterWrongChain(uint256 chainId);

    /// @notice The INSECURE dev adapter vouched for an unattested enclave key (local chains only).
    /// @param signer The key's address, as the caller gave it.
    /// @param caller Who asked (the enclave registry).
    event InsecureDevAttestationAccepted(address indexed signer, address indexed caller);

    /// @notice The only chain id on which this INSECURE adapter works (Hardhat's local chain).
    /// @return chainId 31337.
    function LOCAL_CHAIN_ID() external view returns (uint256 chainId);
}
