import { describe, expect, it } from "vitest";
import { runChaos } from "./runChaos.ts";

/**
 * The chaos run, small: ~60 requests through a fault-injecting proxy to two relayer processes, one
 * SIGKILL, one reorg dropping commitments and settlements, a 10 s RPC outage; reconciled from the chain.
 * `npm run test:chaos` runs the same code with 1,000 requests.
 */
describe("chaos (small)", () => {
  it("loses nothing, pays nothing twice, and balances the books", { timeout: 300_000 }, async () => {
    const report = await runChaos({
      requests: 60,
      kills: 1,
      minReorgDepth: 3,
      outageMs: 10_000,
      seed: 20261205,
      settleTimeoutMs: 240_000,
      log: (line) => console.log(line),
    });
    console.log(report.summary);
    const r = report.reconciliation;
    expect(r.problems).toEqual([]);
    expect(report.crashes).toEqual([]);
    expect(r.requests).toBeGreaterThanOrEqual(60);
    expect(r.lost).toBe(0);
    expect(r.doublePaid).toBe(0);
    expect(r.invalidProofs).toBe(0);
    expect(r.books.balanced).toBe(true);
    expect(report.kills).toBeGreaterThanOrEqual(1);
    expect(report.reorgs[0]!.depth).toBeGreaterThanOrEqual(3);
    expect(report.reorgs[0]!.droppedCommits).toBeGreaterThan(0);
    expect(report.reorgs[0]!.droppedSettlements).toBeGreaterThan(0);
    expect(report.faultsInjected).toBeGreaterThan(0);
    for (const s of r.stores) expect(s.mismatches).toBe(0);
  });
});
