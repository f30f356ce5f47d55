// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IInferenceHub
/// @notice Settlement of off-chain inference: request (escrow) → commit (result + bond) → settle (Groth16 proof,
///         one by one or batched), or, for TEE-mode models, request → commitAndSettle (enclave signature), with
///         permissionless refunds of uncommitted requests and slashing of unproven commitments.
/// @dev Per request the hub stores two slots (see `RequestStatus` / `requestState`):
///      slot A: `binding` = `keccak256(abi.encode(request))` while Requested, then the settlement binding once
///              Committed (`RequestHashing.bindSettlement`: the settlement's terms, the committing node, the proof
///              deadline and the signals, packed), zero once final;
///      slot B: `status` (8) | `deadline` (64: commit deadline, then proof deadline) | `node` (160).
///      Settling only clears slot A (a refunded write); `requestState` reports a Committed record whose
///      binding is cleared as Settled.
///      Everything else travels in calldata: `commit`, `settle`, `refund` and `slash` take the `Request` struct
///      back exactly as emitted in `Requested` (and the output words as emitted in `Committed`), and the hub
///      checks it against the stored binding. Node earnings are pulled (`withdrawEarnings`); settlement fees
///      accumulate in `pendingBurn` and are burned by anyone through `flushBurn`.
///      Escrow per request = `modelFee + settlementFee + callbackFee` (see `quoteRequest`). The callback fee prices
///      the consumer gas the requester asks for (`callbackGasLimit` per callback, at the governance rate
///      `callbackGasPrice`), so a requester cannot make nodes pay for its callbacks.
///      Errors raised by other contracts bubble up unchanged: the token's (`ERC20InsufficientAllowance`,
///      `ERC20InsufficientBalance`), staking's (`StakingNodeNotRegistered`, `StakingStakeBelowMinimum`),
///      the registry's (`RegistryModelUnknown`) and the verifier's (`VerifierProofInvalid`, ...).
interface IInferenceHub {
    /// @notice Lifecycle of a request: None → Requested → Committed → Settled, or Requested → Refunded,
    ///         or Committed → Slashed.
    enum RequestStatus {
        None,
        Requested,
        Committed,
        Settled,
        Refunded,
        Slashed
    }

    /// @notice Everything about a request, fixed when it is made. Emitted whole in `Requested`; resupplied
    ///         in calldata to `commit`, `settle`, `refund` and `slash` and checked against the stored hash.
    /// @dev Only `keccak256(abi.encode(request))` is stored, so field widths bound values rather than pack
    ///      storage. Fees, bond, verifier and windows are snapshots: later governance or price changes do not
    ///      affect a request already made.
    struct Request {
        /// The account that paid; receives refunds and, if `callbackFlags` ≠ 0, the consumer callbacks.
        address requester;
        /// The model (registry id).
        uint64 modelId;
        /// The model's verifier at request time (an `IProofVerifier`).
        address verifier;
        /// The model's output word count.
        uint16 outputWords;
        /// Bit 0 (`CALLBACK_ON_COMMIT`): call back on commit; bit 1 (`CALLBACK_ON_SETTLE`): on settlement.
        uint8 callbackFlags;
        /// Gas given to each callback (≤ the governance cap at request time).
        uint32 callbackGasLimit;
        /// The model fee escrowed, paid to the committing node on settlement.
        uint96 modelFee;
        /// The protocol settlement fee escrowed, burned on settlement.
        uint96 settlementFee;
        /// The callback gas fee escrowed: `callbackGasLimit` × callbacks asked × `callbackGasPrice` at request time,
        /// in OPG wei; zero without callbacks. Paid to the committing node on settlement; returned to the requester
        /// on refund and on slash.
        uint96 callbackFee;
        /// The bond locked from the committing node's stake, slashed if no proof arrives in time.
        uint96 bond;
        /// Last second (inclusive) at which a commit is accepted.
        uint64 commitDeadline;
        /// Seconds after the commit within which (inclusive) the proof must settle.
        uint32 proofWindow;
        /// The packed input words, each < r; length = the model's input word count.
        uint256[] input;
    }

    /// @notice Governance parameters.
    /// @dev Storage layout: slot 0: `baseSettlementFee` (96) | `settlementFeeBps` (16) | `slashCompensationBps`
    ///      (16) | `commitWindow` (32) | `proofWindow` (32) | `maxCallbackGas` (32) | `callbackGasPrice` (32) —
    ///      full; slot 1: `requestBond` (96) | `slashRemainderRecipient` (160). A request reads both slots.
    struct HubParams {
        /// Flat part of the settlement fee, in OPG wei.
        uint96 baseSettlementFee;
        /// Proportional part of the settlement fee, in basis points of the model fee (≤ 10,000).
        uint16 settlementFeeBps;
        /// Share of a slashed bond paid to the requester, in basis points (≤ 10,000).
        uint16 slashCompensationBps;
        /// Seconds after a request during which a commit is accepted (> 0).
        uint32 commitWindow;
        /// Seconds after a commit during which the proof is accepted (> 0).
        uint32 proofWindow;
        /// Cap on a request's `callbackGasLimit`.
        uint32 maxCallbackGas;
        /// Price of callback gas the requester pays, in OPG gwei (10^9 OPG wei) per gas unit of `callbackGasLimit`
        /// per callback; must be > 0 while `maxCallbackGas` > 0. A uint32 in gwei spans 10^-9 to ≈ 4.29 OPG per
        /// gas, and keeps the largest callback fee (2 × 5,000,000 gas × (2^32 − 1) gwei ≈ 4.3·10^7 OPG) below 2^96.
        uint32 callbackGasPrice;
        /// Bond locked from the committing node's stake per request.
        uint96 requestBond;
        /// Receives the part of a slashed bond not paid to the requester; zero address = burn it.
        address slashRemainderRecipient;
    }

    /// @notice One commitment of a `commitBatch`.
    struct CommitItem {
        /// The request.
        bytes32 requestId;
        /// The request exactly as emitted in `Requested`.
        Request request;
        /// Output words (length = `request.outputWords`, each < r).
        uint256[] output;
    }

    /// @notice A zero address was given where a contract or account is required.
    error HubZeroAddress();
    /// @notice The model is inactive (deactivated); unknown models revert `RegistryModelUnknown`.
    /// @param modelId The model.
    error HubModelInactive(uint64 modelId);
    /// @notice The model's verification mode is not supported by this hub.
    /// @param modelId The model.
    /// @param mode The model's mode (`IModelRegistry.VerificationMode`).
    error HubModeUnsupported(uint64 modelId, uint8 mode);
    /// @notice The input has the wrong number of words.
    /// @param expected The model's input word count.
    /// @param actual The number given.
    error HubInputLengthMismatch(uint256 expected, uint256 actual);
    /// @notice An input word is not below the scalar field modulus r.
    /// @param index The word's position.
    /// @param value The word.
    error HubInputWordOutOfField(uint256 index, uint256 value);
    /// @notice The output has the wrong number of words.
    /// @param expected The model's output word count.
    /// @param actual The number given.
    error HubOutputLengthMismatch(uint256 expected, uint256 actual);
    /// @notice An output word is not below the scalar field modulus r.
    /// @param index The word's position.
    /// @param value The word.
    error HubOutputWordOutOfField(uint256 index, uint256 value);
    /// @notice The total fee (model fee + settlement fee + callback fee) exceeds the caller's maximum.
    /// @param total The current total fee.
    /// @param maxTotalFee The caller's maximum.
    error HubFeeAboveMax(uint256 total, uint256 maxTotalFee);
    /// @notice The requested callback gas limit is above the governance cap.
    /// @param callbackGasLimit The limit asked.
    /// @param cap The cap.
    error HubCallbackGasAboveCap(uint256 callbackGasLimit, uint256 cap);
    /// @notice Callback flags other than bits 0 and 1 are set, or flags without a gas limit.
    /// @param callbackFlags The flags given.
    error HubInvalidCallbackFlags(uint8 callbackFlags);
    /// @notice The EIP-2612 permit failed and the existing allowance does not cover the fee.
    /// @param owner The requester.
    /// @param value The permit value (the caller's `maxTotalFee`).
    /// @param deadline The permit deadline.
    /// @param reason The token's revert data (e.g. `ERC2612ExpiredSignature`, `ERC2612InvalidSigner`).
    error HubPermitFailed(address owner, uint256 value, uint256 deadline, bytes reason);
    /// @notice The request is not in the status this call needs.
    /// @param requestId The request.
    /// @param actual Its status.
    /// @param expected The status needed.
    error HubUnexpectedStatus(bytes32 requestId, RequestStatus actual, RequestStatus expected);
    /// @notice The resupplied request (or output), or a `settleBatch` item's terms, signals or the batch's verifier
    ///         and word counts, do not match what the hub stored for this id.
    /// @param requestId The request.
    error HubRequestMismatch(bytes32 requestId);
    /// @notice The commit deadline has passed.
    /// @param requestId The request.
    /// @param deadline The commit deadline.
    error HubCommitDeadlinePassed(bytes32 requestId, uint64 deadline);
    /// @notice A refund was asked before the commit deadline passed.
    /// @param requestId The request.
    /// @param deadline The commit deadline.
    error HubCommitDeadlineNotPassed(bytes32 requestId, uint64 deadline);
    /// @notice The proof deadline has passed (the commitment can only be slashed now).
    /// @param requestId The request.
    /// @param deadline The proof deadline.
    error HubProofDeadlinePassed(bytes32 requestId, uint64 deadline);
    /// @notice A slash was asked before the proof deadline passed.
    /// @param requestId The request.
    /// @param deadline The proof deadline.
    error HubProofDeadlineNotPassed(bytes32 requestId, uint64 deadline);
    /// @notice The node's stake not already locked by bonds is below this request's bond.
    /// @param node The node.
    /// @param free Its unlocked stake.
    /// @param bond The bond needed.
    error HubInsufficientFreeStake(address node, uint256 free, uint256 bond);
    /// @notice Too little gas was forwarded to give the callback its gas limit (63/64 rule).
    /// @param requestId The request.
    /// @param gasLeft Gas left before the call.
    /// @param required Gas needed.
    error HubInsufficientCallbackGas(bytes32 requestId, uint256 gasLeft, uint256 required);
    /// @notice The caller has no earnings to withdraw.
    /// @param node The caller.
    error HubNothingToWithdraw(address node);
    /// @notice No settlement fees are waiting to be burned.
    error HubNothingToBurn();
    /// @notice A batch call was given no items.
    error HubBatchEmpty();
    /// @notice The same request appears twice in one `settleBatch`.
    /// @param requestId The request.
    error HubBatchDuplicate(bytes32 requestId);
    /// @notice `settleBatch`'s items are not a whole number (≥ 1) of items of the batch's shape.
    /// @param length The bytes given.
    /// @param itemBytes The bytes of one item: 132 + 32·(outputWords + inputWords) + 256.
    error HubBatchLength(uint256 length, uint256 itemBytes);
    /// @notice A governance parameter is out of range.
    /// @param name The parameter's name.
    /// @param value The rejected value.
    error HubInvalidParam(string name, uint256 value);
    /// @notice An amount does not fit its 96-bit field.
    /// @param amount The amount.
    error HubAmountTooLarge(uint256 amount);
    /// @notice A request was made while the hub is paused (also: `pause` while already paused). The name and
    ///         signature are OpenZeppelin `Pausable`'s, so tooling that knows that error decodes it.
    error EnforcedPause();
    /// @notice `unpause` was called while the hub is not paused (OpenZeppelin `Pausable`'s signature).
    error ExpectedPause();

    /// @notice A request was made and its fees escrowed.
    /// @param requestId The id (`keccak256(abi.encode(block.chainid, hub, nonce))`).
    /// @param modelId The model.
    /// @param requester The payer.
    /// @param request The full struct to resupply to `commit`, `settle`, `refund` and `slash`.
    event Requested(bytes32 indexed requestId, uint64 indexed modelId, address indexed requester, Request request);
    /// @notice A node committed a result and locked its bond.
    /// @param requestId The request.
    /// @param node The committing node, the only one that can be paid for this request.
    /// @param output The committed output words (resupply to `settle` / `slash`).
    /// @param proofDeadline Last second at which the proof settles.
    event Committed(bytes32 indexed requestId, address indexed node, uint256[] output, uint64 proofDeadline);
    /// @notice A `commitBatch` item was skipped: the request is no longer Requested (another node committed it
    ///         first, or it was refunded) or its commit deadline passed. Nothing was locked or written for it.
    /// @param requestId The request.
    /// @param node The caller of `commitBatch`.
    /// @param status The request's status when skipped.
    /// @param deadline The request's stored deadline (commit deadline while Requested).
    event CommitSkipped(bytes32 indexed requestId, address indexed node, RequestStatus status, uint64 deadline);
    /// @notice A commitment was proven: the node was credited and the settlement fee queued for burning.
    /// @param requestId The request.
    /// @param node The node credited (with `modelFee + callbackFee`).
    /// @param modelFee The model fee credited to the node.
    /// @param callbackFee The callback gas fee credited to the node.
    /// @param settlementFeeBurned The amount added to `pendingBurn`.
    event Settled(
        bytes32 indexed requestId,
        address indexed node,
        uint256 modelFee,
        uint256 callbackFee,
        uint256 settlementFeeBurned
    );
    /// @notice An uncommitted request expired and its escrow went back to the requester.
    /// @param requestId The request.
    /// @param requester The requester.
    /// @param amount The amount returned.
    event Refunded(bytes32 indexed requestId, address indexed requester, uint256 amount);
    /// @notice An unproven commitment was slashed.
    /// @param requestId The request.
    /// @param node The node slashed.
    /// @param requester The requester.
    /// @param refunded Escrow returned to the requester.
    /// @param compensation Part of the bond paid to the requester.
    /// @param remainder Rest of the bond: burned (recipient zero) or sent to `recipient`.
    /// @param recipient Receiver of the remainder, zero when burned.
    event Slashed(
        bytes32 indexed requestId,
        address indexed node,
        address indexed requester,
        uint256 refunded,
        uint256 compensation,
        uint256 remainder,
        address recipient
    );
    /// @notice The outcome of a consumer callback.
    /// @param requestId The request.
    /// @param stage `CALLBACK_ON_COMMIT` or `CALLBACK_ON_SETTLE`.
    /// @param success Whether the consumer returned without reverting.
    event CallbackCompleted(bytes32 indexed requestId, uint8 stage, bool success);
    /// @notice A node withdrew its earnings.
    /// @param node The node.
    /// @param to The receiver.
    /// @param amount The amount.
    event EarningsWithdrawn(address indexed node, address indexed to, uint256 amount);
    /// @notice Accumulated settlement fees and slash remainders were burned.
    /// @param amount The amount burned.
    event BurnFlushed(uint256 amount);
    /// @notice Governance parameters changed.
    /// @param params The new parameters.
    event ParamsUpdated(HubParams params);
    /// @notice New requests were stopped (OpenZeppelin `Pausable`'s signature).
    /// @param account The owner who paused.
    event Paused(address account);
    /// @notice New requests were resumed (OpenZeppelin `Pausable`'s signature).
    /// @param account The owner who unpaused.
    event Unpaused(address account);

    /// @notice Makes a request, pulling `quoteRequest(modelId, callbackGasLimit, callbackFlags).total` with an
    ///         existing allowance.
    /// @param modelId An active ZK or TEE model.
    /// @param input Packed input words (length = the model's `inputWords`, each < r).
    /// @param callbackGasLimit Gas for each callback (0 with no flags; ≤ `maxCallbackGas`).
    /// @param callbackFlags `CALLBACK_ON_COMMIT` | `CALLBACK_ON_SETTLE`, or 0.
    /// @param maxTotalFee Reverts `HubFeeAboveMax` if the total fee (callback fee included) is higher (protects
    ///        against price changes).
    /// @return requestId The new request's id.
    function request(
        uint64 modelId,
        uint256[] calldata input,
        uint32 callbackGasLimit,
        uint8 callbackFlags,
        uint256 maxTotalFee
    ) external returns (bytes32 requestId);

    /// @notice As `request`, first calling the token's EIP-2612 `permit(msg.sender, hub, maxTotalFee, ...)`.
    ///         A failed permit is tolerated when the allowance already covers the fee (front-run permits).
    /// @param modelId An active ZK or TEE model.
    /// @param input Packed input words.
    /// @param callbackGasLimit Gas for each callback.
    /// @param callbackFlags Callback flags.
    /// @param maxTotalFee The maximum fee, also the permit's value.
    /// @param permitDeadline The permit's deadline.
    /// @param v Signature v.
    /// @param r Signature r.
    /// @param s Signature s.
    /// @return requestId The new request's id.
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
    ) external returns (bytes32 requestId);

    /// @notice Commits `output` for a request; the first valid commit wins. The caller must be opted in to the
    ///         model with at least the minimum stake, and have `req.bond` of stake not yet locked.
    /// @param requestId The request.
    /// @param req The request exactly as emitted in `Requested`.
    /// @param output Output words (length = `req.outputWords`, each < r).
    function commit(bytes32 requestId, Request calldata req, uint256[] calldata output) external;

    /// @notice Settles a commitment with a proof; callable by anyone, pays only the committing node: it is credited
    ///         `req.modelFee` and the whole `req.callbackFee` (it provisioned the commit callback's gas, and the
    ///         settle callback's when it settles itself).
    /// @param requestId The request.
    /// @param req The request as emitted in `Requested`.
    /// @param output The output words as emitted in `Committed`.
    /// @param proof `abi.encode(uint256[8])` Groth16 proof for public signals `output ++ req.input`.
    function settle(bytes32 requestId, Request calldata req, uint256[] calldata output, bytes calldata proof)
        external;

    /// @notice Commits many results in one transaction, exactly as `commit` would one by one, except that an item
    ///         whose request is no longer Requested (a racing node committed first; refunded) or past its commit
    ///         deadline is skipped and reported (`CommitSkipped`) instead of reverting the batch. A request that does
    ///         not match its binding, a bad output or too little free stake reverts the whole batch. Bonds are locked
    ///         with one write of the caller's account; commit callbacks run after every item is recorded.
    /// @param items The commitments.
    /// @return committed The number of items committed (the rest were skipped).
    function commitBatch(CommitItem[] calldata items) external returns (uint256 committed);

    /// @notice Settles many commitments whose requests share one verifier, with one `verifyProofBatch` call
    ///         (`IBatchProofVerifier`): the whole batch reverts if any proof is invalid, any item is not
    ///         settleable (status, deadline, terms) or a request appears twice. Each node is credited once and the
    ///         settlement fees are queued for burning with one write; `Settled` is emitted per request as `settle`
    ///         does, and settle callbacks run after every item is recorded.
    /// @dev Items are packed, not ABI-encoded: per request only what settlement needs, checked against the
    ///      settlement binding stored at commit (`RequestHashing.bindSettlement`), so a settlement reads one slot.
    ///      Each item, `132 + 32·(outputWords + inputWords) + 256` bytes:
    ///      `requestId` (32) ‖ `node` (20, the committing node) ‖ `proofDeadline` (8) ‖ `modelFee` (12) ‖
    ///      `callbackFee` (12) ‖ `settlementFee` (12) ‖ `bond` (12) ‖ `settleCallbackGas` (4) ‖ `requester` (20) ‖
    ///      output words (32 each) ‖ input words (32 each) ‖ proof (256). `settleCallbackGas` is the request's
    ///      `callbackGasLimit` when it asked for a settle callback, zero otherwise (then none runs). `node` and
    ///      `proofDeadline` are those of `Committed` (`requestState`); everything else is the request's.
    /// @param verifier Every request's verifier (their `Request.verifier`).
    /// @param outputWords Output words per request (the model's).
    /// @param inputWords Input words per request (the model's).
    /// @param items The packed items.
    function settleBatch(address verifier, uint16 outputWords, uint16 inputWords, bytes calldata items) external;

    /// @notice Commits and settles a request of a TEE-mode model in one call: the result arrives with the enclave's
    ///         signature, checked by the request's verifier (`ITeeResultVerifier.verifyResult`, over chain, verifier,
    ///         hub, request id, model, input hash, output hash, the caller as the node to pay, and an expiry).
    ///         Same checks as `commit` (status, deadline, binding, output, the caller registered for the model), except
    ///         that no bond is locked or needs to be free: the result is final in this call, so there is no proof
    ///         window in which a bond could be slashed. Then the same payment and burn as `settle`.
    ///         Emits `Committed` (proof deadline = now) and `Settled`; runs the commit, then the settle callback.
    /// @param requestId The request.
    /// @param req The request exactly as emitted in `Requested`.
    /// @param output Output words (length = `req.outputWords`, each < r).
    /// @param signature `expiry (8) ‖ r (32) ‖ s (32) ‖ v (1)` by an enclave key active for the model.
    function commitAndSettle(bytes32 requestId, Request calldata req, uint256[] calldata output, bytes calldata signature)
        external;

    /// @notice Returns the escrow (callback fee included: no callback ran) of a request nobody committed to by its
    ///         deadline; callable by anyone.
    /// @param requestId The request.
    /// @param req The request as emitted in `Requested`.
    function refund(bytes32 requestId, Request calldata req) external;

    /// @notice Slashes a commitment not proven by its proof deadline; callable by anyone. The requester gets
    ///         the whole escrow back plus `slashCompensationBps` of the bond; the rest is burned or sent as set.
    ///         The callback fee goes back too: a node is paid only for a proven result, and a commit callback it
    ///         ran delivered an unproven one.
    /// @param requestId The request.
    /// @param req The request as emitted in `Requested`.
    /// @param output The output words as emitted in `Committed`.
    function slash(bytes32 requestId, Request calldata req, uint256[] calldata output) external;

    /// @notice Sends all of the caller's earnings to `to`. Works while paused.
    /// @param to The receiver (non-zero).
    /// @return amount The amount sent.
    function withdrawEarnings(address to) external returns (uint256 amount);

    /// @notice Burns all accumulated settlement fees and slash remainders; callable by anyone.
    /// @return amount The amount burned.
    function flushBurn() external returns (uint256 amount);

    /// @notice Sets governance parameters; only the owner.
    /// @param params The new parameters.
    function setParams(HubParams calldata params) external;

    /// @notice Stops new requests (nothing else); only the owner.
    function pause() external;

    /// @notice Resumes new requests; only the owner.
    function unpause() external;

    /// @notice The fee a request for `modelId` without callbacks costs now; reverts like `request` for
    ///         unknown/inactive models. Requests with callbacks cost more: quote them with `quoteRequest`.
    /// @param modelId The model.
    /// @return modelFee Paid to the node on settlement.
    /// @return settlementFee Burned on settlement.
    /// @return total `modelFee + settlementFee`, the amount to approve.
    function quote(uint64 modelId) external view returns (uint256 modelFee, uint256 settlementFee, uint256 total);

    /// @notice The fee `request(modelId, _, callbackGasLimit, callbackFlags, _)` costs now, split in its parts;
    ///         reverts like `request` for unknown/inactive models and invalid callback settings.
    /// @param modelId The model.
    /// @param callbackGasLimit Gas for each callback (0 with no flags).
    /// @param callbackFlags `CALLBACK_ON_COMMIT` | `CALLBACK_ON_SETTLE`, or 0.
    /// @return modelFee Paid to the node on settlement.
    /// @return settlementFee Burned on settlement (depends on the model fee only).
    /// @return callbackFee `callbackGasLimit` × callbacks × `callbackGasPrice` × 10^9, paid to the node on settlement.
    /// @return total `modelFee + settlementFee + callbackFee`, the amount to approve (and the least `maxTotalFee`).
    function quoteRequest(uint64 modelId, uint32 callbackGasLimit, uint8 callbackFlags)
        external
        view
        returns (uint256 modelFee, uint256 settlementFee, uint256 callbackFee, uint256 total);

    /// @notice The stored state of a request.
    /// @param requestId The request.
    /// @return status Its status.
    /// @return deadline Commit deadline while Requested, proof deadline once Committed.
    /// @return node The committing node (zero before a commit).
    /// @return binding The stored hash binding the request (and output once committed); zero once final.
    function requestState(bytes32 requestId)
        external
        view
        returns (RequestStatus status, uint64 deadline, address node, bytes32 binding);

    /// @notice The hash the hub binds a request by: `keccak256(abi.encode(req))`.
    /// @param req The request.
    /// @return requestHash The hash.
    function hashRequest(Request calldata req) external pure returns (bytes32 requestHash);

    /// @notice The id the next request will get.
    /// @return requestId `keccak256(abi.encode(block.chainid, address(this), nextNonce()))`.
    function nextRequestId() external view returns (bytes32 requestId);

    /// @notice The nonce the next request will use.
    /// @return nonce The nonce.
    function nextNonce() external view returns (uint256 nonce);

    /// @notice A node's bonds locked by open commitments and its withdrawable earnings.
    /// @param node The node.
    /// @return lockedBond Sum of bonds of its unsettled commitments.
    /// @return earnings Withdrawable model and callback fees.
    function nodeAccount(address node) external view returns (uint256 lockedBond, uint256 earnings);

    /// @notice Sum of bonds of `node`'s open commitments (NodeStaking refuses to unbond below it).
    /// @param node The node.
    /// @return lockedBond The amount.
    function lockedBondOf(address node) external view returns (uint256 lockedBond);

    /// @notice Settlement fees and slash remainders waiting for `flushBurn`.
    /// @return amount The amount.
    function pendingBurn() external view returns (uint256 amount);

    /// @notice Sum of all fees escrowed by requests not yet settled, refunded or slashed.
    /// @return amount The amount.
    function totalEscrowed() external view returns (uint256 amount);

    /// @notice The current governance parameters.
    /// @return params The parameters.
    function params() external view returns (HubParams memory params);

    /// @notice Whether new requests are stopped.
    /// @return isPaused True while paused.
    function paused() external view returns (bool isPaused);
}
