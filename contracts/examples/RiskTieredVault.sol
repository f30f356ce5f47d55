// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {InferenceConsumer} from "../consumer/InferenceConsumer.sol";
import {IInferenceHub} from "../interfaces/IInferenceHub.sol";
import {OutputPacking} from "../libraries/OutputPacking.sol";
import {IRiskTieredVault} from "./interfaces/IRiskTieredVault.sol";

/// @title RiskTieredVault
/// @notice Example dApp: sets each borrower's collateral factor from the demo risk model's tier. Optimistic on
///         commit (the tier's factor, capped until proven), final on settlement, back to the safe default on
///         refund or slash, with the borrower's fee returned.
/// @dev The model's 3 outputs fit one word (`OUTPUT_BITS` each, from the model's manifest); the tier is their
///      argmax. Callbacks run with `CALLBACK_GAS` each; the settle callback must never fail for lack of gas, since
///      a lost settlement leaves the borrower provisional (at the cap) until the next assessment.
contract RiskTieredVault is InferenceConsumer, IRiskTieredVault {
    using SafeERC20 for IERC20;

    /// @notice Factor of a proven low-risk borrower.
    uint16 public constant LOW_RISK_FACTOR_BPS = 8_000;
    /// @notice Factor of a proven medium-risk borrower.
    uint16 public constant MEDIUM_RISK_FACTOR_BPS = 6_500;
    /// @notice Factor of a high-risk borrower.
    uint16 public constant HIGH_RISK_FACTOR_BPS = 4_000;
    /// @notice The most an unproven tier unlocks: a forged "low risk" commitment gains at most medium leverage
    ///         for the proof window before it is slashed.
    uint16 public constant PROVISIONAL_CAP_BPS = MEDIUM_RISK_FACTOR_BPS;
    /// @notice Factor without a usable assessment: as strict as high risk.
    uint16 public constant SAFE_DEFAULT_FACTOR_BPS = HIGH_RISK_FACTOR_BPS;
    /// @notice The model's classes.
    uint256 internal constant TIER_COUNT = 3;
    /// @notice Both callbacks: provisional on commit, final on settle.
    uint8 internal constant CALLBACK_FLAGS = 3;

    /// @notice The fee token (the hub's OPG).
    IERC20 public immutable TOKEN;
    /// @notice The risk model's registry id.
    uint64 public immutable MODEL_ID;
    /// @notice Width of each packed output value (manifest `publicSignals.output.bitsPerValue`).
    uint8 public immutable OUTPUT_BITS;
    /// @notice Gas each callback gets.
    uint32 public immutable CALLBACK_GAS;

    mapping(address borrower => Position) private _positions;
    mapping(address borrower => bytes32 requestId) private _inFlight;
    mapping(bytes32 requestId => address borrower) private _borrowers;
    mapping(bytes32 requestId => uint256 fee) private _fees;

    /// @param hub The InferenceHub.
    /// @param token The hub's fee token.
    /// @param modelId The risk model.
    /// @param outputBits The model's packed output width.
    /// @param callbackGas Gas for each callback.
    constructor(address hub, IERC20 token, uint64 modelId, uint8 outputBits, uint32 callbackGas)
        InferenceConsumer(hub)
    {
        TOKEN = token;
        MODEL_ID = modelId;
        OUTPUT_BITS = outputBits;
        CALLBACK_GAS = callbackGas;
    }

    /// @inheritdoc IRiskTieredVault
    function requestAssessment(uint256[] calldata input) external returns (bytes32 requestId) {
        bytes32 pending = _inFlight[msg.sender];
        if (pending != bytes32(0)) revert VaultAssessmentPending(msg.sender, pending);
        (,,, uint256 fee) = IInferenceHub(HUB).quoteRequest(MODEL_ID, CALLBACK_GAS, CALLBACK_FLAGS);
        TOKEN.safeTransferFrom(msg.sender, address(this), fee);
        requestId = _requestInference(MODEL_ID, input, CALLBACK_GAS, CALLBACK_FLAGS, fee);
        (_inFlight[msg.sender], _borrowers[requestId], _fees[requestId]) = (requestId, msg.sender, fee);
        Position storage position = _positions[msg.sender];
        if (position.standing == Standing.Unassessed) position.factorBps = SAFE_DEFAULT_FACTOR_BPS;
        _update(msg.sender, requestId, Standing.Pending, position.tier, position.factorBps);
        emit AssessmentRequested(msg.sender, requestId, fee);
    }

    /// @inheritdoc IRiskTieredVault
    function positionOf(address borrower) external view returns (Position memory position) {
        position = _positions[borrower];
        if (position.factorBps == 0) position.factorBps = SAFE_DEFAULT_FACTOR_BPS;
    }

    /// @inheritdoc IRiskTieredVault
    function collateralFactorBps(address borrower) public view returns (uint16 factorBps) {
        factorBps = _positions[borrower].factorBps;
        if (factorBps == 0) factorBps = SAFE_DEFAULT_FACTOR_BPS;
    }

    /// @inheritdoc IRiskTieredVault
    function borrowLimit(address borrower, uint256 collateralValue) external view returns (uint256 limit) {
        return collateralValue * collateralFactorBps(borrower) / 10_000;
    }

    /// @inheritdoc IRiskTieredVault
    function borrowerOf(bytes32 requestId) external view returns (address borrower) {
        return _borrowers[requestId];
    }

    /// @notice The factor a tier earns once proven.
    /// @param tier The tier.
    /// @return factorBps Its factor.
    function factorFor(RiskTier tier) public pure returns (uint16 factorBps) {
        if (tier == RiskTier.Low) return LOW_RISK_FACTOR_BPS;
        if (tier == RiskTier.Medium) return MEDIUM_RISK_FACTOR_BPS;
        return HIGH_RISK_FACTOR_BPS;
    }

    function _onCommitted(bytes32 requestId, uint256[] calldata output) internal override {
        RiskTier tier = _tier(output);
        uint16 factor = factorFor(tier);
        if (factor > PROVISIONAL_CAP_BPS) factor = PROVISIONAL_CAP_BPS;
        _update(_borrowers[requestId], requestId, Standing.Provisional, tier, factor);
    }

    function _onSettled(bytes32 requestId, uint256[] calldata output) internal override {
        address borrower = _borrowers[requestId];
        RiskTier tier = _tier(output);
        delete _inFlight[borrower];
        _update(borrower, requestId, Standing.Confirmed, tier, factorFor(tier));
    }

    function _onRefunded(bytes32 requestId) internal override {
        _fail(requestId);
    }

    function _onSlashed(bytes32 requestId) internal override {
        // The bond compensation the hub paid stays in the vault as its reserve; the borrower gets its fee back.
        _fail(requestId);
    }

    /// @dev A failed assessment: back to the safe default, and the fee the borrower paid goes back to it.
    function _fail(bytes32 requestId) private {
        address borrower = _borrowers[requestId];
        uint256 fee = _fees[requestId];
        delete _inFlight[borrower];
        delete _fees[requestId];
        _update(borrower, requestId, Standing.Unassessed, RiskTier.Low, SAFE_DEFAULT_FACTOR_BPS);
        TOKEN.safeTransfer(borrower, fee);
    }

    function _update(address borrower, bytes32 requestId, Standing standing, RiskTier tier, uint16 factorBps) private {
        _positions[borrower] =
            Position({factorBps: factorBps, standing: standing, tier: tier, updatedAt: uint64(block.timestamp)});
        emit CollateralFactorUpdated(borrower, requestId, standing, tier, factorBps);
    }

    function _tier(uint256[] calldata output) private view returns (RiskTier) {
        return RiskTier(OutputPacking.argmax(output[0], TIER_COUNT, OUTPUT_BITS));
    }
}
