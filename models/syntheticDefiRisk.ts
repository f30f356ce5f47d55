import { createPrng, type Prng } from "../zkml/index.ts";
import type { Dataset } from "./train.ts";

/** One input feature of the DeFi risk model: its raw unit and the range mapped onto [-1, 1]. */
export interface RiskFeature {
  readonly name: string;
  readonly description: string;
  /** Raw value mapped to −1. */
  readonly min: number;
  /** Raw value mapped to +1. */
  readonly max: number;
}

/** Features in input order. The model takes them normalised to [-1, 1] ({@link normalizeRiskFeatures}). */
export const RISK_FEATURES: readonly RiskFeature[] = [
  { name: "return24h", description: "asset return over 24 h (fraction)", min: -0.3, max: 0.3 },
  { name: "volatility7d", description: "annualised 7-day realised volatility (fraction)", min: 0, max: 2 },
  { name: "volumeChange", description: "log ratio of 24 h volume to its 7-day mean", min: -2, max: 2 },
  { name: "utilisation", description: "lending pool utilisation (fraction)", min: 0, max: 1 },
  { name: "collateralRatio", description: "position collateral / debt", min: 1, max: 3 },
  { name: "liquidityDepth", description: "order-book depth within 2% / position size (log10)", min: -1, max: 3 },
  { name: "oracleDeviation", description: "|oracle − DEX price| / price", min: 0, max: 0.05 },
  { name: "fundingRate", description: "perpetual funding rate per 8 h (fraction)", min: -0.003, max: 0.003 },
];

/** Output classes of the DeFi risk model. */
export const RISK_LABELS = ["low", "medium", "high"] as const;

/** Maps raw feature values (units in {@link RISK_FEATURES}) to the model's [-1, 1] inputs, clipped. */
export function normalizeRiskFeatures(raw: readonly number[]): number[] {
  if (raw.length !== RISK_FEATURES.length) {
    throw new Error(`expected ${RISK_FEATURES.length} risk features, got ${raw.length}`);
  }
  return raw.map((value, k) => {
    const f = RISK_FEATURES[k]!;
    if (!Number.isFinite(value)) throw new Error(`risk feature ${f.name} is not a finite number: ${value}`);
    const scaled = Math.max(-1, Math.min(1, (2 * (value - f.min)) / (f.max - f.min) - 1));
    return Math.round(scaled * 1e4) / 1e4; // 4 decimals: finer than the circuit's fixed point
  });
}

/** Draws plausible raw market features (correlated: volatile markets move more and fund harder). */
function drawRawFeatures(prng: Prng): number[] {
  const regime = prng.next(); // 0 calm … 1 stressed
  const vol = Math.max(0.05, 0.2 + 1.3 * regime * regime + 0.15 * prng.normal());
  const ret = (vol / Math.sqrt(365)) * prng.normal() * 1.5;
  return [
    ret,
    vol,
    0.6 * prng.normal() + regime * 0.8 - 0.3,
    Math.min(0.999, Math.max(0, 0.55 + 0.3 * regime + 0.15 * prng.normal())),
    prng.uniform(1.05, 3),
    prng.uniform(-1, 3),
    Math.abs(0.004 + 0.01 * regime * prng.normal()),
    0.0008 * prng.normal() + 0.0008 * regime,
  ];
}

/**
 * Latent liquidation risk of a position: volatility relative to the collateral buffer dominates,
 * with a penalty for crowded pools, thin books, oracle divergence and sharp moves.
 */
function latentRisk(raw: readonly number[]): number {
  const [ret, vol, volume, util, collat, depth, oracle, funding] = raw as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const buffer = Math.log(collat); // distance to liquidation
  return (
    (1.6 * vol) / (buffer + 0.1) +
    4 * Math.max(0, util - 0.85) +
    0.45 * Math.max(0, 1 - depth) +
    25 * oracle +
    3 * Math.abs(ret) +
    0.15 * Math.max(0, volume) +
    150 * Math.abs(funding)
  );
}

/** Class thresholds on the latent risk (chosen so the classes are roughly balanced). */
const RISK_THRESHOLDS = [1.6, 3.0] as const;
/** Label noise: the latent score is observed with this standard deviation before thresholding. */
const RISK_LABEL_NOISE = 0.12;

/** Seeded synthetic dataset: inputs normalised to [-1, 1], labels 0 (low), 1 (medium), 2 (high). */
export function syntheticDefiRisk(count: number, seed: number): Dataset {
  const prng = createPrng(seed);
  const inputs: number[][] = [];
  const labels: number[] = [];
  for (let k = 0; k < count; k++) {
    const raw = drawRawFeatures(prng);
    const score = latentRisk(raw) + RISK_LABEL_NOISE * prng.normal();
    inputs.push(normalizeRiskFeatures(raw));
    labels.push(score < RISK_THRESHOLDS[0] ? 0 : score < RISK_THRESHOLDS[1] ? 1 : 2);
  }
  return { inputs, labels };
}
