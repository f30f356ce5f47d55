import { describe, expect, it } from "vitest";
import { toJson } from "../../../relayer/common/codec.ts";
import { createRedactor, REDACTED, rpcHost } from "../../../relayer/ops/redact.ts";
import { requestView } from "../../../relayer/ops/requestView.ts";
import { buildCharts } from "../../../relayer/ops/statusCharts.ts";
import { type Job, openStore } from "../../../relayer/store/store.ts";

const KEY = `0x${"ab".repeat(32)}`;
const id = (n: number): `0x${string}` => `0x${n.toString(16).padStart(64, "0")}`;
const REQUEST = toJson({ modelFee: 2n * 10n ** 18n, callbackFee: 0n, settlementFee: 2n * 10n ** 17n });

/** A job row as the store returns it, with `patch` applied. */
function job(n: number, patch: Partial<Job> = {}): Job {
  return {
    requestId: id(n),
    modelId: "1",
    requestJson: REQUEST,
    requestBlock: 10 + n,
    state: "seen",
    outputJson: null,
    outputRequestHash: null,
    commitTx: null,
    proofBytes: null,
    settleTx: null,
    settleGas: null,
    commitGas: null,
    burned: null,
    batchSize: null,
    error: null,
    seenAt: 1_000,
    committedAt: null,
    provedAt: null,
    settledAt: null,
    finishedAt: null,
    proveMs: null,
    lastBlock: null,
    ...patch,
  };
}

describe("status page: redaction", () => {
  it("shows an RPC endpoint's host only: paths, queries and credentials can hold API keys", () => {
    expect(rpcHost("https://eth-sepolia.example/v2/SECRET?key=SECRET")).toBe("eth-sepolia.example");
    expect(rpcHost("http://user:SECRET@127.0.0.1:8545/")).toBe("127.0.0.1:8545");
    expect(rpcHost("not a url")).toBe(REDACTED);
  });

  it("cuts URLs in free text to their host and removes the node's key, with or without 0x", () => {
    const redact = createRedactor([KEY, undefined]);
    const text = `HTTP request failed. URL: https://rpc.example/v3/SECRET?x=1 key ${KEY} raw ${KEY.slice(2).toUpperCase()}`;
    const out = redact(text);
    expect(out).not.toMatch(/SECRET|abab/i);
    expect(out).toContain("https://rpc.example/…");
    expect(out.match(/\[redacted\]/g)).toHaveLength(2);
  });
});

describe("status page: request view", () => {
  it("maps a settled job's steps, gas, burn and explorer links, and a batch size of 1 by default", () => {
    const settled = job(1, {
      state: "settled",
      commitTx: `0x${"c".repeat(64)}`,
      commitGas: "90000",
      committedAt: 1_150,
      provedAt: 1_500,
      proveMs: 320,
      settleTx: `0x${"d".repeat(64)}`,
      settleGas: "250000",
      settledAt: 1_700,
      burned: "200000000000000000",
      proofBytes: "0xdeadbeef",
    });
    const view = requestView(settled, { explorerUrl: "https://scan.example", redact: (t) => t });
    expect(view).toMatchObject({
      outcome: "settled",
      batchSize: 1,
      burned: "200000000000000000",
      commitLatencyMs: 150,
    });
    expect(view.settlementFee).toBe("200000000000000000");
    expect(view.steps.map((s) => s.step)).toEqual(["requested", "committed", "proved", "settled"]);
    expect(view.steps[1]).toMatchObject({ gas: "90000", txUrl: `https://scan.example/tx/0x${"c".repeat(64)}` });
    expect(view.steps[3]).toMatchObject({ at: 1_700, gas: "250000", batchSize: 1 });
    expect(JSON.stringify(view)).not.toContain("deadbeef"); // the proof is not shown
    expect(requestView({ ...settled, batchSize: 8 }, { redact: (t) => t }).steps[3]).toMatchObject({
      batchSize: 8,
      txUrl: null,
    });
  });

  it("names how a request ended: refunded and slashed from an expired row's reason, open ones as null", () => {
    const redact = (t: string) => t;
    expect(requestView(job(1, { state: "expired", error: "refunded" }), { redact }).outcome).toBe("refunded");
    expect(requestView(job(2, { state: "expired", error: "slashed" }), { redact }).outcome).toBe("slashed");
    expect(requestView(job(3, { state: "declined", error: "fee" }), { redact }).outcome).toBe("declined");
    expect(requestView(job(4, { state: "proved" }), { redact }).outcome).toBeNull();
  });
});

describe("status page: charts", () => {
  it("builds latency, proving, per-transaction batch size and per-minute settlement series", () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 30);
    const base = { state: "settled" as const, seenAt: now - 5_000, committedAt: now - 4_800, provedAt: now - 4_000 };
    const jobs = [
      job(1, { ...base, proveMs: 700, settledAt: now - 90_000, settleTx: "0x01" }),
      job(2, { ...base, proveMs: 800, settledAt: now - 1_000, settleTx: "0x02", batchSize: 2 }),
      job(3, { ...base, proveMs: 900, settledAt: now - 1_000, settleTx: "0x02", batchSize: 2 }),
      job(4, { seenAt: now - 100 }),
    ];
    const charts = buildCharts(jobs, now);
    expect(charts.commitLatencyMs.map((p) => p.v)).toEqual([200, 200, 200]);
    expect(charts.provingMs.map((p) => p.v)).toEqual([700, 800, 900]);
    expect(charts.batchSize.map((p) => p.v)).toEqual([1, 2]);
    expect(charts.settlementsPerMinute).toHaveLength(30);
    expect(charts.settlementsPerMinute.at(-1)).toEqual({ t: now - 30_000, v: 2 });
    expect(charts.settlementsPerMinute.reduce((n, p) => n + p.v, 0)).toBe(3);
  });

  it("reads the latest jobs and the chart window from the store by index", () => {
    const store = openStore(":memory:");
    try {
      for (let n = 1; n <= 5; n++) {
        store.addJob({ requestId: id(n), modelId: "1", requestJson: REQUEST, requestBlock: n, state: "seen" });
      }
      expect(store.recentJobs(2)).toHaveLength(2);
      expect(store.jobsActiveSince(0, 10)).toHaveLength(5);
      expect(store.jobsActiveSince(Date.now() + 60_000, 10)).toHaveLength(0);
    } finally {
      store.close();
    }
  });
});
