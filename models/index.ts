import { buildDemoModel } from "./demoModel.ts";
import { buildMnistModel } from "./mnistModel.ts";
import { buildTinyModel } from "./tinyModel.ts";

export { type DenseLayer, forwardMlp, type Mlp, mlpShape } from "./mlp.ts";
export { MNIST_EVAL_SEED, MNIST_SHAPE } from "./mnistModel.ts";
export { mlpToOnnx, type ReferenceModel } from "./referenceModel.ts";
export { normalizeRiskFeatures, RISK_FEATURES, RISK_LABELS, syntheticDefiRisk } from "./syntheticDefiRisk.ts";
export { renderDigit, syntheticDigits } from "./syntheticDigits.ts";
export { buildDemoModel, buildMnistModel, buildTinyModel };

/** Builders of all reference models by fixture name (the MNIST one trains for a few seconds). */
export const REFERENCE_MODEL_BUILDERS = {
  tiny: buildTinyModel,
  demo: buildDemoModel,
  mnist: buildMnistModel,
} as const;
