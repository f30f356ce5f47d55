// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// The handler swallows reverts on purpose: the fuzzer explores invalid actions too. It lives in this file so
// that running this file alone gives the invariant runner its target.
// solhint-disable no-empty-blocks

import {InferenceHub} from "../../../contracts/InferenceHub.sol";
import {NodeStaking} from "../../../contracts/NodeStaking.sol";
import {OPGToken} from "../../../contracts/OPGToken.sol";
import {IAttestationAdapter} from "../../../contracts/interfaces/IAttestationAdapter.sol";
import {IInferenceHub} from "../../../contracts/interfaces/IInferenceHub.sol";
import {IModelRegistry} from "../../../contracts/interfaces/IModelRegistry.sol";
import {EnclaveRegistry} from "../../../contracts/tee/EnclaveRegistry.sol";
import {InsecureDevAttestationAdapter} from "../../../contracts/tee/adapters/InsecureDevAttestationAdapter.sol";
import {ProofFixture, ProtocolBase} from "../protocol/ProtocolBase.sol";
import {PackedBatch, SettleBatchEncoding, SettleItem} from "../utils/SettleBatchEncoding.sol";
import {Vm} from "../utils/Vm.sol";

/// @notice Drives the hub through random sequences of requests, commits (right or wrong outputs), settles
///         (valid and invalid proofs), refunds, slashes, withdrawals, burns and time jumps, keeping ghost sums.
contract HubHandler {
    Vm private constant VM = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    struct Tracked {
        bytes32 id;
        IInferenceHub.Request req;
        uint256[] output;
        uint8 fixture; // 0 = A, 1 = B
        bool outputCorrect;
        bool tee; // a request of the TEE model (settles only through commitAndSettle)
    }

    InferenceHub public immutable HUB;
    OPGToken public immutable TOKEN;
    NodeStaking public immutable STAKING;
    uint64 public immutable MODEL_ID;
    address public immutable REQUESTER;
    address[2] public nodes;
    ProofFixture[2] private _fixtures;
    Tracked[] private _tracked;

    uint256 public ghostBurned;
    uint256 public ghostEscrow;
    uint256 public ghostValidFees;
    uint256 public ghostWithdrawn;
    uint256 public ghostLastSupply;
    bool public supplyRose;
    bool public settledTwice;
    bool public invalidProofSettled;
    mapping(bytes32 requestId => uint256) public settleCount;

    /// The TEE model, its enclave registry and the enclave key registered for it (set once by the test).
    uint64 public teeModel;
    EnclaveRegistry public enclaves;
    uint256 private _enclaveKey;

    constructor(
        InferenceHub hub,
        OPGToken token,
        NodeStaking staking,
        uint64 modelId,
        address requester,
        address[2] memory nodes_,
        ProofFixture memory a,
        ProofFixture memory b
    ) {
        HUB = hub;
        TOKEN = token;
        STAKING = staking;
        MODEL_ID = modelId;
        REQUESTER = requester;
        nodes = nodes_;
        _fixtures[0] = a;
        _fixtures[1] = b;
        ghostLastSupply = token.totalSupply();
    }

    function trackedCount() external view returns (uint256) {
        return _tracked.length;
    }

    function tracked(uint256 i) external view returns (IInferenceHub.Request memory req, bytes32 id) {
        (req, id) = (_tracked[i].req, _tracked[i].id);
    }

    /// Bit 0 of `seed` picks the fixture, bits 8–9 the callback flags, bits 16–47 the callback gas, bits 48+ the model
    /// (the TEE model when they are 2 mod 3). The requester is an account without code, so its callbacks succeed at
    /// once; what matters here is the fee they escrow.
    function request(uint256 seed) external {
        uint8 which = uint8(seed % 2);
        uint8 flags = uint8((seed >> 8) % 4);
        uint32 gasLimit = flags == 0 ? 0 : uint32(1 + (seed >> 16) % HUB.params().maxCallbackGas);
        bool tee = teeModel != 0 && (seed >> 48) % 3 == 2;
        uint64 model = tee ? teeModel : MODEL_ID;
        VM.prank(REQUESTER);
        try HUB.request(model, _fixtures[which].input, gasLimit, flags, type(uint256).max) returns (bytes32 id) {
            Tracked storage t = _tracked.push();
            t.id = id;
            t.fixture = which;
            t.tee = tee;
            _fillRequest(t.req, model, which, gasLimit, flags);
            ghostEscrow += _escrow(t.req);
        } catch {}
        _checkSupply();
    }

    function commit(uint256 seed, bool correct) external {
        if (_tracked.length == 0) return;
        Tracked storage t = _tracked[seed % _tracked.length];
        uint256[] memory output = _fixtures[t.fixture].output;
        if (!correct) output = _bumped(output);
        VM.prank(nodes[(seed >> 8) % 2]);
        try HUB.commit(t.id, t.req, output) {
            t.output = output;
            t.outputCorrect = correct;
        } catch {}
        _checkSupply();
    }

    /// Commits up to four tracked requests (possibly repeated, possibly already final) in one `commitBatch`; bit i of
    /// `wrongMask` commits item i's output wrong. Items the hub skips stay as they were.
    function commitBatch(uint256 seed, uint8 count, uint8 wrongMask) external {
        if (_tracked.length == 0) return;
        uint256 n = 1 + count % 4;
        IInferenceHub.CommitItem[] memory items = new IInferenceHub.CommitItem[](n);
        uint256[] memory picked = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            picked[i] = (seed + i * 7) % _tracked.length;
            Tracked storage t = _tracked[picked[i]];
            uint256[] memory output = _fixtures[t.fixture].output;
            if ((wrongMask >> i) & 1 == 1) output = _bumped(output);
            items[i] = IInferenceHub.CommitItem({requestId: t.id, request: t.req, output: output});
        }
        address by = nodes[(seed >> 8) % 2];
        VM.prank(by);
        try HUB.commitBatch(items) {
            for (uint256 i; i < n; ++i) {
                Tracked storage t = _tracked[picked[i]];
                (IInferenceHub.RequestStatus status,, address committer,) = HUB.requestState(t.id);
                // The first occurrence of a request in the batch is the one the hub committed.
                if (t.output.length == 0 && status == IInferenceHub.RequestStatus.Committed && committer == by) {
                    t.output = items[i].output;
                    t.outputCorrect = (wrongMask >> i) & 1 == 0;
                }
            }
        } catch {}
        _checkSupply();
    }

    function settle(uint256 seed, bool useOtherProof) external {
        if (_tracked.length == 0) return;
        Tracked storage t = _tracked[seed % _tracked.length];
        if (t.output.length == 0) return;
        bytes memory proof = _fixtures[useOtherProof ? 1 - t.fixture : t.fixture].proof;
        bool valid = t.outputCorrect && !useOtherProof;
        try HUB.settle(t.id, t.req, t.output, proof) {
            if (!valid) invalidProofSettled = true;
            if (++settleCount[t.id] > 1) settledTwice = true;
            ghostValidFees += uint256(t.req.modelFee) + t.req.callbackFee;
            ghostEscrow -= _escrow(t.req);
        } catch {}
        _checkSupply();
    }

    /// Settles up to four tracked requests in one `settleBatch` (through the adapter's loop); bit i of `otherMask`
    /// gives item i the other fixture's proof. The batch settles only if every item is committed, correct and
    /// proven, and then settles all of them.
    function settleBatch(uint256 seed, uint8 count, uint8 otherMask) external {
        if (_tracked.length == 0) return;
        uint256 n = 1 + count % 4;
        SettleItem[] memory items = new SettleItem[](n);
        uint256[] memory picked = new uint256[](n);
        bool valid = true;
        for (uint256 i; i < n; ++i) {
            picked[i] = (seed + i * 5) % _tracked.length;
            Tracked storage t = _tracked[picked[i]];
            bool other = (otherMask >> i) & 1 == 1;
            valid = valid && t.outputCorrect && !other;
            bytes memory proof = _fixtures[other ? 1 - t.fixture : t.fixture].proof;
            items[i] = SettleItem({requestId: t.id, request: t.req, output: t.output, proof: proof});
        }
        PackedBatch memory batch = SettleBatchEncoding.pack(HUB, items);
        try HUB.settleBatch(batch.verifier, batch.outputWords, batch.inputWords, batch.items) {
            if (!valid) invalidProofSettled = true;
            for (uint256 i; i < n; ++i) {
                Tracked storage t = _tracked[picked[i]];
                if (++settleCount[t.id] > 1) settledTwice = true;
                ghostValidFees += uint256(t.req.modelFee) + t.req.callbackFee;
                ghostEscrow -= _escrow(t.req);
            }
        } catch {}
        _checkSupply();
    }

    /// Serves the TEE model: the test registers it and its enclave key once.
    function setTee(uint64 model, EnclaveRegistry registry, uint256 enclaveKey) external {
        (teeModel, enclaves, _enclaveKey) = (model, registry, enclaveKey);
    }

    /// Commits and settles a tracked request with an enclave signature over the right output (`correct`) or a bumped
    /// one; `forged` signs with a key that was never attested. Only a correct output signed by the registered key for
    /// a TEE request may settle.
    function commitAndSettle(uint256 seed, bool correct, bool forged) external {
        if (_tracked.length == 0 || teeModel == 0) return;
        Tracked storage t = _tracked[seed % _tracked.length];
        address by = nodes[(seed >> 8) % 2];
        uint256[] memory output = _fixtures[t.fixture].output;
        if (!correct) output = _bumped(output);
        bytes32 digest = enclaves.teeResultDigest(
            address(HUB),
            t.id,
            teeModel,
            keccak256(abi.encodePacked(t.req.input)),
            keccak256(abi.encodePacked(_fixtures[t.fixture].output)),
            by,
            uint64(block.timestamp) + 600
        );
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(forged ? _enclaveKey + 1 : _enclaveKey, digest);
        VM.prank(by);
        try HUB.commitAndSettle(t.id, t.req, output, abi.encodePacked(uint64(block.timestamp) + 600, r, s, v)) {
            if (!t.tee || !correct || forged) invalidProofSettled = true;
            if (++settleCount[t.id] > 1) settledTwice = true;
            t.output = output;
            t.outputCorrect = true;
            ghostValidFees += uint256(t.req.modelFee) + t.req.callbackFee;
            ghostEscrow -= _escrow(t.req);
        } catch {}
        _checkSupply();
    }

    function refund(uint256 seed) external {
        if (_tracked.length == 0) return;
        Tracked storage t = _tracked[seed % _tracked.length];
        try HUB.refund(t.id, t.req) {
            ghostEscrow -= _escrow(t.req);
        } catch {}
        _checkSupply();
    }

    function slash(uint256 seed) external {
        if (_tracked.length == 0) return;
        Tracked storage t = _tracked[seed % _tracked.length];
        if (t.output.length == 0) return;
        try HUB.slash(t.id, t.req, t.output) {
            ghostEscrow -= _escrow(t.req);
        } catch {}
        _checkSupply();
    }

    function withdraw(uint256 seed) external {
        address node = nodes[seed % 2];
        VM.prank(node);
        try HUB.withdrawEarnings(node) returns (uint256 amount) {
            ghostWithdrawn += amount;
        } catch {}
        _checkSupply();
    }

    function flushBurn() external {
        try HUB.flushBurn() returns (uint256 amount) {
            ghostBurned += amount;
        } catch {}
        _checkSupply();
    }

    function warp(uint256 seconds_) external {
        VM.warp(block.timestamp + (seconds_ % 2 hours));
    }

    function _checkSupply() private {
        uint256 supply = TOKEN.totalSupply();
        if (supply > ghostLastSupply) supplyRose = true;
        ghostLastSupply = supply;
    }

    function _bumped(uint256[] memory output) private pure returns (uint256[] memory out) {
        out = new uint256[](output.length);
        for (uint256 i; i < output.length; ++i) out[i] = output[i] + 1;
    }

    function _escrow(IInferenceHub.Request storage r) private view returns (uint256) {
        return uint256(r.modelFee) + r.settlementFee + r.callbackFee;
    }

    function _fillRequest(IInferenceHub.Request storage r, uint64 model, uint8 which, uint32 gasLimit, uint8 flags)
        private
    {
        IInferenceHub.HubParams memory p = HUB.params();
        uint256 callbacks = (flags & 1) + (flags >> 1);
        r.requester = REQUESTER;
        r.modelId = model;
        r.verifier = HUB.REGISTRY().modelTerms(model).verifier;
        r.outputWords = 1;
        r.callbackFlags = flags;
        r.callbackGasLimit = gasLimit;
        r.modelFee = HUB.REGISTRY().modelTerms(model).price;
        r.settlementFee = uint96(p.baseSettlementFee + (uint256(r.modelFee) * p.settlementFeeBps) / 10_000);
        r.callbackFee = uint96(uint256(gasLimit) * callbacks * p.callbackGasPrice * 1 gwei);
        r.bond = p.requestBond;
        r.commitDeadline = uint64(block.timestamp) + p.commitWindow;
        r.proofWindow = p.proofWindow;
        r.input = _fixtures[which].input;
    }
}

/// @notice Accounting and safety invariants of the hub under random action sequences.
contract InferenceHubInvariantTest is ProtocolBase {
    HubHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new HubHandler(hub, token, staking, modelId, requester, [node, node2], fixtureA, fixtureB);
        _serveTeeModel();
        targetContract(address(handler));
    }

    /// The handler really reaches every transition (so the invariants are not vacuous).
    function test_handler_reachesEveryTransition() public {
        handler.request(0);
        handler.request(1);
        handler.request(2);
        handler.commit(0, true);
        handler.commitBatch(1, 0, 1); // one item: request #1, committed wrong by the first node
        handler.settle(1, false); // wrong output: must not settle
        handler.settle(0, true); // other request's proof: must not settle
        handler.settleBatch(0, 0, 0); // request #0 alone, its own proof
        handler.withdraw(0);
        handler.flushBurn();
        handler.warp(2 hours - 1);
        handler.refund(2);
        handler.slash(1);
        assertEq(handler.ghostValidFees(), PRICE, "one proven settlement");
        assertEq(handler.ghostWithdrawn(), PRICE, "withdrawn by the node");
        assertGt(handler.ghostBurned(), 0, "burned");
        assertEq(uint8(_status(hub.nextRequestId())), 0, "next id unused");
        invariant_hubBalanceIsFullyAccounted();
        invariant_noNodePaidWithoutValidProof();
        invariant_supplyOnlyFallsByBurns();
        assertEq(hub.totalEscrowed(), 0, "all three requests closed");
    }

    /// Requests with callbacks escrow their callback fee, which the proving node is paid and a refund returns.
    function test_handler_callbackFeesBalance() public {
        uint256 withCallbacks = (3 << 8) | (199_999 << 16); // both callbacks, 200,000 gas each
        handler.request(withCallbacks);
        handler.request(withCallbacks | 1); // fixture B
        (IInferenceHub.Request memory first,) = _tracked(0);
        assertEq(first.callbackFee, 2 * 200_000 * uint256(CALLBACK_GAS_PRICE) * 1 gwei, "callback fee escrowed");
        handler.commit(0, true);
        handler.settle(0, false);
        assertEq(handler.ghostValidFees(), PRICE + first.callbackFee, "node paid the callback fee");
        handler.warp(COMMIT_WINDOW + 1);
        handler.refund(1);
        invariant_hubBalanceIsFullyAccounted();
        invariant_noNodePaidWithoutValidProof();
        assertEq(hub.totalEscrowed(), 0, "both requests closed");
    }

    /// A TEE model (same words and price as the ZK one) verified by an enclave registry, with an enclave key registered
    /// through the INSECURE dev adapter, both nodes opted in.
    function _serveTeeModel() internal {
        EnclaveRegistry enclaves = new EnclaveRegistry(address(this), address(registry), 1 hours, 1 days);
        InsecureDevAttestationAdapter devAdapter = new InsecureDevAttestationAdapter();
        enclaves.setAdapterAllowed(address(devAdapter), true);
        vm.prank(modelOwner);
        uint64 teeModel = registry.register(
            IModelRegistry.VerificationMode.TEE, address(enclaves), keccak256("tee"), "test://tee", 2, 1, PRICE
        );
        IAttestationAdapter.Pcr48[3] memory pcrs;
        for (uint256 i; i < 3; ++i) {
            pcrs[i] = IAttestationAdapter.Pcr48({head: keccak256(abi.encode(i)), tail: bytes16(keccak256(abi.encode(i)))});
        }
        vm.prank(modelOwner);
        enclaves.approveMeasurement(teeModel, enclaves.measurementOf(pcrs));
        uint256 enclaveKey = 0xE7C1A7E;
        enclaves.registerEnclave(address(devAdapter), abi.encode(vm.addr(enclaveKey), uint64(block.timestamp) * 1000, pcrs));
        vm.prank(node);
        staking.optIn(teeModel);
        vm.prank(node2);
        staking.optIn(teeModel);
        handler.setTee(teeModel, enclaves, enclaveKey);
    }

    /// TEE requests settle only through commitAndSettle with the registered key's signature over the right output.
    function test_handler_teeRequestsSettleOnlyWithTheEnclaveSignature() public {
        uint256 tee = uint256(2) << 48;
        handler.request(tee);
        handler.request(tee | 1);
        (IInferenceHub.Request memory first,) = _tracked(0);
        assertEq(first.modelId, handler.teeModel(), "a TEE request");
        handler.commitAndSettle(0, false, false); // wrong output
        handler.commitAndSettle(0, true, true); // forged key
        handler.settleBatch(0, 0, 0); // no proof can settle it
        assertEq(handler.ghostValidFees(), 0, "nothing settled yet");
        handler.commitAndSettle(0, true, false);
        handler.commitAndSettle(0, true, false); // twice: refused
        assertEq(handler.ghostValidFees(), PRICE, "settled once");
        handler.commit(1, true); // a plain commit of a TEE request can only end slashed
        handler.warp(2 hours - 1);
        handler.slash(1);
        invariant_hubBalanceIsFullyAccounted();
        invariant_noNodePaidWithoutValidProof();
        invariant_requestSettlesAtMostOnce();
        assertEq(hub.totalEscrowed(), 0, "both closed");
    }

    function _tracked(uint256 i) internal view returns (IInferenceHub.Request memory req, bytes32 id) {
        (req, id) = handler.tracked(i);
    }

    function _nodeEarnings() internal view returns (uint256 total) {
        (, uint256 e1) = hub.nodeAccount(node);
        (, uint256 e2) = hub.nodeAccount(node2);
        total = e1 + e2;
    }

    /// Hub balance = escrows + node balances + pending burns (bonds stay in staking until slashed, and a
    /// slashed bond leaves the hub in the same transaction except the part queued for burning).
    function invariant_hubBalanceIsFullyAccounted() public view {
        assertEq(
            token.balanceOf(address(hub)),
            hub.totalEscrowed() + _nodeEarnings() + hub.pendingBurn(),
            "hub balance = escrow + earnings + pending burn"
        );
        assertEq(hub.totalEscrowed(), handler.ghostEscrow(), "escrow = fees of open requests");
    }

    function invariant_stakingBalanceCoversStakesAndLockedBonds() public view {
        uint256 held;
        uint256 locked;
        address[2] memory ns = [node, node2];
        for (uint256 i; i < 2; ++i) {
            held += staking.stakeOf(ns[i]).staked + staking.stakeOf(ns[i]).unbonding;
            locked += hub.lockedBondOf(ns[i]);
            assertGe(staking.stakeOf(ns[i]).staked, hub.lockedBondOf(ns[i]), "stake covers locked bonds");
        }
        assertEq(token.balanceOf(address(staking)), held, "staking balance = stakes");
    }

    function invariant_requestSettlesAtMostOnce() public view {
        assertFalse(handler.settledTwice(), "no request settled twice");
    }

    function invariant_supplyOnlyFallsByBurns() public view {
        assertFalse(handler.supplyRose(), "supply never rose");
        assertEq(token.totalSupply(), token.INITIAL_SUPPLY() - handler.ghostBurned(), "supply = initial - burned");
    }

    function invariant_noNodePaidWithoutValidProof() public view {
        assertFalse(handler.invalidProofSettled(), "no invalid proof settled");
        assertEq(
            _nodeEarnings() + handler.ghostWithdrawn(), handler.ghostValidFees(), "paid = fees of proven requests"
        );
    }
}
