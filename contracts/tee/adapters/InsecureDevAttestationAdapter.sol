// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAttestationAdapter} from "../../interfaces/IAttestationAdapter.sol";
import {IInsecureDevAttestationAdapter} from "../../interfaces/IInsecureDevAttestationAdapter.sol";

/// @title InsecureDevAttestationAdapter
/// @notice INSECURE: vouches for any (signer, timestamp, PCRs) its caller states, with no attestation at all. For the
///         local development chain (31337) only, where the demo and tests have no enclave; its constructor and
///         `verifyAttestation` both refuse every other chain id, so it cannot be deployed or used on a real network.
contract InsecureDevAttestationAdapter is IInsecureDevAttestationAdapter {
    /// @inheritdoc IInsecureDevAttestationAdapter
    uint256 public constant LOCAL_CHAIN_ID = 31337;

    constructor() {
        _requireLocalChain();
    }

    /// @inheritdoc IAttestationAdapter
    /// @dev INSECURE: `attestation` is `abi.encode(address signer, uint64 timestampMs, Pcr48[3] pcrs)`, trusted as is.
    function verifyAttestation(bytes calldata attestation) external returns (AttestedEnclave memory attested) {
        _requireLocalChain();
        (attested.signer, attested.timestampMs, attested.pcrs) = abi.decode(attestation, (address, uint64, Pcr48[3]));
        emit InsecureDevAttestationAccepted(attested.signer, msg.sender);
    }

    function _requireLocalChain() private view {
        if (block.chainid != LOCAL_CHAIN_ID) revert InsecureDevAdapterWrongChain(block.chainid);
    }
}
