import { describe, expect, it } from "vitest";
import { percent, summarizeLcov } from "../../../../scripts/coverage/lcovSummary.ts";

describe("lcov summary", () => {
  it("totals the line counts of every record", () => {
    const lcov = ["TN:", "SF:contracts/A.sol", "DA:1,1", "LH:3", "LF:4", "end_of_record"]
      .concat(["SF:contracts/B.sol", "LH:5", "LF:5", "end_of_record", ""])
      .join("\n");
    const summary = summarizeLcov(lcov);
    expect(summary.files).toEqual([
      { file: "contracts/A.sol", hit: 3, found: 4 },
      { file: "contracts/B.sol", hit: 5, found: 5 },
    ]);
    expect([summary.hit, summary.found]).toEqual([8, 9]);
  });

  it("counts an empty report as 0 %", () => {
    const { hit, found } = summarizeLcov("");
    expect(percent(hit, found)).toBe(0);
  });
});
