import { describe, expect, it } from "vitest";
import { bumpFees, capFees, hubGasLimit } from "../../../relayer/tx/chain.ts";

const gwei = (n: number) => BigInt(Math.round(n * 1e9));

describe("fee bumps", () => {
  it("raises both fees by the bump, or to the market when that is more, never above the cap", () => {
    const prev = { maxFeePerGas: gwei(2), maxPriorityFeePerGas: gwei(1) };
    const calm = { maxFeePerGas: gwei(1), maxPriorityFeePerGas: gwei(1) };
    expect(bumpFees(prev, calm, 25, gwei(100))).toEqual({
      maxFeePerGas: gwei(2.5) + 1n,
      maxPriorityFeePerGas: gwei(1.25) + 1n,
    });
    const spike = { maxFeePerGas: gwei(60), maxPriorityFeePerGas: gwei(1) };
    expect(bumpFees(prev, spike, 25, gwei(100))?.maxFeePerGas).toBe(gwei(60));
    expect(bumpFees(prev, spike, 25, gwei(3))).toEqual({
      maxFeePerGas: gwei(3),
      maxPriorityFeePerGas: gwei(1.25) + 1n,
    });
  });

  it("sends no replacement the cap would leave underpriced", () => {
    const atCap = { maxFeePerGas: gwei(3), maxPriorityFeePerGas: gwei(1) };
    expect(bumpFees(atCap, atCap, 25, gwei(3))).toBeUndefined();
    expect(bumpFees({ maxFeePerGas: gwei(2.8), maxPriorityFeePerGas: gwei(1) }, atCap, 25, gwei(3))).toBeUndefined();
  });

  it("caps a first send's fees, tip included", () => {
    expect(capFees({ maxFeePerGas: gwei(60), maxPriorityFeePerGas: gwei(5) }, gwei(3))).toEqual({
      maxFeePerGas: gwei(3),
      maxPriorityFeePerGas: gwei(3),
    });
  });
});

describe("hubGasLimit", () => {
  it("adds the callback's 64/63 share and the hub's reserve only at the stage that calls back", () => {
    const base = hubGasLimit({ op: "settle", callbackGasLimit: 0, callbackFlags: 0, signals: 2 });
    const onCommitOnly = hubGasLimit({ op: "settle", callbackGasLimit: 630_000, callbackFlags: 1, signals: 2 });
    const onSettle = hubGasLimit({ op: "settle", callbackGasLimit: 630_000, callbackFlags: 2, signals: 2 });
    expect(onCommitOnly).toBe(base);
    expect(onSettle - base).toBe(640_000n + 1n + 10_000n);
    expect(hubGasLimit({ op: "settle", callbackGasLimit: 0, callbackFlags: 0, signals: 14 })).toBeGreaterThan(
      base + 12n * 7_006n,
    );
  });
});
