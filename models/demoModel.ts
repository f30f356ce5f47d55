import type { ReferenceModel } from "./referenceModel.ts";
import { RISK_FEATURES, RISK_LABELS, syntheticDefiRisk } from "./syntheticDefiRisk.ts";
import { buildTrainedModel } from "./trainedModel.ts";

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
  return buildTrainedModel({
    name: "demo",
    description: "DeFi position risk classifier: 8 normalised market features → low / medium / high",
    shape: DEMO_SHAPE,
    inputRange: { min: -1, max: 1 },
    labels: RISK_LABELS,
    train: syntheticDefiRisk(DEMO_TRAIN_SIZE, DEMO_TRAIN_SEED),
    test: syntheticDefiRisk(DEMO_TEST_SIZE, DEMO_TEST_SEED),
    training: {
      epochs: DEMO_EPOCHS,
      batchSize: DEMO_BATCH,
      learningRate: DEMO_LEARNING_RATE,
      weightDecay: DEMO_WEIGHT_DECAY,
      initSeed: DEMO_INIT_SEED,
    },
    sampleCount: 6,
    calibrationSize: DEMO_CALIBRATION_SIZE,
    examples: "synthetic samples",
  });
}
