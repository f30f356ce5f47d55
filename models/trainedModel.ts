import { createPrng } from "../zkml/index.ts";
import { classificationAccuracy } from "./mlp.ts";
import { type ReferenceModel, type ReferenceModelInfo, referenceModel } from "./referenceModel.ts";
import { type Dataset, type TrainOptions, trainClassifier } from "./train.ts";

/** A classifier trained in-repo: its data, its Adam settings and what it says about itself. */
export interface TrainedModelSpec extends Pick<ReferenceModelInfo, "name" | "description" | "inputRange" | "labels"> {
  /** Layer widths, input first. */
  readonly shape: readonly number[];
  readonly train: Dataset;
  /** Held-out set: the first `sampleCount` inputs become the sample inputs. */
  readonly test: Dataset;
  /** Adam settings and the seed of the initial weights. */
  readonly training: Omit<TrainOptions, "shape" | "prng"> & { readonly initSeed: number };
  readonly sampleCount: number;
  /** The first this many training inputs calibrate the compiler's quantization. */
  readonly calibrationSize: number;
  /** What one training example is, for `weightsOrigin` ("synthetic digit images"). */
  readonly examples: string;
}

/** Trains the classifier of `spec` and describes it, with its held-out float accuracy. */
export function buildTrainedModel(spec: TrainedModelSpec): ReferenceModel {
  const { initSeed, ...adam } = spec.training;
  const mlp = trainClassifier(spec.train, { ...adam, shape: spec.shape, prng: createPrng(initSeed) });
  const { test } = spec;
  return referenceModel(mlp, {
    name: spec.name,
    description: spec.description,
    inputRange: spec.inputRange,
    labels: spec.labels,
    sampleInputs: test.inputs.slice(0, spec.sampleCount),
    calibrationInputs: spec.train.inputs.slice(0, spec.calibrationSize),
    heldOutAccuracy: { accuracy: classificationAccuracy(mlp, test.inputs, test.labels), samples: test.inputs.length },
    weightsOrigin: `trained in-repo: Adam, ${adam.epochs} epochs, ${spec.train.inputs.length} ${spec.examples}`,
  });
}
