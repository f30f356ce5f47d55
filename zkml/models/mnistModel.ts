import { classificationAccuracy } from "./mlp.ts";
import { createPrng } from "./prng.ts";
import { mlpToOnnx, type ReferenceModel } from "./referenceModel.ts";
import { DIGIT_IMAGE_SIDE, syntheticDigits } from "./syntheticDigits.ts";
import { trainClassifier } from "./train.ts";

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
  const train = syntheticDigits(MNIST_TRAIN_SIZE, MNIST_TRAIN_SEED);
  const test = syntheticDigits(MNIST_TEST_SIZE, MNIST_TEST_SEED);
  const mlp = trainClassifier(train, {
    shape: MNIST_SHAPE,
    epochs: MNIST_EPOCHS,
    batchSize: MNIST_BATCH,
    learningRate: MNIST_LEARNING_RATE,
    weightDecay: MNIST_WEIGHT_DECAY,
    prng: createPrng(MNIST_INIT_SEED),
  });
  return {
    name: "mnist",
    description: "784 → 56 → 10 ReLU MLP on synthetic 28×28 digits (benchmark model)",
    onnx: mlpToOnnx(mlp),
    mlp,
    shape: MNIST_SHAPE,
    inputShape: [1, MNIST_SHAPE[0]],
    inputRange: { min: 0, max: 1 },
    labels: Array.from({ length: 10 }, (_, d) => String(d)),
    sampleInputs: test.inputs.slice(0, 10),
    calibrationInputs: train.inputs.slice(0, MNIST_CALIBRATION_SIZE),
    heldOutAccuracy: { accuracy: classificationAccuracy(mlp, test.inputs, test.labels), samples: MNIST_TEST_SIZE },
    weightsOrigin: `trained in-repo: Adam, ${MNIST_EPOCHS} epochs, ${MNIST_TRAIN_SIZE} synthetic digit images`,
  };
}
