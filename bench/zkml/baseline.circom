pragma circom 2.1.0;

// Baseline for the model-compiler benchmark, in the style of public circom ML libraries
// (circomlib-ml): weights and biases are PRIVATE signals, so every multiply-accumulate of a dense
// layer is an R1CS constraint. Rescaling, saturation and ReLU (a clamp at 0) follow the compiler's
// integer semantics exactly, with every range fact a constraint (bit widths < 254), so both circuits prove
// the same function and differ only in how the weights enter.

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

// out = clamp(floor(z / 2^SHIFT), LO, HI). Q is the signed width of the quotient for every in-range
// input: z + 2^(Q-1+SHIFT) lies in [0, 2^(Q+SHIFT)), so one bit decomposition yields both the
// remainder (low SHIFT bits, which constrains 0 <= r < 2^SHIFT) and the biased quotient (high Q
// bits). LOW: 0 = no low clamp, 1 = LO is 0 (ReLU: the sign bit decides), 2 = compare with LO.
// HIGH: 1 = compare with HI, 0 = no high clamp.
template RescaleClamp(SHIFT, Q, LO, HI, LOW, HIGH) {
    signal input z;
    signal output out;

    component bits = Num2Bits(Q + SHIFT);
    bits.in <== z + 2 ** (Q - 1 + SHIFT);
    var biased = 0;
    for (var k = 0; k < Q; k++) biased += bits.out[SHIFT + k] * 2 ** k;
    signal quotient <== biased - 2 ** (Q - 1);

    signal isHigh;
    if (HIGH == 1) {
        component above = LessThan(Q);
        above.in[0] <== HI + 2 ** (Q - 1);
        above.in[1] <== biased;
        isHigh <== above.out;
    } else {
        isHigh <== 0;
    }

    signal isLow;
    if (LOW == 1) {
        isLow <== 1 - bits.out[SHIFT + Q - 1];
    } else if (LOW == 2) {
        component below = LessThan(Q);
        below.in[0] <== biased;
        below.in[1] <== LO + 2 ** (Q - 1);
        isLow <== below.out;
    } else {
        isLow <== 0;
    }

    signal kept <== (1 - isHigh - isLow) * quotient;
    out <== kept + isHigh * HI + isLow * LO;
}

// Dense layer with private weights: N*M multiplication constraints plus M rescales. A layer with
// neither shift nor clamp (the compiler's exact last layer) outputs the accumulator as is.
template PrivateDense(N, M, SHIFT, Q, LO, HI, LOW, HIGH) {
    signal input in[N];
    signal input weights[M][N];
    signal input bias[M];
    signal output out[M];

    signal prod[M][N];
    component rescale[M];
    for (var j = 0; j < M; j++) {
        var acc = bias[j];
        for (var i = 0; i < N; i++) {
            prod[j][i] <== weights[j][i] * in[i];
            acc += prod[j][i];
        }
        if (SHIFT == 0 && LOW == 0 && HIGH == 0) {
            out[j] <== acc;
        } else {
            rescale[j] = RescaleClamp(SHIFT, Q, LO, HI, LOW, HIGH);
            rescale[j].z <== acc;
            out[j] <== rescale[j].out;
        }
    }
}
