// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IRiskTieredVault
/// @notice A lending vault's risk desk: each borrower's collateral factor follows a risk tier (low / medium / high)
///         that the demo risk model (8 market features → 3 classes) assigns through the InferenceHub. A committed
///         result applies provisionally (capped), a settled one is confirmed, and a refunded or slashed request puts
///         the borrower back on the safe default factor.
interface IRiskTieredVault {
    /// @notice The model's three classes, in its output order.
    enum RiskTier {
        Low,
        Medium,
        High
    }

    /// @notice How far a borrower's factor can be trusted.
    enum Standing {
        /// Never assessed, or the last assessment failed: the safe default factor applies.
        Unassessed,
        /// An assessment is in flight; the previous factor applies.
        Pending,
        /// A node committed a tier, not yet proven: its factor applies, capped at `PROVISIONAL_CAP_BPS`.
        Provisional,
        /// The tier was proven on chain: its factor applies in full.
        Confirmed
    }

    /// @notice A borrower's current risk position.
    /// @dev One slot: factor (16) | standing (8) | tier (8) | updatedAt (64). solhint counts enums as full words.
    // solhint-disable-next-line gas-struct-packing
    struct Position {
        /// Collateral factor in basis points: borrowable value per unit of collateral value.
        uint16 factorBps;
        /// How far the factor can be trusted.
        Standing standing;
        /// The last tier a node reported (meaningful when Provisional or Confirmed).
        RiskTier tier;
        /// When the position last changed.
        uint64 updatedAt;
    }

    /// @notice The borrower already has an assessment in flight.
    /// @param borrower The borrower.
    /// @param requestId The request in flight.
    error VaultAssessmentPending(address borrower, bytes32 requestId);

    /// @notice An assessment was requested and paid for by the borrower.
    /// @param borrower The borrower.
    /// @param requestId The hub request.
    /// @param fee The fee pulled from the borrower (returned if the request is refunded or slashed).
    event AssessmentRequested(address indexed borrower, bytes32 indexed requestId, uint256 fee);

    /// @notice A borrower's collateral factor changed.
    /// @param borrower The borrower.
    /// @param requestId The request that changed it.
    /// @param standing The new standing.
    /// @param tier The tier reported (Low when the assessment failed).
    /// @param factorBps The new factor.
    event CollateralFactorUpdated(
        address indexed borrower, bytes32 indexed requestId, Standing standing, RiskTier tier, uint16 factorBps
    );

    /// @notice Requests a risk assessment of the caller from its 8 market features (packed input words, as the
    ///         SDK's `encodeInput` makes them), paying the hub's fee in OPG (approve this vault first).
    /// @param input The packed input words.
    /// @return requestId The hub request.
    function requestAssessment(uint256[] calldata input) external returns (bytes32 requestId);

    /// @notice The borrower's position (`factorBps` is the safe default until a first assessment lands).
    /// @param borrower The borrower.
    /// @return position Its position.
    function positionOf(address borrower) external view returns (Position memory position);

    /// @notice The borrower's collateral factor in basis points.
    /// @param borrower The borrower.
    /// @return factorBps The factor.
    function collateralFactorBps(address borrower) external view returns (uint16 factorBps);

    /// @notice What the borrower may borrow against `collateralValue` at its current factor.
    /// @param borrower The borrower.
    /// @param collateralValue The collateral's value, in any unit.
    /// @return limit The borrow limit, in the same unit.
    function borrowLimit(address borrower, uint256 collateralValue) external view returns (uint256 limit);

    /// @notice The borrower whose assessment `requestId` is.
    /// @param requestId The request.
    /// @return borrower The borrower (zero for a request not made by this vault).
    function borrowerOf(bytes32 requestId) external view returns (address borrower);
}
