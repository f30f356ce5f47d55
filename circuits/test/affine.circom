pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";

// Test circuit for the settlement layer: y = A0·x0 + A1·x1 + B with constant weights (a two-input
// "linear model") and every input range-checked to BITS bits by a bit decomposition (constraints, not
// asserts). Public signals in snarkjs order: output words ++ input words = [y, x0, x1].
template Affine(BITS, A0, A1, B) {
    signal input x[2];
    signal output y;

    component range0 = Num2Bits(BITS);
    component range1 = Num2Bits(BITS);
    range0.in <== x[0];
    range1.in <== x[1];

    y <== A0 * x[0] + A1 * x[1] + B;
}

component main { public [x] } = Affine(32, 3, 5, 7);
