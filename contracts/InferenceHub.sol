// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {HubGovernance} from "./base/HubGovernance.sol";
import {IInferenceConsumer} from "./interfaces/IInferenceConsumer.sol";
import {IBatchProofVerifier} from "./interfaces/IBatchProofVerifier.sol";
import {IInferenceHub} from "./interfaces/IInferenceHub.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {INodeStaking} from "./interfaces/INodeStaking.sol";
import {IOPGToken} from "./interfaces/IOPGToken.sol";
import {IProofVerifier} from "./interfaces/IProofVerifier.sol";
import {ITeeResultVerifier} from "./interfaces/ITeeResultVerifier.sol";
import {FeeMath} from "./libraries/FeeMath.sol";
import {FieldMath} from "./libraries/FieldMath.sol";
import {RequestHashing} from "./libraries/RequestHashing.sol";
import {VerifierCall} from "./libraries/VerifierCall.sol";

/// @title InferenceHub
/// @notice Request → commit → prove → settle (one by one or batched), request → commitAndSettle for TEE models, with
///         refunds, slashing, pull payments and accumulated burns.
contract InferenceHub is HubGovernance, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using RequestHashing for Request;

    /// @notice `callbackFlags` bit: call `onInferenceCommitted` on commit.
    uint8 public constant CALLBACK_ON_COMMIT = 1;
    /// @notice `callbackFlags` bit: call `onInferenceSettled` on settlement.
    uint8 public constant CALLBACK_ON_SETTLE = 2;
    /// @notice Gas kept back beyond the callback's limit for the hub's own work after the call.
    uint256 public constant CALLBACK_GAS_RESERVE = 10_000;
    /// @dev EIP-150: a call forwards at most 63/64 of the gas left, so `limit · 64 / 63` must be left to give
    ///      the callee `limit`. This is the 64.
    uint256 private constant CALL_GAS_NUMERATOR = 64;
    /// @dev The 63 of `limit · 64 / 63`.
    uint256 private constant CALL_GAS_DENOMINATOR = 63;

    /// @dev Bytes of one Groth16 proof in `IProofVerifier`'s layout (`abi.encode(uint256[8])`).
    uint256 private constant PROOF_BYTES = 256;
    /// @dev A `settleBatch` item's bytes before its signals: `requestId` (32) then the terms.
    uint256 private constant SETTLE_ITEM_HEAD = 132;
    /// @dev A `settleBatch` item's terms: node, proof deadline, four fees, settle callback gas, requester.
    uint256 private constant SETTLE_TERMS_BYTES = 100;
    /// @dev The settlement binding preimage's header: verifier (20), output words (2), input words (2).
    uint256 private constant SETTLE_HEADER_BYTES = 24;

    /// @notice The OPG token (escrow, payments, burns).
    IOPGToken public immutable TOKEN;
    /// @notice The model registry.
    IModelRegistry public immutable REGISTRY;
    /// @notice The node staking contract.
    INodeStaking public immutable STAKING;

    /// @dev Two slots: `binding`; then `status` (8) | `deadline` (64) | `node` (160).
    struct RequestRecord {
        bytes32 binding;
        RequestStatus status;
        uint64 deadline;
        address node;
    }

    /// @dev One slot: `lockedBond` (96) | `earnings` (96). Settling touches only this slot per node.
    struct NodeAccount {
        uint96 lockedBond;
        uint96 earnings;
    }

    /// @dev A `settleBatch` in progress, in memory; `_recordBatchItems` reads it by offset (fields in this order,
    ///      one word each): where the items are and their shape, where the verifier's call is filled in, the
    ///      distinct nodes credited so far, the batch's sums, and whether any item asks for a settle callback.
    struct Batch {
        uint256 itemsAt;
        uint256 itemBytes;
        uint256 count;
        uint256 signalBytes;
        uint256 proofsAt;
        uint256 signalsAt;
        uint256 nodeCount;
        uint256 escrow;
        uint256 burn;
        bool settleCallbacks;
    }

    mapping(bytes32 requestId => RequestRecord) private _requests;
    mapping(address node => NodeAccount) private _nodes;

    /// @param token The OPG token.
    /// @param registry The model registry.
    /// @param staking The node staking contract (whose `setHub` must then be called with this hub).
    /// @param governance The owner of the parameters.
    /// @param initialParams The first parameters.
    constructor(
        IOPGToken token,
        IModelRegistry registry,
        INodeStaking staking,
        address governance,
        HubParams memory initialParams
    ) HubGovernance(governance, initialParams) {
        if (address(token) == address(0) || address(registry) == address(0) || address(staking) == address(0)) {
            revert HubZeroAddress();
        }
        TOKEN = token;
        REGISTRY = registry;
        STAKING = staking;
    }

    /// @inheritdoc IInferenceHub
    function request(
        uint64 modelId,
        uint256[] calldata input,
        uint32 callbackGasLimit,
        uint8 callbackFlags,
        uint256 maxTotalFee
    ) external nonReentrant returns (bytes32 requestId) {
        requestId = _request(modelId, input, callbackGasLimit, callbackFlags, maxTotalFee);
    }

    /// @inheritdoc IInferenceHub
    function requestWithPermit(
        uint64 modelId,
        uint256[] calldata input,
        uint32 callbackGasLimit,
        uint8 callbackFlags,
        uint256 maxTotalFee,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (bytes32 requestId) {
        // solhint-disable-next-line no-empty-blocks
        try TOKEN.permit(msg.sender, address(this), maxTotalFee, permitDeadline, v, r, s) {}
        catch (bytes memory reason) {
            // A front-run permit leaves the allowance in place: proceed if it covers the fee.
            (,,, uint256 total) = _quote(modelId, callbackGasLimit, callbackFlags);
            if (TOKEN.allowance(msg.sender, address(this)) < total) {
                revert HubPermitFailed(msg.sender, maxTotalFee, permitDeadline, reason);
            }
        }
        requestId = _request(modelId, input, callbackGasLimit, callbackFlags, maxTotalFee);
    }

    /// @inheritdoc IInferenceHub
    function commit(bytes32 requestId, Request calldata req, uint256[] calldata output) external nonReentrant {
        RequestRecord storage record = _requests[requestId];
        // Each slot read once (the fields are read together, so the optimizer loads slot B once).
        (bytes32 binding, RequestStatus status, uint64 deadline) = (record.binding, record.status, record.deadline);
        _expectStatus(requestId, _effectiveStatus(status, binding), RequestStatus.Requested);
        if (block.timestamp > deadline) revert HubCommitDeadlinePassed(requestId, deadline);
        _acceptCommit(requestId, req, output, binding);
        NodeAccount storage account = _nodes[msg.sender];
        account.lockedBond = _lockedWithBond(STAKING.bondableStake(msg.sender, req.modelId), account.lockedBond, req.bond);
        _recordCommit(record, requestId, req, output);

        if (req.callbackFlags & CALLBACK_ON_COMMIT != 0) {
            _callback(requestId, req, output, CALLBACK_ON_COMMIT);
        }
    }

    /// @inheritdoc IInferenceHub
    function commitBatch(CommitItem[] calldata items) external nonReentrant returns (uint256 committed) {
        uint256 count = items.length;
        if (count == 0) revert HubBatchEmpty();
        bool[] memory done = new bool[](count);
        NodeAccount storage account = _nodes[msg.sender];
        uint96 locked = account.lockedBond;
        (uint64 stakeModel, uint256 staked) = (0, 0);
        for (uint256 i; i < count; ++i) {
            CommitItem calldata item = items[i];
            RequestRecord storage record = _requests[item.requestId];
            (bytes32 binding, RequestStatus status, uint64 deadline) = (record.binding, record.status, record.deadline);
            status = _effectiveStatus(status, binding);
            if (status != RequestStatus.Requested || block.timestamp > deadline) {
                // A racing node got there first, or time ran out: report, do not waste the batch.
                emit CommitSkipped(item.requestId, msg.sender, status, deadline);
                continue;
            }
            Request calldata req = item.request;
            _acceptCommit(item.requestId, req, item.output, binding);
            // Model ids are ≥ 1, so the first item always reads the stake; consecutive items of one model share it.
            if (req.modelId != stakeModel) {
                (stakeModel, staked) = (req.modelId, STAKING.bondableStake(msg.sender, req.modelId));
            }
            locked = _lockedWithBond(staked, locked, req.bond);
            _recordCommit(record, item.requestId, req, item.output);
            done[i] = true;
            // Unchecked: at most `count` increments.
            unchecked {
                ++committed;
            }
        }
        account.lockedBond = locked;
        for (uint256 i; i < count; ++i) {
            if (done[i] && items[i].request.callbackFlags & CALLBACK_ON_COMMIT != 0) {
                _callback(items[i].requestId, items[i].request, items[i].output, CALLBACK_ON_COMMIT);
            }
        }
    }

    /// @inheritdoc IInferenceHub
    function commitAndSettle(
        bytes32 requestId,
        Request calldata req,
        uint256[] calldata output,
        bytes calldata signature
    ) external nonReentrant {
        RequestRecord storage record = _requests[requestId];
        (bytes32 binding, RequestStatus status, uint64 deadline) = (record.binding, record.status, record.deadline);
        _expectStatus(requestId, _effectiveStatus(status, binding), RequestStatus.Requested);
        if (block.timestamp > deadline) revert HubCommitDeadlinePassed(requestId, deadline);
        _acceptCommit(requestId, req, output, binding);
        // Only a node registered for the model serves it. No bond is locked and none needs to be free: the result is
        // final in this call, so there is no proof window in which a bond could be slashed.
        if (!STAKING.isRegistered(msg.sender, req.modelId)) {
            revert INodeStaking.StakingNodeNotRegistered(msg.sender, req.modelId);
        }
        if (req.verifier.code.length == 0) revert IProofVerifier.VerifierCallNoCode(req.verifier);
        ITeeResultVerifier(req.verifier).verifyResult(
            requestId, req.modelId, _hashWords(req.input), _hashWords(output), msg.sender, signature
        );

        // Committed with a cleared binding reads as Settled: one code path for both views of the record.
        record.binding = bytes32(0);
        (record.status, record.deadline, record.node) = (RequestStatus.Committed, uint64(block.timestamp), msg.sender);
        emit Committed(requestId, msg.sender, output, uint64(block.timestamp));
        _creditNode(msg.sender, 0, uint256(req.modelFee) + req.callbackFee);
        _releaseEscrow(_escrowOf(req), req.settlementFee);
        emit Settled(requestId, msg.sender, req.modelFee, req.callbackFee, req.settlementFee);

        if (req.callbackFlags & CALLBACK_ON_COMMIT != 0) _callback(requestId, req, output, CALLBACK_ON_COMMIT);
        if (req.callbackFlags & CALLBACK_ON_SETTLE != 0) _callback(requestId, req, output, CALLBACK_ON_SETTLE);
    }

    /// @inheritdoc IInferenceHub
    function settle(bytes32 requestId, Request calldata req, uint256[] calldata output, bytes calldata proof)
        external
        nonReentrant
    {
        address node = _checkCommitment(requestId, req, output, false);
        VerifierCall.verify(req.verifier, proof, output, req.input);

        // Clearing the binding of a Committed record is what marks it Settled (see `_effectiveStatus`): one
        // refunded write instead of two.
        _requests[requestId].binding = bytes32(0);
        // The committing node gets the whole callback fee: it had to provision the commit callback's gas, and the
        // settle callback runs in the settlement it is paid through (whoever sends it). The fee is per callback
        // asked and priced on the limit, not metered.
        _creditNode(node, req.bond, uint256(req.modelFee) + req.callbackFee);
        _releaseEscrow(_escrowOf(req), req.settlementFee);
        emit Settled(requestId, node, req.modelFee, req.callbackFee, req.settlementFee);

        if (req.callbackFlags & CALLBACK_ON_SETTLE != 0) {
            _callback(requestId, req, output, CALLBACK_ON_SETTLE);
        }
    }

    /// @inheritdoc IInferenceHub
    function settleBatch(address verifier, uint16 outputWords, uint16 inputWords, bytes calldata items)
        external
        nonReentrant
    {
        Batch memory batch;
        batch.signalBytes = (uint256(outputWords) + inputWords) * 32;
        batch.itemBytes = SETTLE_ITEM_HEAD + batch.signalBytes + PROOF_BYTES;
        batch.count = items.length / batch.itemBytes;
        if (batch.count == 0 || items.length % batch.itemBytes != 0) {
            revert HubBatchLength(items.length, batch.itemBytes);
        }
        assembly ("memory-safe") {
            mstore(batch, items.offset) // batch.itemsAt
        }
        bytes memory callData = _openBatch(batch);
        bytes memory preimage = _settlementPreimage(verifier, outputWords, inputWords, batch.signalBytes);
        // (node, bond, amount) per distinct node: at most one entry per item.
        uint256[] memory credits = new uint256[](3 * batch.count);
        uint256 failed = _recordBatchItems(batch, preimage, credits);
        if (failed < batch.count) _rejectBatchItem(batch, failed);
        _verifyBatch(verifier, callData);

        for (uint256 k; k < batch.nodeCount; ++k) {
            // Each amount and bond is a sum of uint96 fields bounded by the fixed token supply.
            _creditNode(address(uint160(credits[3 * k])), uint96(credits[3 * k + 1]), credits[3 * k + 2]);
        }
        // Both sums are bounded by the escrow total, itself < 2^96.
        _releaseEscrow(uint96(batch.escrow), uint96(batch.burn));
        if (batch.settleCallbacks) _settleCallbacks(batch.itemsAt, batch.count, batch.itemBytes, outputWords);
    }

    /// @inheritdoc IInferenceHub
    function refund(bytes32 requestId, Request calldata req) external nonReentrant {
        RequestRecord storage record = _requests[requestId];
        (bytes32 binding, RequestStatus status, uint64 deadline) = (record.binding, record.status, record.deadline);
        _expectStatus(requestId, _effectiveStatus(status, binding), RequestStatus.Requested);
        if (block.timestamp <= deadline) revert HubCommitDeadlineNotPassed(requestId, deadline);
        if (req.hash() != binding) revert HubRequestMismatch(requestId);

        record.binding = bytes32(0);
        record.status = RequestStatus.Refunded;
        // The callback fee comes back too: no callback ran.
        uint96 amount = _escrowOf(req);
        _accounting.totalEscrowed -= amount;
        emit Refunded(requestId, req.requester, amount);
        IERC20(address(TOKEN)).safeTransfer(req.requester, amount);
    }

    /// @inheritdoc IInferenceHub
    function slash(bytes32 requestId, Request calldata req, uint256[] calldata output) external nonReentrant {
        address node = _checkCommitment(requestId, req, output, true);
        RequestRecord storage record = _requests[requestId];
        record.binding = bytes32(0);
        record.status = RequestStatus.Slashed;
        _nodes[node].lockedBond -= req.bond;

        HubParams memory p = _params;
        (uint256 compensation, uint256 remainder) = FeeMath.splitSlash(req.bond, p.slashCompensationBps);
        // The whole escrow, callback fee included, goes back: a node is paid only for a proven result.
        uint96 escrow = _escrowOf(req);
        Accounting storage acc = _accounting;
        acc.totalEscrowed -= escrow;
        address recipient = p.slashRemainderRecipient;
        // remainder <= bond < 2^96 and pendingBurn stays below the fixed supply.
        if (recipient == address(0)) acc.pendingBurn = uint96(uint256(acc.pendingBurn) + remainder);
        emit Slashed(requestId, node, req.requester, escrow, compensation, remainder, recipient);

        STAKING.slash(node, req.bond);
        IERC20 token = IERC20(address(TOKEN));
        token.safeTransfer(req.requester, escrow + compensation);
        if (recipient != address(0) && remainder != 0) token.safeTransfer(recipient, remainder);
    }

    /// @inheritdoc IInferenceHub
    function withdrawEarnings(address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert HubZeroAddress();
        NodeAccount storage account = _nodes[msg.sender];
        amount = account.earnings;
        if (amount == 0) revert HubNothingToWithdraw(msg.sender);
        account.earnings = 0;
        emit EarningsWithdrawn(msg.sender, to, amount);
        IERC20(address(TOKEN)).safeTransfer(to, amount);
    }

    /// @inheritdoc IInferenceHub
    function flushBurn() external nonReentrant returns (uint256 amount) {
        amount = _accounting.pendingBurn;
        if (amount == 0) revert HubNothingToBurn();
        _accounting.pendingBurn = 0;
        emit BurnFlushed(amount);
        TOKEN.burn(amount);
    }

    /// @inheritdoc IInferenceHub
    function quote(uint64 modelId) external view returns (uint256 modelFee, uint256 settlementFee, uint256 total) {
        (modelFee, settlementFee,, total) = _quote(modelId, 0, 0);
    }

    /// @inheritdoc IInferenceHub
    function quoteRequest(uint64 modelId, uint32 callbackGasLimit, uint8 callbackFlags)
        external
        view
        returns (uint256 modelFee, uint256 settlementFee, uint256 callbackFee, uint256 total)
    {
        (modelFee, settlementFee, callbackFee, total) = _quote(modelId, callbackGasLimit, callbackFlags);
    }

    /// @inheritdoc IInferenceHub
    function requestState(bytes32 requestId)
        external
        view
        returns (RequestStatus status, uint64 deadline, address node, bytes32 binding)
    {
        RequestRecord storage record = _requests[requestId];
        (binding, status, deadline, node) = (record.binding, record.status, record.deadline, record.node);
        status = _effectiveStatus(status, binding);
    }

    /// @inheritdoc IInferenceHub
    function hashRequest(Request calldata req) external pure returns (bytes32) {
        return req.hash();
    }

    /// @inheritdoc IInferenceHub
    function nextRequestId() external view returns (bytes32) {
        return RequestHashing.requestId(address(this), _accounting.nonce);
    }

    /// @inheritdoc IInferenceHub
    function nextNonce() external view returns (uint256) {
        return _accounting.nonce;
    }

    /// @inheritdoc IInferenceHub
    function nodeAccount(address node) external view returns (uint256 lockedBond, uint256 earnings) {
        NodeAccount storage account = _nodes[node];
        (lockedBond, earnings) = (account.lockedBond, account.earnings);
    }

    /// @inheritdoc IInferenceHub
    function lockedBondOf(address node) external view returns (uint256) {
        return _nodes[node].lockedBond;
    }

    /// @inheritdoc IInferenceHub
    function pendingBurn() external view returns (uint256) {
        return _accounting.pendingBurn;
    }

    /// @inheritdoc IInferenceHub
    function totalEscrowed() external view returns (uint256) {
        return _accounting.totalEscrowed;
    }

    function _request(
        uint64 modelId,
        uint256[] calldata input,
        uint32 callbackGasLimit,
        uint8 callbackFlags,
        uint256 maxTotalFee
    ) private returns (bytes32 requestId) {
        Accounting storage acc = _accounting;
        (uint56 nonce, bool isPaused, uint96 escrowed) = (acc.nonce, acc.paused, acc.totalEscrowed);
        if (isPaused) revert EnforcedPause();
        (Request memory req, uint256 total) =
            _buildRequest(modelId, input, callbackGasLimit, callbackFlags, maxTotalFee);
        requestId = RequestHashing.requestId(address(this), nonce);
        // One encoding serves both the stored binding and the event: `Requested`'s data is `abi.encode(req)`.
        bytes memory encoded = abi.encode(req);
        _requests[requestId] = RequestRecord({
            binding: keccak256(encoded),
            status: RequestStatus.Requested,
            deadline: req.commitDeadline,
            node: address(0)
        });
        // total < 2^96 (checked in _fees) and escrows are bounded by the fixed token supply. Both fields are
        // written together: one SSTORE of the accounting slot.
        (acc.nonce, acc.totalEscrowed) = (nonce + 1, uint96(escrowed + total));
        bytes32 topic0 = Requested.selector;
        assembly ("memory-safe") {
            // emit Requested(requestId, modelId, msg.sender, req)
            log4(add(encoded, 0x20), mload(encoded), topic0, requestId, modelId, caller())
        }
        IERC20(address(TOKEN)).safeTransferFrom(msg.sender, address(this), total);
    }

    /// @dev Validates a new request and snapshots its terms (fees, bond, windows, verifier) into the struct.
    function _buildRequest(
        uint64 modelId,
        uint256[] calldata input,
        uint32 callbackGasLimit,
        uint8 callbackFlags,
        uint256 maxTotalFee
    ) private view returns (Request memory req, uint256 total) {
        IModelRegistry.ModelTerms memory terms = _activeTerms(modelId);
        _checkInput(input, terms.inputWords);
        HubParams memory p = _params;
        _checkCallback(callbackGasLimit, callbackFlags, p.maxCallbackGas);
        uint256 modelFee;
        uint256 settlementFee;
        uint256 callbackFee;
        (modelFee, settlementFee, callbackFee, total) = _fees(terms.price, callbackGasLimit, callbackFlags, p);
        if (total > maxTotalFee) revert HubFeeAboveMax(total, maxTotalFee);
        req = Request({
            requester: msg.sender,
            modelId: modelId,
            verifier: terms.verifier,
            outputWords: terms.outputWords,
            callbackFlags: callbackFlags,
            callbackGasLimit: callbackGasLimit,
            modelFee: uint96(modelFee),
            settlementFee: uint96(settlementFee),
            callbackFee: uint96(callbackFee),
            bond: p.requestBond,
            commitDeadline: uint64(block.timestamp) + p.commitWindow,
            proofWindow: p.proofWindow,
            input: input
        });
    }

    /// @dev Checks status, deadline and binding of a committed request; returns the committing node.
    ///      `expired` selects the slash check (deadline passed) instead of the settle check (not passed).
    function _checkCommitment(bytes32 requestId, Request calldata req, uint256[] calldata output, bool expired)
        private
        view
        returns (address node)
    {
        RequestRecord storage record = _requests[requestId];
        bytes32 binding = record.binding;
        RequestStatus status;
        uint64 deadline;
        (status, deadline, node) = (record.status, record.deadline, record.node);
        // Only a Committed record holds a settlement binding (see `RequestHashing.bindSettlement`): a match proves
        // the status, so the status is examined only to name why there is none.
        if (RequestHashing.bindSettlement(req, output, node, deadline) != binding) {
            _expectStatus(requestId, _effectiveStatus(status, binding), RequestStatus.Committed);
            revert HubRequestMismatch(requestId);
        }
        if (expired && block.timestamp <= deadline) revert HubProofDeadlineNotPassed(requestId, deadline);
        if (!expired && block.timestamp > deadline) revert HubProofDeadlinePassed(requestId, deadline);
    }

    /// @dev Releases `bond` and credits `amount` in one read and one write of the node's slot. lockedBond includes
    ///      this request's bond (locked at commit); earnings are bounded by the fixed token supply (< 2^96), so the
    ///      cast is exact.
    function _creditNode(address node, uint96 bond, uint256 amount) private {
        NodeAccount storage account = _nodes[node];
        (uint96 locked, uint96 earned) = (account.lockedBond, account.earnings);
        (account.lockedBond, account.earnings) = (locked - bond, uint96(earned + amount));
    }

    /// @dev Takes a settled request's escrow off the books and queues its settlement fee for burning, in one read
    ///      and one write of the accounting slot (pendingBurn stays below the fixed supply, so the cast is exact).
    function _releaseEscrow(uint96 escrow, uint96 burn) private {
        Accounting storage acc = _accounting;
        (uint96 escrowed, uint96 pending) = (acc.totalEscrowed, acc.pendingBurn);
        (acc.totalEscrowed, acc.pendingBurn) = (escrowed - escrow, uint96(uint256(pending) + burn));
    }

    /// @dev `locked + bond`, or a revert when the caller's bondable stake does not cover it. The result is at most
    ///      `staked`, itself bounded by the fixed token supply (< 2^96).
    function _lockedWithBond(uint256 staked, uint96 locked, uint96 bond) private view returns (uint96) {
        uint256 free = staked > locked ? staked - locked : 0;
        if (free < bond) revert HubInsufficientFreeStake(msg.sender, free, bond);
        return locked + bond;
    }

    /// @dev The checks a commit makes beyond status and deadline: the resupplied request matches its binding and
    ///      the output has the model's shape.
    function _acceptCommit(bytes32 requestId, Request calldata req, uint256[] calldata output, bytes32 binding)
        private
        pure
    {
        if (req.hash() != binding) revert HubRequestMismatch(requestId);
        _checkOutput(output, req.outputWords);
    }

    /// @dev Records a commitment by the caller (its settlement binding, status, proof deadline) and emits `Committed`.
    function _recordCommit(
        RequestRecord storage record,
        bytes32 requestId,
        Request calldata req,
        uint256[] calldata output
    ) private {
        uint64 proofDeadline = uint64(block.timestamp) + req.proofWindow;
        record.binding = RequestHashing.bindSettlement(req, output, msg.sender, proofDeadline);
        (record.status, record.deadline, record.node) = (RequestStatus.Committed, proofDeadline, msg.sender);
        emit Committed(requestId, msg.sender, output, proofDeadline);
    }

    /// @dev Allocates the ABI encoding of `verifyProofBatch(bytes proofs, uint256[] signals)` for `count` proofs
    ///      with its heads written, recording where the proof bytes and the signal words start, so each item is
    ///      copied straight from calldata once.
    function _openBatch(Batch memory batch) private pure returns (bytes memory callData) {
        uint256 proofBytes = batch.count * PROOF_BYTES;
        uint256 signalBytes = batch.count * batch.signalBytes;
        // selector | offset(proofs) | offset(signals) | proofs.length | proofs | signals.length | signals
        callData = new bytes(4 + 0x60 + proofBytes + 0x20 + signalBytes);
        bytes4 selector = IBatchProofVerifier.verifyProofBatch.selector;
        uint256 proofsAt;
        uint256 signalsAt;
        assembly ("memory-safe") {
            let args := add(callData, 0x24)
            mstore(add(callData, 0x20), selector)
            mstore(args, 0x40)
            mstore(add(args, 0x20), add(0x60, proofBytes))
            mstore(add(args, 0x40), proofBytes)
            proofsAt := add(args, 0x60)
            mstore(add(proofsAt, proofBytes), shr(5, signalBytes))
            signalsAt := add(add(proofsAt, proofBytes), 0x20)
        }
        (batch.proofsAt, batch.signalsAt) = (proofsAt, signalsAt);
    }

    /// @dev A buffer for the settlement bindings' preimages: the batch's header (verifier, word counts) written
    ///      once, each item's terms and signals copied after it (`RequestHashing.bindSettlement`'s layout).
    function _settlementPreimage(address verifier, uint16 outputWords, uint16 inputWords, uint256 signalBytes)
        private
        pure
        returns (bytes memory preimage)
    {
        preimage = new bytes(SETTLE_HEADER_BYTES + SETTLE_TERMS_BYTES + signalBytes);
        assembly ("memory-safe") {
            mstore(add(preimage, 0x20), or(shl(96, verifier), or(shl(80, outputWords), shl(64, inputWords))))
        }
    }

    /// @dev Checks and records every item, in order, until one does not match its stored settlement binding:
    ///      its terms and signals (after the batch's header in `preimage`) hash to the stored binding, which only a
    ///      Committed record holds, so a match proves the status too; its proof deadline has not passed. For each
    ///      match: the binding cleared, `Settled` emitted, the payment added to its node's entry in `credits` and
    ///      to the batch's sums, its signals and proof copied into the verifier's call. Returns the first item
    ///      that does not match (`batch.count` when all do); the caller reverts naming why.
    ///      One assembly loop on purpose: per item this is one keccak of the terms, one of the slot, one read, one
    ///      cleared write, one log and two copies, with no ABI decoding (≈ 1,350 gas less per item than the same
    ///      steps in Solidity, measured). Every calldata read lies inside `items`: its length is a whole number of items.
    // solhint-disable-next-line function-max-lines
    function _recordBatchItems(Batch memory batch, bytes memory preimage, uint256[] memory credits)
        private
        returns (uint256 failed)
    {
        // Scratch past the free-memory pointer (nothing is allocated below): the event's data or the revert's at
        // +0x00, the event's topic at +0x60 and the error's selector at +0x80, kept in memory to spare the stack.
        uint256 scratch;
        {
            bytes32 settledTopic = Settled.selector;
            bytes4 deadlinePassed = HubProofDeadlinePassed.selector;
            assembly ("memory-safe") {
                scratch := mload(0x40)
                mstore(add(scratch, 0x60), settledTopic)
                mstore(add(scratch, 0x80), deadlinePassed)
            }
        }
        assembly ("memory-safe") {
            failed := mload(add(batch, 0x40)) // batch.count: none failed
            for { let i := 0 } lt(i, mload(add(batch, 0x40))) { i := add(i, 1) } {
                let at := add(mload(batch), mul(i, mload(add(batch, 0x20))))
                let requestId := calldataload(at)
                {
                    // The terms and signals after the header, hashed: the settlement binding they claim.
                    let termsAt := add(add(preimage, 0x20), SETTLE_HEADER_BYTES)
                    calldatacopy(termsAt, add(at, 0x20), add(SETTLE_TERMS_BYTES, mload(add(batch, 0x60))))
                    mstore(0x00, requestId)
                    mstore(0x20, _requests.slot)
                    let slot := keccak256(0x00, 0x40) // _requests[requestId].binding
                    if iszero(eq(sload(slot), keccak256(add(preimage, 0x20), mload(preimage)))) {
                        failed := i
                        break
                    }
                    let deadline := shr(192, calldataload(add(at, 52)))
                    if gt(timestamp(), deadline) {
                        // HubProofDeadlinePassed(requestId, deadline)
                        mstore(scratch, mload(add(scratch, 0x80)))
                        mstore(add(scratch, 0x04), requestId)
                        mstore(add(scratch, 0x24), deadline)
                        revert(scratch, 0x44)
                    }
                    sstore(slot, 0)
                }
                // A nonzero settle callback gas: the batch runs its callbacks once every item is paid.
                if shr(224, calldataload(add(at, 108))) { mstore(add(batch, 0x120), 1) }
                let node := shr(96, calldataload(add(at, 32)))
                let pay := 0
                {
                    let modelFee := shr(160, calldataload(add(at, 60)))
                    let callbackFee := shr(160, calldataload(add(at, 72)))
                    let settlementFee := shr(160, calldataload(add(at, 84)))
                    mstore(scratch, modelFee)
                    mstore(add(scratch, 0x20), callbackFee)
                    mstore(add(scratch, 0x40), settlementFee)
                    // emit Settled(requestId, node, modelFee, callbackFee, settlementFee)
                    log3(scratch, 0x60, mload(add(scratch, 0x60)), requestId, node)
                    // Unchecked sums: each fee is a uint96 and all escrows together are bounded by the supply.
                    pay := add(modelFee, callbackFee)
                    mstore(add(batch, 0xe0), add(mload(add(batch, 0xe0)), add(pay, settlementFee))) // escrow
                    mstore(add(batch, 0x100), add(mload(add(batch, 0x100)), settlementFee)) // burn
                }
                {
                    // The node's entry: a linear scan (batches hold few distinct nodes), appended when new.
                    let nodeCount := mload(add(batch, 0xc0))
                    let entry := add(credits, 0x20)
                    let end := add(entry, mul(nodeCount, 0x60))
                    for {} and(lt(entry, end), iszero(eq(mload(entry), node))) {} { entry := add(entry, 0x60) }
                    if eq(entry, end) {
                        mstore(entry, node)
                        mstore(add(batch, 0xc0), add(nodeCount, 1))
                    }
                    mstore(add(entry, 0x20), add(mload(add(entry, 0x20)), shr(160, calldataload(add(at, 96))))) // bond
                    mstore(add(entry, 0x40), add(mload(add(entry, 0x40)), pay))
                }
                {
                    let signalBytes := mload(add(batch, 0x60))
                    let signals := add(at, SETTLE_ITEM_HEAD)
                    calldatacopy(add(mload(add(batch, 0xa0)), mul(i, signalBytes)), signals, signalBytes)
                    calldatacopy(add(mload(add(batch, 0x80)), shl(8, i)), add(signals, signalBytes), PROOF_BYTES)
                }
            }
        }
    }

    /// @dev Reverts with why item `i` does not match its stored binding: a request earlier in the batch
    ///      (`HubBatchDuplicate`), a record that is not Committed, or terms, signals, verifier or word counts other
    ///      than those committed (`HubRequestMismatch`).
    function _rejectBatchItem(Batch memory batch, uint256 i) private view {
        bytes32 requestId = _wordAt(batch.itemsAt + i * batch.itemBytes);
        RequestRecord storage record = _requests[requestId];
        RequestStatus status = _effectiveStatus(record.status, record.binding);
        if (status == RequestStatus.Settled) {
            for (uint256 k; k < i; ++k) {
                if (_wordAt(batch.itemsAt + k * batch.itemBytes) == requestId) revert HubBatchDuplicate(requestId);
            }
        }
        _expectStatus(requestId, status, RequestStatus.Committed);
        revert HubRequestMismatch(requestId);
    }

    /// @dev Runs the settle callbacks the batch's items carry (a nonzero settle callback gas: a request asking for
    ///      callbacks has a nonzero limit), in order, once every item is recorded and paid.
    function _settleCallbacks(uint256 itemsAt, uint256 count, uint256 itemBytes, uint16 outputWords) private {
        for (uint256 i; i < count; ++i) {
            uint256 at = itemsAt + i * itemBytes;
            uint256 gasLimit;
            address consumer;
            uint256[] calldata output;
            assembly ("memory-safe") {
                gasLimit := shr(224, calldataload(add(at, 108)))
                consumer := shr(96, calldataload(add(at, 112)))
                output.offset := add(at, SETTLE_ITEM_HEAD)
                output.length := outputWords
            }
            if (gasLimit != 0) _callback(_wordAt(at), consumer, gasLimit, output, CALLBACK_ON_SETTLE);
        }
    }

    /// @dev The calldata word at `at`.
    function _wordAt(uint256 at) private pure returns (bytes32 word) {
        assembly ("memory-safe") {
            word := calldataload(at)
        }
    }

    /// @dev Calls the batch verifier with the prepared calldata, bubbling its named errors.
    function _verifyBatch(address verifier, bytes memory callData) private view {
        if (verifier.code.length == 0) revert IProofVerifier.VerifierCallNoCode(verifier);
        assembly ("memory-safe") {
            if iszero(staticcall(gas(), verifier, add(callData, 0x20), mload(callData), 0, 0)) {
                let ptr := mload(0x40)
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
        }
    }

    /// @dev `keccak256(abi.encodePacked(words))`, the hash a TEE signature covers.
    function _hashWords(uint256[] calldata words) private pure returns (bytes32 digest) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let size := mul(words.length, 0x20)
            calldatacopy(ptr, words.offset, size)
            digest := keccak256(ptr, size)
        }
    }

    function _callback(bytes32 requestId, Request calldata req, uint256[] calldata output, uint8 stage) private {
        _callback(requestId, req.requester, req.callbackGasLimit, output, stage);
    }

    function _callback(bytes32 requestId, address consumer, uint256 gasLimit, uint256[] calldata output, uint8 stage)
        private
    {
        bytes memory data = stage == CALLBACK_ON_COMMIT
            ? abi.encodeCall(IInferenceConsumer.onInferenceCommitted, (requestId, output))
            : abi.encodeCall(IInferenceConsumer.onInferenceSettled, (requestId, output));
        // The callee gets at most 63/64 of what is left: demand enough that it surely gets `gasLimit`,
        // so a caller cannot make the consumer fail by sending too little gas.
        uint256 required = (gasLimit * CALL_GAS_NUMERATOR) / CALL_GAS_DENOMINATOR + CALLBACK_GAS_RESERVE;
        if (gasleft() < required) revert HubInsufficientCallbackGas(requestId, gasleft(), required);
        bool success;
        assembly ("memory-safe") {
            // No return data is copied: a consumer cannot make the hub pay for a huge return.
            success := call(gasLimit, consumer, 0, add(data, 0x20), mload(data), 0, 0)
        }
        emit CallbackCompleted(requestId, stage, success);
    }

    function _activeTerms(uint64 modelId) private view returns (IModelRegistry.ModelTerms memory terms) {
        terms = REGISTRY.modelTerms(modelId);
        if (!terms.active) revert HubModelInactive(modelId);
        if (terms.mode == IModelRegistry.VerificationMode.VANILLA) revert HubModeUnsupported(modelId, uint8(terms.mode));
    }

    function _quote(uint64 modelId, uint32 callbackGasLimit, uint8 callbackFlags)
        private
        view
        returns (uint256 modelFee, uint256 settlementFee, uint256 callbackFee, uint256 total)
    {
        IModelRegistry.ModelTerms memory terms = _activeTerms(modelId);
        HubParams memory p = _params;
        _checkCallback(callbackGasLimit, callbackFlags, p.maxCallbackGas);
        (modelFee, settlementFee, callbackFee, total) = _fees(terms.price, callbackGasLimit, callbackFlags, p);
    }

    /// @dev The settlement fee depends on the model fee only: callback gas is a cost passed through, not a
    ///      price the protocol takes a share of.
    function _fees(uint96 price, uint32 callbackGasLimit, uint8 callbackFlags, HubParams memory p)
        private
        pure
        returns (uint256 modelFee, uint256 settlementFee, uint256 callbackFee, uint256 total)
    {
        modelFee = price;
        settlementFee = FeeMath.settlementFee(price, p.baseSettlementFee, p.settlementFeeBps);
        uint8 callbacks;
        // Unchecked: each term is 0 or 1 (the bits set in the flags).
        unchecked {
            callbacks = (callbackFlags & CALLBACK_ON_COMMIT) / CALLBACK_ON_COMMIT
                + (callbackFlags & CALLBACK_ON_SETTLE) / CALLBACK_ON_SETTLE;
        }
        callbackFee = FeeMath.callbackFee(callbackGasLimit, callbacks, p.callbackGasPrice);
        total = modelFee + settlementFee + callbackFee;
        if (total > type(uint96).max) revert HubAmountTooLarge(total);
    }

    /// @dev Everything a request escrowed. Unchecked: the hub only stores bindings of requests whose sum it
    ///      checked below 2^96 (`_fees`), and callers use this after matching `req` against that binding.
    function _escrowOf(Request calldata req) private pure returns (uint96 escrow) {
        unchecked {
            escrow = req.modelFee + req.settlementFee + req.callbackFee;
        }
    }

    /// @dev The stored status, except that a Committed record whose binding was cleared is Settled.
    function _effectiveStatus(RequestStatus stored, bytes32 binding) private pure returns (RequestStatus status) {
        status = stored == RequestStatus.Committed && binding == bytes32(0) ? RequestStatus.Settled : stored;
    }

    function _expectStatus(bytes32 requestId, RequestStatus actual, RequestStatus expected) private pure {
        if (actual != expected) revert HubUnexpectedStatus(requestId, actual, expected);
    }

    function _checkCallback(uint32 gasLimit, uint8 flags, uint32 cap) private pure {
        if (flags > (CALLBACK_ON_COMMIT | CALLBACK_ON_SETTLE) || (flags == 0) != (gasLimit == 0)) {
            revert HubInvalidCallbackFlags(flags);
        }
        if (gasLimit > cap) revert HubCallbackGasAboveCap(gasLimit, cap);
    }

    function _checkInput(uint256[] calldata input, uint16 words) private pure {
        if (input.length != words) revert HubInputLengthMismatch(words, input.length);
        uint256 bad = FieldMath.firstOutOfScalarField(input);
        if (bad != words) revert HubInputWordOutOfField(bad, input[bad]);
    }

    function _checkOutput(uint256[] calldata output, uint16 words) private pure {
        if (output.length != words) revert HubOutputLengthMismatch(words, output.length);
        uint256 bad = FieldMath.firstOutOfScalarField(output);
        if (bad != words) revert HubOutputWordOutOfField(bad, output[bad]);
    }
}
