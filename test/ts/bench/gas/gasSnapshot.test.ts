import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  allowedRise,
  compareGasSnapshot,
  formatGasDiff,
  GAS_TOLERANCE,
  readGasSnapshot,
  writeGasSnapshot,
} from "../../../../bench/gas/gasSnapshot.ts";

const recorded = { settle: { cold: 260_000, warm: 250_000 }, commit: { cold: 74_000, warm: 74_000 } };

describe("gas snapshot", () => {
  const dir = mkdtempSync(join(tmpdir(), "gas-snapshot-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("allows the larger of the relative and the absolute tolerance", () => {
    expect(allowedRise(260_000)).toBe(Math.ceil(260_000 * GAS_TOLERANCE.relative));
    expect(allowedRise(1_000)).toBe(GAS_TOLERANCE.absolute);
  });

  it("passes identical figures and rises within the tolerance", () => {
    expect(compareGasSnapshot(recorded, recorded).failed).toBe(false);
    const within = { ...recorded, settle: { cold: 260_000 + allowedRise(260_000), warm: 250_000 } };
    const { diffs, failed } = compareGasSnapshot(recorded, within);
    expect(failed).toBe(false);
    expect(diffs.find((d) => d.operation === "settle" && d.variant === "cold")?.status).toBe("within");
  });

  it("fails a rise over the tolerance and names it", () => {
    const risen = { ...recorded, commit: { cold: 74_000, warm: 74_000 + allowedRise(74_000) + 1 } };
    const { diffs, failed } = compareGasSnapshot(recorded, risen);
    expect(failed).toBe(true);
    expect(formatGasDiff(diffs)).toEqual([expect.stringMatching(/^✗ commit \(warm\): 74,000 → 74,075, \+75/)]);
  });

  it("passes a drop and reports it", () => {
    const dropped = { ...recorded, settle: { cold: 250_000, warm: 250_000 } };
    const { diffs, failed } = compareGasSnapshot(recorded, dropped);
    expect(failed).toBe(false);
    expect(formatGasDiff(diffs)).toEqual([expect.stringMatching(/^↓ settle \(cold\)/)]);
  });

  it("fails when an operation is measured but not recorded, or recorded but no longer measured", () => {
    const { settle } = recorded;
    expect(compareGasSnapshot({ settle }, recorded).failed).toBe(true);
    expect(compareGasSnapshot(recorded, { settle }).failed).toBe(true);
  });

  it("round-trips through the file and rejects malformed entries", () => {
    const path = join(dir, "snapshot.json");
    expect(readGasSnapshot(path)).toBeUndefined();
    writeGasSnapshot(path, recorded);
    expect(readGasSnapshot(path)).toEqual(recorded);
    expect(readFileSync(path, "utf8")).toMatch(/npm run gas:snapshot/);
    writeGasSnapshot(path, { settle: { cold: 1.5, warm: 2 } });
    expect(() => readGasSnapshot(path)).toThrow(/"settle" needs integer/);
  });
});
