import { describe, expect, it } from "vitest";
import {
  normalizeRiskFeatures,
  RISK_FEATURES,
  renderDigit,
  syntheticDefiRisk,
  syntheticDigits,
} from "../../../models/index.ts";
import { createPrng } from "../../../zkml/index.ts";

describe("seeded PRNG", () => {
  it("repeats its sequence for a seed and differs across seeds", () => {
    const a = createPrng(7);
    const b = createPrng(7);
    const c = createPrng(8);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
    for (const v of seqA) expect(v >= 0 && v < 1).toBe(true);
  });
});

describe("synthetic digits", () => {
  it("renders balanced 28×28 images in [0, 1] with ink on the strokes", () => {
    const data = syntheticDigits(20, 1);
    expect(data.labels).toEqual([...Array(10).keys(), ...Array(10).keys()]);
    for (const image of data.inputs) {
      expect(image).toHaveLength(784);
      for (const v of image) expect(v >= 0 && v <= 1).toBe(true);
      expect(image.filter((v) => v > 0.6).length).toBeGreaterThan(30);
    }
    expect(syntheticDigits(20, 1)).toEqual(data);
  });

  it("rejects a digit outside 0..9", () => {
    expect(() => renderDigit(10, createPrng(1))).toThrow(/digit must be an integer 0..9, got 10/);
  });
});

describe("synthetic DeFi risk data", () => {
  it("has all three classes and inputs in [-1, 1]", () => {
    const data = syntheticDefiRisk(3000, 3);
    const counts = [0, 0, 0];
    for (const label of data.labels) counts[label]!++;
    for (const count of counts) expect(count).toBeGreaterThan(300);
    for (const x of data.inputs) for (const v of x) expect(Math.abs(v)).toBeLessThanOrEqual(1);
  });

  it("normalises raw features and names bad input", () => {
    const raw = RISK_FEATURES.map((f) => f.max);
    expect(normalizeRiskFeatures(raw)).toEqual(RISK_FEATURES.map(() => 1));
    expect(() => normalizeRiskFeatures([1, 2])).toThrow(/expected 8 risk features, got 2/);
    expect(() => normalizeRiskFeatures(raw.map((v, k) => (k === 3 ? Number.NaN : v)))).toThrow(/utilisation/);
  });
});
