// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ModelRegistry} from "../../../contracts/ModelRegistry.sol";
import {IAttestationAdapter} from "../../../contracts/interfaces/IAttestationAdapter.sol";
import {IEnclaveRegistry} from "../../../contracts/interfaces/IEnclaveRegistry.sol";
import {IModelRegistry} from "../../../contracts/interfaces/IModelRegistry.sol";
import {EnclaveRegistry} from "../../../contracts/tee/EnclaveRegistry.sol";
import {InsecureDevAttestationAdapter} from "../../../contracts/tee/adapters/InsecureDevAttestationAdapter.sol";
import {Test} from "../utils/Test.sol";

/// @notice An enclave registry with the insecure dev adapter allowed, two TEE models (owned by `modelOwner` and
///         `otherOwner`), a measurement approved for the first, and an enclave key registered with it.
abstract contract EnclaveRegistryBase is Test {
    uint256 internal constant START = 1_800_000_000;
    uint64 internal constant MAX_AGE = 1 hours;
    uint64 internal constant KEY_TTL = 1 days;
    uint256 internal constant ENCLAVE_KEY = 0xE7C1A7E;
    /// @dev secp256k1 order n; a signature's s above n/2 is malleable.
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    ModelRegistry internal models;
    EnclaveRegistry internal enclaves;
    InsecureDevAttestationAdapter internal devAdapter;
    uint64 internal modelId;
    uint64 internal otherModelId;
    address internal enclaveSigner;
    bytes32 internal measurement;

    address internal governance = makeAddr("governance");
    address internal modelOwner = makeAddr("modelOwner");
    address internal otherOwner = makeAddr("otherOwner");
    address internal stranger = makeAddr("stranger");
    address internal hub = makeAddr("hub");
    address internal node = makeAddr("node");

    bytes32 internal constant REQUEST_ID = keccak256("request");
    bytes32 internal constant INPUT_HASH = keccak256("input");
    bytes32 internal constant OUTPUT_HASH = keccak256("output");

    function setUp() public virtual {
        vm.warp(START);
        models = new ModelRegistry();
        enclaves = new EnclaveRegistry(governance, address(models), MAX_AGE, KEY_TTL);
        devAdapter = new InsecureDevAttestationAdapter();
        vm.prank(governance);
        enclaves.setAdapterAllowed(address(devAdapter), true);
        vm.prank(modelOwner);
        modelId = models.register(
            IModelRegistry.VerificationMode.TEE, address(enclaves), keccak256("manifest"), "", 2, 1, 1 ether
        );
        vm.prank(otherOwner);
        otherModelId = models.register(
            IModelRegistry.VerificationMode.TEE, address(enclaves), keccak256("other"), "", 2, 1, 1 ether
        );
        measurement = enclaves.measurementOf(pcrs(1));
        vm.prank(modelOwner);
        enclaves.approveMeasurement(modelId, measurement);
        enclaveSigner = vm.addr(ENCLAVE_KEY);
        enclaves.registerEnclave(address(devAdapter), devAttestation(enclaveSigner, nowMs(), pcrs(1)));
    }

    /// @notice Three distinct non-zero PCRs derived from `seed`.
    function pcrs(uint256 seed) internal pure returns (IAttestationAdapter.Pcr48[3] memory p) {
        for (uint256 i; i < 3; ++i) {
            bytes32 h = keccak256(abi.encode(seed, i));
            p[i] = IAttestationAdapter.Pcr48({head: h, tail: bytes16(keccak256(abi.encode(h)))});
        }
    }

    function nowMs() internal view returns (uint64) {
        return uint64(block.timestamp) * 1000;
    }

    function devAttestation(address signer, uint64 timestampMs, IAttestationAdapter.Pcr48[3] memory p)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encode(signer, timestampMs, p);
    }

    /// @notice The 73-byte signature `expiry ‖ r ‖ s ‖ v` by `key` over a result delivered to `hub_`.
    function sign(
        uint256 key,
        address hub_,
        bytes32 requestId,
        uint64 model,
        bytes32 inputHash,
        bytes32 outputHash,
        address paid,
        uint64 expiry
    ) internal view returns (bytes memory) {
        bytes32 digest = digestOf(hub_, requestId, model, inputHash, outputHash, paid, expiry);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(expiry, r, s, v);
    }

    /// @notice The EIP-712 digest computed independently of the registry (domain "OPG HACA TEE", version "1").
    function digestOf(
        address hub_,
        bytes32 requestId,
        uint64 model,
        bytes32 inputHash,
        bytes32 outputHash,
        address paid,
        uint64 expiry
    ) internal view returns (bytes32) {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("OPG HACA TEE"),
                keccak256("1"),
                block.chainid,
                address(enclaves)
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    bytes.concat(
                        "TeeResult(address hub,bytes32 requestId,uint64 modelId,",
                        "bytes32 inputHash,bytes32 outputHash,address node,uint64 expiry)"
                    )
                ),
                hub_,
                requestId,
                model,
                inputHash,
                outputHash,
                paid,
                expiry
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domain, structHash));
    }

    /// @notice A valid signature by the registered enclave key for the default request, expiring in an hour.
    function validSignature() internal view returns (bytes memory) {
        return sign(ENCLAVE_KEY, hub, REQUEST_ID, modelId, INPUT_HASH, OUTPUT_HASH, node, expiryIn(1 hours));
    }

    function expiryIn(uint256 secondsFromNow) internal view returns (uint64) {
        return uint64(block.timestamp + secondsFromNow);
    }

    /// @notice Calls `verifyResult` as the hub with the default request fields.
    function verifyAsHub(bytes memory signature) internal returns (address) {
        vm.prank(hub);
        return enclaves.verifyResult(REQUEST_ID, modelId, INPUT_HASH, OUTPUT_HASH, node, signature);
    }

    /// @notice Expects `EnclaveKeyUnknown` naming the address `signature` recovers to over the changed fields.
    function expectUnknownSigner(
        bytes memory signature,
        address hub_,
        bytes32 requestId,
        uint64 model,
        bytes32 inputHash,
        bytes32 outputHash,
        address paid
    ) internal {
        bytes32 digest = digestOf(hub_, requestId, model, inputHash, outputHash, paid, uint64(bytes8(signature)));
        bytes32 r;
        bytes32 s;
        assembly ("memory-safe") {
            r := mload(add(signature, 40))
            s := mload(add(signature, 72))
        }
        address recovered = ecrecover(digest, uint8(signature[72]), r, s);
        assertTrue(recovered != enclaveSigner && recovered != address(0), "recovers another address");
        vm.expectRevert(unknownKeyError(recovered));
    }

    function unknownKeyError(address signer) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IEnclaveRegistry.EnclaveKeyUnknown.selector, signer);
    }
}
