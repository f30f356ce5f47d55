// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAutomataNitroEnclaveVerifier} from "../../../contracts/interfaces/external/IAutomataNitroEnclaveVerifier.sol";

/// @notice The journal facts of REAL AWS Nitro attestation documents (test/fixtures/tee/nitro/), as Automata's
///         verifier would return them: the COSE_Sign1 payloads' `timestamp`, `pcrs`, `public_key` and `user_data`.
///         test/ts/contracts/teeAttestation.test.ts verifies the documents themselves with `tee/`'s
///         `verifyNitroAttestation` and registers the same signers through the adapter.
library NitroFixtures {
    /// @dev nitro-2024-11-30-secp256k1-public-key.cbor: 2024-11-30 16:22:48.387 UTC.
    uint64 internal constant PK_DOC_TIMESTAMP_MS = 1_732_983_768_387;
    bytes internal constant PK_DOC_PCR0 =
        hex"ec74bfbe7f7445a6c7610e152935e028276f638042b74797b119648e13f7a3675796b721034c320f140ea001b41aeae2";
    bytes internal constant PK_DOC_PCR1 =
        hex"fa2593b59f3e4fc7daba5cbdddfd3449d67cd02d43bb1128885e8f38b914d081dccdb68fff6d5b7a76bcb866a18a74a3";
    bytes internal constant PK_DOC_PCR2 =
        hex"56ba201a72e36cd051e95e5c4724c899039b711770f4d9d4fe7a1de007119a10b364badcd35e90f728a5bdc910905723";
    /// @dev `0x04 ‖ x ‖ y`, split over two lines.
    bytes internal constant PK_DOC_PUBLIC_KEY = hex"0433a4701fa871b188983d570e2c2d8cf98fd66eb19ba8ca7617bc8e20e152a5d7"
        hex"f0205eae76e608ce855077e4565be69db4471ef72857253742f9602c11ff04e5";
    address internal constant PK_DOC_SIGNER = 0x3c32C4Ad111a12D7d3Af032cfFAff7789dfa555f;

    /// @dev nitro-2026-01-03-user-data-address.cbor: 2026-01-03 20:41:07.402 UTC, `public_key` null.
    uint64 internal constant UD_DOC_TIMESTAMP_MS = 1_767_472_867_402;
    bytes internal constant UD_DOC_PCR0 =
        hex"4b8d4cf2a99e05ce1b5bddaf9d21cb446eb0e606c5bebd1ebf02b473a22165f7b68b0bb0d1ac5a90f0311e493522cfab";
    bytes internal constant UD_DOC_PCR1 =
        hex"0343b056cd8485ca7890ddd833476d78460aed2aa161548e4e26bedf321726696257d623e8805f3f605946b3d8b0c6aa";
    bytes internal constant UD_DOC_PCR2 =
        hex"16efcc1d6952c5b9737eb2ab1751a08412835c5125818bfb55f6367cb3cdca49b13d2a5b6d771de9db1578242e328c6d";
    bytes internal constant UD_DOC_USER_DATA = hex"69553adc61d6e9fcdecbe1ea49bb2b52a60238e0";
    address internal constant UD_DOC_SIGNER = 0x69553adc61d6E9FCdeCBe1EA49BB2b52a60238E0;

    /// @dev nitro-2024-02-26-32-byte-public-key.cbor: a 32-byte (not secp256k1) key and JSON `user_data`.
    bytes internal constant KEY32_DOC_PUBLIC_KEY = hex"d239fd059dd0e0a01e280bec44903bb8143bae7e578b9844c6df5fd6351eddc0";
    bytes internal constant KEY32_DOC_USER_DATA =
        hex"7b22746f74616c5f6d656d6f7279223a323039313239383831362c22746f74616c5f63707573223a317d";

    /// @notice A 48-byte PCR as Automata's (index, value) pair.
    function pcr(uint64 index, bytes memory value) internal pure returns (IAutomataNitroEnclaveVerifier.Pcr memory) {
        bytes32 first;
        bytes32 second;
        assembly ("memory-safe") {
            first := mload(add(value, 32))
            second := mload(add(value, 64))
        }
        return IAutomataNitroEnclaveVerifier.Pcr({
            index: index,
            value: IAutomataNitroEnclaveVerifier.Bytes48({first: first, second: bytes16(second)})
        });
    }

    /// @notice A successful journal with the given facts (PCR0–2 in order, no certificates).
    function journal(
        uint64 timestampMs,
        bytes memory pcr0,
        bytes memory pcr1,
        bytes memory pcr2,
        bytes memory publicKey,
        bytes memory userData
    ) internal pure returns (IAutomataNitroEnclaveVerifier.VerifierJournal memory j) {
        j.result = IAutomataNitroEnclaveVerifier.VerificationResult.Success;
        j.trustedCertsPrefixLen = 1;
        j.timestamp = timestampMs;
        j.certs = new bytes32[](1);
        // The AWS Nitro root's SHA-256 (the double checks no certificate; the value only fills the field).
    j.certs[0] = 0x641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b;
        j.publicKey = publicKey;
        j.userData = userData;
        j.pcrs = new IAutomataNitroEnclaveVerifier.Pcr[](3);
        j.pcrs[0] = pcr(0, pcr0);
        j.pcrs[1] = pcr(1, pcr1);
        j.pcrs[2] = pcr(2, pcr2);
        j.moduleId = "i-0de38b2b6853cc9e8-enc0193685e7fee7d85";
    }
}
