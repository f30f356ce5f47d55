import type { ReferenceModel } from "./referenceModel.ts";
import { DIGIT_IMAGE_SIDE, syntheticDigits } from "./syntheticDigits.ts";
import { buildTrainedModel } from "./trainedModel.ts";

/** Layer widths of the benchmark model (the usual MNIST MLP of ZKML comparisons). */
export const MNIST_SHAPE = [DIGIT_IMAGE_SIDE * DIGIT_IMAGE_SIDE, 56, 10] as const;
/** Dataset sizes and seeds; the held-out set uses its own seed. */
const MNIST_TRAIN_SIZE = 5000;
const MNIST_TEST_SIZE = 1000;
const MNIST_TRAIN_SEED = 21;
const MNIST_TEST_SEED = 22;
const MNIST_INIT_SEED = 5;
/** Adam settings: 4 epochs reach ≈99% on the synthetic digits in a few seconds. */
const MNIST_EPOCHS = 4;
const MNIST_BATCH = 32;
const MNIST_LEARNING_RATE = 0.002;
const MNIST_WEIGHT_DECAY = 1e-4;
const MNIST_CALIBRATION_SIZE = 32;

/** Seed of the benchmark's evaluation digits (distinct from training and held-out seeds). */
export const MNIST_EVAL_SEED = 23;

/**
 * The benchmark model: a 784 → 56 → 10 ReLU MLP over 28×28 images in [0, 1], trained in-repo
 * with Adam on synthetic digit renderings (stroke glyphs with random affine jitter, width, ink and
 * noise). No download: MNIST itself is not available offline.
 */
export function buildMnistModel(): ReferenceModel {
  return buildTrainedModel({
    name: "mnist",
    description: "784 → 56 → 10 ReLU MLP on synthetic 28×28 digits (benchmark model)",
    shape: MNIST_SHAPE,
    inputRange: { min: 0, max: 1 },
    labels: Array.from({ length: 10 }, (_, d) => String(d)),
    train: syntheticDigits(MNIST_TRAIN_SIZE, MNIST_TRAIN_SEED),
    test: syntheticDigits(MNIST_TEST_SIZE, MNIST_TEST_SEED),
    training: {
      epochs: MNIST_EPOCHS,
      batchSize: MNIST_BATCH,
      learningRate: MNIST_LEARNING_RATE,
      weightDecay: MNIST_WEIGHT_DECAY,
      initSeed: MNIST_INIT_SEED,
    },
    sampleCount: 10,
    calibrationSize: MNIST_CALIBRATION_SIZE,
    examples: "synthetic digit images",
  });
}
