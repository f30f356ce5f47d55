import * as ort from "onnxruntime-node";
import { argmax } from "../argmax.ts";
import { createPrng } from "../prng.ts";
import type { FloatNetwork } from "./parseNetwork.ts";
import { type QuantNetwork, quantForward, quantizeInput } from "./quantize.ts";

/** Float-vs-quantized comparison over a sample. */
export interface AccuracyReport {
  samples: number;
  maxAbsError: number;
  meanAbsError: number;
  /** Share of samples whose argmax agrees (outputs with more than one value), else null. */
  argmaxAgreement: number | null;
}

/** `count` uniform random inputs of `size` values in [lo, hi], seeded: the same seed, the same inputs. */
export function randomInputs(count: number, size: number, range: [number, number], seed: number): number[][] {
  const prng = createPrng(seed);
  return Array.from({ length: count }, () => Array.from({ length: size }, () => prng.uniform(range[0], range[1])));
}

/**
 * Runs the original ONNX model (onnxruntime, float) and the integer network on the same inputs and
 * compares outputs in the float domain.
 */
export async function measureAccuracy(
  onnxBytes: Uint8Array,
  net: FloatNetwork,
  qnet: QuantNetwork,
  inputs: number[][],
  inputElemType: number,
): Promise<AccuracyReport> {
  const session = await ort.InferenceSession.create(onnxBytes);
  let maxAbs = 0;
  let sumAbs = 0;
  let count = 0;
  let agree = 0;
  try {
    for (const x of inputs) {
      const tensor =
        inputElemType === 11
          ? new ort.Tensor("float64", Float64Array.from(x), net.inputShape)
          : new ort.Tensor("float32", Float32Array.from(x), net.inputShape);
      const result = await session.run({ [net.inputName]: tensor });
      const ref = Array.from(Object.values(result)[0]!.data as Float32Array, Number);
      const q = quantForward(qnet, quantizeInput(qnet, x));
      const deq = q.map((v) => Number(v) / 2 ** qnet.outputFraction);
      deq.forEach((v, i) => {
        const e = Math.abs(v - ref[i]!);
        maxAbs = Math.max(maxAbs, e);
        sumAbs += e;
        count++;
      });
      if (argmax(deq) === argmax(ref)) agree++;
    }
  } finally {
    await session.release();
  }
  return {
    samples: inputs.length,
    maxAbsError: maxAbs,
    meanAbsError: count ? sumAbs / count : 0,
    argmaxAgreement: qnet.outputSize > 1 ? agree / inputs.length : null,
  };
}
