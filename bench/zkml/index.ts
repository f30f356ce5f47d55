/** The benchmark baseline (private-weight circuits) and the benchmark's building blocks, for `benchZkml.ts` and tests. */
export { baselineForward } from "./baselineForward.ts";
export { type BaselineBuild, buildBaseline } from "./buildBaseline.ts";
export { buildO1Variant, type O1Variant } from "./buildO1Variant.ts";
export { type CircomRun, compileCircuit } from "./compileCircuit.ts";
export { type ConstraintPoint, constraintSweep } from "./constraintSweep.ts";
export {
  BASELINE_TEMPLATES,
  type BaselineNetwork,
  baselineTemplatesSource,
  baselineWitnessInput,
  decodeSignedSignals,
  generateBaselineCircuit,
} from "./generateBaselineCircuit.ts";
export { quantizationSweep, type SweepPoint } from "./quantizationSweep.ts";
export { countR1csTerms } from "./r1csTerms.ts";
