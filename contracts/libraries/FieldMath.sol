// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title FieldMath
/// @notice BN254 moduli used to validate public signals and proof coordinates.
library FieldMath {
    /// @notice The BN254 scalar field modulus r: every public signal must be below it.
    uint256 internal constant SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice The BN254 base field modulus q: every proof coordinate must be below it.
    uint256 internal constant BASE_FIELD =
        21888242871839275222246405745257275088696311157297823662689037894645226208583;
}
