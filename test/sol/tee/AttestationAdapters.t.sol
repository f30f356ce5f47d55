// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAttestationAdapter} from "../../../contracts/interfaces/IAttestationAdapter.sol";
import {IAutomataNitroAdapter} from "../../../contracts/interfaces/IAutomataNitroAdapter.sol";
import {IEnclaveRegistry} from "../../../contracts/interfaces/IEnclaveRegistry.sol";
import {IInsecureDevAttestationAdapter} from "../../../contracts/interfaces/IInsecureDevAttestationAdapter.sol";
import {IAutomataNitroEnclaveVerifier} from "../../../contracts/interfaces/external/IAutomataNitroEnclaveVerifier.sol";
import {AutomataNitroVerifierDouble} from "../../../contracts/mocks/AutomataNitroVerifierDouble.sol";
import {AutomataNitroAdapter} from "../../../contracts/tee/adapters/AutomataNitroAdapter.sol";
import {InsecureDevAttestationAdapter} from "../../../contracts/tee/adapters/InsecureDevAttestationAdapter.sol";
import {EnclaveRegistryBase} from "./EnclaveRegistryBase.sol";
import {NitroFixtures} from "./NitroFixtures.sol";

/// @notice The Automata Nitro adapter against a test double of Automata's verifier configured with the facts of REAL
///         Nitro documents, and the insecure dev adapter's chain lock.
contract AttestationAdaptersTest is EnclaveRegistryBase {
    AutomataNitroVerifierDouble internal automata;
    AutomataNitroAdapter internal nitro;

    bytes internal constant OUTPUT = hex"c0ffee";
    bytes internal constant PROOF = hex"0badc0de00";

    function setUp() public override {
        super.setUp();
        automata = new AutomataNitroVerifierDouble();
        nitro = new AutomataNitroAdapter(automata);
        vm.prank(governance);
        enclaves.setAdapterAllowed(address(nitro), true);
    }

    function _pkJournal() internal pure returns (IAutomataNitroEnclaveVerifier.VerifierJournal memory) {
        return NitroFixtures.journal(
            NitroFixtures.PK_DOC_TIMESTAMP_MS,
            NitroFixtures.PK_DOC_PCR0,
            NitroFixtures.PK_DOC_PCR1,
            NitroFixtures.PK_DOC_PCR2,
            NitroFixtures.PK_DOC_PUBLIC_KEY,
            ""
        );
    }

    function _udJournal() internal pure returns (IAutomataNitroEnclaveVerifier.VerifierJournal memory) {
        return NitroFixtures.journal(
            NitroFixtures.UD_DOC_TIMESTAMP_MS,
            NitroFixtures.UD_DOC_PCR0,
            NitroFixtures.UD_DOC_PCR1,
            NitroFixtures.UD_DOC_PCR2,
            "",
            NitroFixtures.UD_DOC_USER_DATA
        );
    }

    function _attestation() internal pure returns (bytes memory) {
        return abi.encode(OUTPUT, IAutomataNitroEnclaveVerifier.ZkCoProcessorType.RiscZero, PROOF);
    }

    /// @dev Points the chain clock at the document's time, approves its measurement for the model, configures the double.
    function _prepare(IAutomataNitroEnclaveVerifier.VerifierJournal memory journal) internal returns (bytes32 m) {
        vm.warp(journal.timestamp / 1000 + 5 minutes);
        automata.setJournal(journal);
        m = keccak256(bytes.concat(_pcrBytes(journal, 0), _pcrBytes(journal, 1), _pcrBytes(journal, 2)));
        vm.prank(modelOwner);
        enclaves.approveMeasurement(modelId, m);
    }

    function _pcrBytes(IAutomataNitroEnclaveVerifier.VerifierJournal memory journal, uint256 i)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(journal.pcrs[i].value.first, journal.pcrs[i].value.second);
    }

    function test_automata_registersRealDocumentWithSecp256k1PublicKey() public {
        bytes32 m = _prepare(_pkJournal());
        assertEq(
            m,
            keccak256(bytes.concat(NitroFixtures.PK_DOC_PCR0, NitroFixtures.PK_DOC_PCR1, NitroFixtures.PK_DOC_PCR2)),
            "measurement = keccak(PCR0 || PCR1 || PCR2)"
        );
        vm.expectEmit(address(automata));
        emit AutomataNitroVerifierDouble.DoubleVerified(
            keccak256(OUTPUT), IAutomataNitroEnclaveVerifier.ZkCoProcessorType.RiscZero, keccak256(PROOF)
        );
        vm.expectEmit(address(enclaves));
        emit IEnclaveRegistry.KeyRegistered(
            NitroFixtures.PK_DOC_SIGNER,
            m,
            address(nitro),
            NitroFixtures.PK_DOC_TIMESTAMP_MS,
            NitroFixtures.PK_DOC_TIMESTAMP_MS / 1000 + KEY_TTL
        );
        (address signer, bytes32 got) = enclaves.registerEnclave(address(nitro), _attestation());
        assertEq(signer, NitroFixtures.PK_DOC_SIGNER, "address of the document's secp256k1 key");
        assertEq(got, m, "measurement");
    }

    function test_automata_registersRealDocumentWithUserDataAddress() public {
        _prepare(_udJournal());
        (address signer,) = enclaves.registerEnclave(address(nitro), _attestation());
        assertEq(signer, NitroFixtures.UD_DOC_SIGNER, "user_data address");
    }

    function test_automata_publicKeyTakesPrecedenceOverUserData() public {
        IAutomataNitroEnclaveVerifier.VerifierJournal memory journal = _pkJournal();
        journal.userData = NitroFixtures.UD_DOC_USER_DATA;
        _prepare(journal);
        (address signer,) = enclaves.registerEnclave(address(nitro), _attestation());
        assertEq(signer, NitroFixtures.PK_DOC_SIGNER, "public key first");
    }

    function test_automata_refusesDocumentWithoutSigner() public {
        // The real 2024-02-26 document: a 32-byte (not secp256k1) key and JSON user data.
        IAutomataNitroEnclaveVerifier.VerifierJournal memory journal = _pkJournal();
        journal.publicKey = NitroFixtures.KEY32_DOC_PUBLIC_KEY;
        journal.userData = NitroFixtures.KEY32_DOC_USER_DATA;
        _prepare(journal);
        vm.expectRevert(abi.encodeWithSelector(IAutomataNitroAdapter.AutomataNitroNoSigner.selector, 32, 42));
        enclaves.registerEnclave(address(nitro), _attestation());
        // 65 bytes without the uncompressed-point prefix is no secp256k1 key either.
        journal.publicKey = bytes.concat(hex"03", _slice(NitroFixtures.PK_DOC_PUBLIC_KEY, 1, 65));
        journal.userData = "";
        automata.setJournal(journal);
        vm.expectRevert(abi.encodeWithSelector(IAutomataNitroAdapter.AutomataNitroNoSigner.selector, 65, 0));
        enclaves.registerEnclave(address(nitro), _attestation());
    }

    function test_automata_refusesFailedVerification() public {
        IAutomataNitroEnclaveVerifier.VerifierJournal memory journal = _pkJournal();
        _prepare(journal);
        for (uint8 r = 1; r < 4; ++r) {
            journal.result = IAutomataNitroEnclaveVerifier.VerificationResult(r);
            automata.setJournal(journal);
            vm.expectRevert(
                abi.encodeWithSelector(IAutomataNitroAdapter.AutomataNitroVerificationFailed.selector, r)
            );
            enclaves.registerEnclave(address(nitro), _attestation());
        }
    }

    function test_automata_refusesMissingPcr() public {
        IAutomataNitroEnclaveVerifier.VerifierJournal memory journal = _pkJournal();
        _prepare(journal);
        journal.pcrs[1].index = 4;
        automata.setJournal(journal);
        vm.expectRevert(abi.encodeWithSelector(IAutomataNitroAdapter.AutomataNitroPcrMissing.selector, 1));
        enclaves.registerEnclave(address(nitro), _attestation());
    }

    function test_automata_pcrsInAnyOrder() public {
        IAutomataNitroEnclaveVerifier.VerifierJournal memory journal = _pkJournal();
        bytes32 m = _prepare(journal);
        (journal.pcrs[0], journal.pcrs[2]) = (journal.pcrs[2], journal.pcrs[0]);
        automata.setJournal(journal);
        (, bytes32 got) = enclaves.registerEnclave(address(nitro), _attestation());
        assertEq(got, m, "PCRs found by index");
    }

    function test_automata_debugDocumentRefused() public {
        IAutomataNitroEnclaveVerifier.VerifierJournal memory journal = _pkJournal();
        _prepare(journal);
        journal.pcrs[2].value = IAutomataNitroEnclaveVerifier.Bytes48({first: bytes32(0), second: bytes16(0)});
        automata.setJournal(journal);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveDebugMeasurement.selector, 2));
        enclaves.registerEnclave(address(nitro), _attestation());
    }

    function test_automata_realDocumentIsStaleAfterMaxAge() public {
        _prepare(_pkJournal());
        vm.warp(NitroFixtures.PK_DOC_TIMESTAMP_MS / 1000 + MAX_AGE + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IEnclaveRegistry.EnclaveAttestationStale.selector,
                NitroFixtures.PK_DOC_TIMESTAMP_MS,
                MAX_AGE,
                NitroFixtures.PK_DOC_TIMESTAMP_MS / 1000 + MAX_AGE + 1
            )
        );
        enclaves.registerEnclave(address(nitro), _attestation());
    }

    function test_automata_constructorRefusesVerifierWithoutCode() public {
        vm.expectRevert(abi.encodeWithSelector(IAutomataNitroAdapter.AutomataNitroInvalidVerifier.selector, stranger));
        new AutomataNitroAdapter(IAutomataNitroEnclaveVerifier(stranger));
        assertEq(address(nitro.VERIFIER()), address(automata), "verifier");
    }

    function test_insecureDev_refusesOtherChains() public {
        vm.chainId(84532);
        vm.expectRevert(
            abi.encodeWithSelector(IInsecureDevAttestationAdapter.InsecureDevAdapterWrongChain.selector, 84532)
        );
        new InsecureDevAttestationAdapter();
        bytes memory attestation = devAttestation(vm.addr(0x5EC0), nowMs(), pcrs(1));
        vm.expectRevert(
            abi.encodeWithSelector(IInsecureDevAttestationAdapter.InsecureDevAdapterWrongChain.selector, 84532)
        );
        devAdapter.verifyAttestation(attestation);
        vm.expectRevert(
            abi.encodeWithSelector(IInsecureDevAttestationAdapter.InsecureDevAdapterWrongChain.selector, 84532)
        );
        enclaves.registerEnclave(address(devAdapter), attestation);
    }

    function test_insecureDev_emitsInsecureEventAndEchoesTuple() public {
        address signer = vm.addr(0x5EC0);
        IAttestationAdapter.Pcr48[3] memory p = pcrs(7);
        vm.expectEmit(address(devAdapter));
        emit IInsecureDevAttestationAdapter.InsecureDevAttestationAccepted(signer, address(this));
        IAttestationAdapter.AttestedEnclave memory attested =
            devAdapter.verifyAttestation(devAttestation(signer, 42, p));
        assertEq(attested.signer, signer, "signer");
        assertEq(attested.timestampMs, 42, "timestamp");
        assertEq(attested.pcrs[2].head, p[2].head, "pcr2");
        assertEq(devAdapter.LOCAL_CHAIN_ID(), 31337, "local chain id");
    }

    function _slice(bytes memory data, uint256 from, uint256 to) private pure returns (bytes memory out) {
        out = new bytes(to - from);
        for (uint256 i = from; i < to; ++i) out[i - from] = data[i];
    }
}
