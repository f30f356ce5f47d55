import { classificationAccuracy } from "./mlp.ts";
import { createPrng } from "./prng.ts";
import { mlpToOnnx, type ReferenceModel } from "./referenceModel.ts";
import { RISK_FEATURES, RISK_LABELS, syntheticDefiRisk } from "./syntheticDefiRisk.ts";
import { trainClassifier } from "./train.ts";

/** Layer widths: 8 market features → 16 hidden → 3 risk classes (fits a 2^12 powers-of-tau file). */
const DEMO_SHAPE = [RISK_FEATURES.length, 16, RISK_LABELS.length] as const;
/** Dataset sizes and seeds (held-out set drawn from a different seed). */
const DEMO_TRAIN_SIZE = 6000;
const DEMO_TEST_SIZE = 2000;
const DEMO_TRAIN_SEED = 11;
const DEMO_TEST_SEED = 12;
const DEMO_INIT_SEED = 5;
/** Adam settings: converged by ~40 epochs on 6k samples (≈1 s). */
const DEMO_EPOCHS = 40;
const DEMO_BATCH = 32;
const DEMO_LEARNING_RATE = 0.01;
const DEMO_WEIGHT_DECAY = 1e-4;
const DEMO_CALIBRATION_SIZE = 64;

/**
 * The demo dApp model: a DeFi position risk classifier (low / medium / high) over 8 market
 * features normalised to [-1, 1] (see `RISK_FEATURES`), trained in-repo with Adam on synthetic data.
 */
export function buildDemoModel(): ReferenceModel {
  const train = syntheticDefiRisk(DEMO_TRAIN_SIZE, DEMO_TRAIN_SEED);
  const test = syntheticDefiRisk(DEMO_TEST_SIZE, DEMO_TEST_SEED);
  const mlp = trainClassifier(train, {
    shape: DEMO_SHAPE,
    epochs: DEMO_EPOCHS,
    batchSize: DEMO_BATCH,
    learningRate: DEMO_LEARNING_RATE,
    weightDecay: DEMO_WEIGHT_DECAY,
    prng: createPrng(DEMO_INIT_SEED),
  });
  const calibration = train.inputs.slice(0, DEMO_CALIBRATION_SIZE);
  return {
    name: "demo",
    description: "DeFi position risk classifier: 8 normalised market features → low / medium / high",
    onnx: mlpToOnnx(mlp),
    mlp,
    shape: DEMO_SHAPE,
    inputShape: [1, DEMO_SHAPE[0]],
    inputRange: { min: -1, max: 1 },
    labels: RISK_LABELS,
    sampleInputs: test.inputs.slice(0, 6),
    calibrationInputs: calibration,
    heldOutAccuracy: { accuracy: classificationAccuracy(mlp, test.inputs, test.labels), samples: DEMO_TEST_SIZE },
    weightsOrigin: `trained in-repo: Adam, ${DEMO_EPOCHS} epochs, ${DEMO_TRAIN_SIZE} synthetic samples`,
  };
}
