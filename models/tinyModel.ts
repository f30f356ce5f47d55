import { createPrng } from "../zkml/index.ts";
import { type ReferenceModel, referenceModel } from "./referenceModel.ts";
import { randomMlp } from "./train.ts";

/** Seed of the tiny model's weights and samples. */
const TINY_SEED = 0x7141;
/** Layer widths: small enough for a 2^10 powers-of-tau file. */
const TINY_SHAPE = [4, 4, 2] as const;

/**
 * A tiny 4 → 4 → 2 ReLU MLP with seeded random weights, for fast tests of the whole pipeline.
 * Inputs are in [-1, 1].
 */
export function buildTinyModel(): ReferenceModel {
  const prng = createPrng(TINY_SEED);
  const mlp = randomMlp(TINY_SHAPE, prng);
  const draw = (): number[] => Array.from({ length: TINY_SHAPE[0] }, () => Math.round(prng.uniform(-1, 1) * 1e4) / 1e4);
  return referenceModel(mlp, {
    name: "tiny",
    description: "4 → 4 → 2 ReLU MLP with seeded random weights (pipeline tests)",
    inputRange: { min: -1, max: 1 },
    labels: ["class0", "class1"],
    sampleInputs: Array.from({ length: 4 }, draw),
    calibrationInputs: Array.from({ length: 32 }, draw),
    weightsOrigin: "seeded random (He-scaled normal weights, uniform biases in [-0.1, 0.1])",
  });
}
