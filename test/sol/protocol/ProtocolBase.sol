// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {InferenceHub} from "../../../contracts/InferenceHub.sol";
import {ModelRegistry} from "../../../contracts/ModelRegistry.sol";
import {NodeStaking} from "../../../contracts/NodeStaking.sol";
import {OPGToken} from "../../../contracts/OPGToken.sol";
import {IInferenceHub} from "../../../contracts/interfaces/IInferenceHub.sol";
import {IModelRegistry} from "../../../contracts/interfaces/IModelRegistry.sol";
import {IOPGToken} from "../../../contracts/interfaces/IOPGToken.sol";
import {Groth16VerifierAdapter} from "../../../contracts/verifiers/Groth16VerifierAdapter.sol";
import {TestCircuitGroth16Verifier} from "../../../contracts/verifiers/generated/TestCircuitVerifier.sol";
import {Test} from "../utils/Test.sol";

/// @notice A committed snarkjs proof of the test circuit (y = 3·x0 + 5·x1 + 7).
struct ProofFixture {
    uint256[] input;
    uint256[] output;
    bytes proof;
}

/// @notice Deploys the whole protocol with the real test-circuit verifier, one registered model, two
///         staked nodes opted in to it and a funded requester.
abstract contract ProtocolBase is Test {
    uint256 internal constant MIN_STAKE = 1_000 ether;
    uint64 internal constant UNBOND_DELAY = 7 days;
    uint96 internal constant PRICE = 2 ether;
    uint96 internal constant BOND = 10 ether;
    uint32 internal constant COMMIT_WINDOW = 600;
    uint32 internal constant PROOF_WINDOW = 3_600;
    uint32 internal constant MAX_CALLBACK_GAS = 500_000;
    /// @dev 1,000 OPG gwei per callback gas unit = 10^-6 OPG per gas: a 200k-gas callback costs 0.2 OPG.
    uint32 internal constant CALLBACK_GAS_PRICE = 1_000;
    uint256 internal constant START = 1_700_000_000;
    uint256 internal constant SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    OPGToken internal token;
    ModelRegistry internal registry;
    NodeStaking internal staking;
    InferenceHub internal hub;
    TestCircuitGroth16Verifier internal groth16;
    Groth16VerifierAdapter internal adapter;
    uint64 internal modelId;

    uint256 internal constant REQUESTER_KEY = 0xA11CE;
    address internal requester;
    address internal node = makeAddr("node");
    address internal node2 = makeAddr("node2");
    address internal modelOwner = makeAddr("modelOwner");
    address internal stranger = makeAddr("stranger");

    ProofFixture internal fixtureA;
    ProofFixture internal fixtureB;

    function setUp() public virtual {
        vm.warp(START);
        requester = vm.addr(REQUESTER_KEY);
        vm.label(requester, "requester");
        token = new OPGToken(address(this));
        registry = new ModelRegistry();
        staking = new NodeStaking(token, registry, address(this), MIN_STAKE, UNBOND_DELAY);
        hub = new InferenceHub(IOPGToken(address(token)), registry, staking, address(this), defaultParams());
        staking.setHub(address(hub));
        groth16 = new TestCircuitGroth16Verifier();
        adapter = new Groth16VerifierAdapter(address(groth16), 3);
        vm.prank(modelOwner);
        modelId = registry.register(
            IModelRegistry.VerificationMode.ZK, address(adapter), keccak256("manifest"), "ipfs://affine", 2, 1, PRICE
        );
        fixtureA = loadFixture("a");
        fixtureB = loadFixture("b");

        token.transfer(requester, 1_000_000 ether);
        vm.prank(requester);
        token.approve(address(hub), type(uint256).max);
        _stakeAndOptIn(node, 10_000 ether);
        _stakeAndOptIn(node2, 10_000 ether);
    }

    function defaultParams() internal pure returns (IInferenceHub.HubParams memory) {
        return IInferenceHub.HubParams({
            baseSettlementFee: 0.1 ether,
            settlementFeeBps: 500,
            slashCompensationBps: 5_000,
            commitWindow: COMMIT_WINDOW,
            proofWindow: PROOF_WINDOW,
            maxCallbackGas: MAX_CALLBACK_GAS,
            callbackGasPrice: CALLBACK_GAS_PRICE,
            requestBond: BOND,
            slashRemainderRecipient: address(0)
        });
    }

    function loadFixture(string memory name) internal view returns (ProofFixture memory f) {
        string memory path = string.concat(vm.projectRoot(), "/test/fixtures/test-circuit/proof-", name, ".json");
        string memory json = vm.readFile(path);
        f.input = vm.parseJsonUintArray(json, ".input");
        f.output = vm.parseJsonUintArray(json, ".output");
        f.proof = vm.parseJsonBytes(json, ".proofBytes");
    }

    function _stakeAndOptIn(address who, uint256 amount) internal {
        token.transfer(who, amount);
        vm.startPrank(who);
        token.approve(address(staking), amount);
        staking.stake(amount);
        staking.optIn(modelId);
        vm.stopPrank();
    }

    /// @dev The struct the hub emits for a request of the test model made now by `who` with these settings.
    function expectedRequest(address who, uint256[] memory input, uint32 gasLimit, uint8 flags)
        internal
        view
        returns (IInferenceHub.Request memory req)
    {
        return expectedRequestOf(modelId, address(adapter), 1, who, input, gasLimit, flags);
    }

    /// @dev The struct the hub emits for a request of `model` (verified by `verifier`, `outputWords` output words) made
    ///      now by `who` with these settings.
    function expectedRequestOf(
        uint64 model,
        address verifier,
        uint16 outputWords,
        address who,
        uint256[] memory input,
        uint32 gasLimit,
        uint8 flags
    ) internal view returns (IInferenceHub.Request memory req) {
        (uint256 modelFee, uint256 settlementFee, uint256 callbackFee,) = hub.quoteRequest(model, gasLimit, flags);
        IInferenceHub.HubParams memory p = hub.params();
        req = IInferenceHub.Request({
            requester: who,
            modelId: model,
            verifier: verifier,
            outputWords: outputWords,
            callbackFlags: flags,
            callbackGasLimit: gasLimit,
            modelFee: uint96(modelFee),
            settlementFee: uint96(settlementFee),
            callbackFee: uint96(callbackFee),
            bond: p.requestBond,
            commitDeadline: uint64(block.timestamp) + p.commitWindow,
            proofWindow: p.proofWindow,
            input: input
        });
    }

    function _request(uint256[] memory input) internal returns (bytes32 id, IInferenceHub.Request memory req) {
        req = expectedRequest(requester, input, 0, 0);
        vm.prank(requester);
        id = hub.request(modelId, input, 0, 0, type(uint256).max);
    }

    function _requestA() internal returns (bytes32 id, IInferenceHub.Request memory req) {
        return _request(fixtureA.input);
    }

    function _commitA() internal returns (bytes32 id, IInferenceHub.Request memory req) {
        (id, req) = _requestA();
        vm.prank(node);
        hub.commit(id, req, fixtureA.output);
    }

    function _status(bytes32 id) internal view returns (IInferenceHub.RequestStatus status) {
        (status,,,) = hub.requestState(id);
    }

    function _words(uint256 a) internal pure returns (uint256[] memory w) {
        w = new uint256[](1);
        w[0] = a;
    }

    function _words(uint256 a, uint256 b) internal pure returns (uint256[] memory w) {
        w = new uint256[](2);
        w[0] = a;
        w[1] = b;
    }
}
