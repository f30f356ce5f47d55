import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { type FloatNetwork, generateCircuit, quantizeNetwork } from "../../zkml/index.ts";
import { compileCircuit } from "./compileCircuit.ts";
import { BASELINE_TEMPLATES, generateBaselineCircuit } from "./generateBaselineCircuit.ts";
import { SWEEP_WIDTHS } from "./quantizationSweep.ts";

/** Constraint counts of both circuits at one set of widths. */
export interface ConstraintPoint {
  activationBits: number;
  weightBits: number;
  inputBits: number;
  compiled: number;
  baseline: number;
}

async function constraintsOf(r1csPath: string): Promise<number> {
  return ((await snarkjs.r1cs.info(r1csPath)) as { nConstraints: number }).nConstraints;
}

/**
 * Compiles (circom only, no setup) the compiler's circuit (`--O1`, as shipped) and the private-weight
 * baseline (`--O2`) at every width of {@link SWEEP_WIDTHS} and returns their constraint counts.
 */
export async function constraintSweep(
  net: FloatNetwork,
  calibration: number[][],
  outDir: string,
  log: (line: string) => void = () => {},
): Promise<ConstraintPoint[]> {
  const points: ConstraintPoint[] = [];
  for (const [activationBits, weightBits, inputBits] of SWEEP_WIDTHS) {
    const q = quantizeNetwork(net, calibration, { activationBits, weightBits, inputBits });
    const dir = join(outDir, `${activationBits}-${weightBits}-${inputBits}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "compiled.circom"), generateCircuit(q));
    const compiled = await compileCircuit(join(dir, "compiled.circom"), dir, { useTime: false, optimization: "--O1" });
    copyFileSync(BASELINE_TEMPLATES, join(dir, "baseline.circom"));
    writeFileSync(join(dir, "baseline_main.circom"), generateBaselineCircuit(q));
    const baseline = await compileCircuit(join(dir, "baseline_main.circom"), dir, { useTime: false });
    const point = {
      activationBits,
      weightBits,
      inputBits,
      compiled: await constraintsOf(compiled.r1csPath),
      baseline: await constraintsOf(baseline.r1csPath),
    };
    log(
      `constraints ${activationBits}/${weightBits}/${inputBits} bits: compiler ${point.compiled}, baseline ${point.baseline} (${(point.baseline / point.compiled).toFixed(1)}×)`,
    );
    points.push(point);
  }
  return points;
}
