import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../relayer/common/config.ts";
import { type JobState, openStore, requestHash, type Store } from "../../../relayer/store/store.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

function tempStorePath(): string {
  return join(mkdtempSync(join(tmpdir(), "opg-store-")), "relayer.sqlite");
}

function id(n: number): `0x${string}` {
  return `0x${n.toString(16).padStart(64, "0")}`;
}

/** Adds `count` jobs starting at id `first`, moved to `state` (with `patch`) after being seen. */
function seed(store: Store, first: number, count: number, state: JobState, patch: Record<string, unknown> = {}) {
  for (let n = first; n < first + count; n++) {
    store.addJob({ requestId: id(n), modelId: "1", requestJson: `{"n":"${n}"}`, requestBlock: n, state: "seen" });
    if (state !== "seen") store.updateJob(id(n), { state, ...patch });
  }
}

describe("store: per-poll queries", () => {
  it("finds the jobs of a few states without reading the whole table (20,000 rows)", () => {
    const store = openStore(":memory:");
    try {
      seed(store, 0, 19_950, "settled", { lastBlock: 10 });
      seed(store, 19_950, 30, "rejected");
      seed(store, 19_980, 20, "committed");

      let t = performance.now();
      const all = store.allJobs();
      const allMs = performance.now() - t;
      t = performance.now();
      const rejected = store.jobsInStates(["rejected"]);
      const rejectedMs = performance.now() - t;
      t = performance.now();
      const open = store.jobsInStates(["seen", "committing", "committed", "proved", "settling"], 100);
      const openMs = performance.now() - t;
      console.log(
        `allJobs: ${all.length} rows in ${allMs.toFixed(1)} ms; jobsInStates(rejected): ${rejected.length} rows in ` +
          `${rejectedMs.toFixed(2)} ms; jobsInStates(open, 100): ${open.length} rows in ${openMs.toFixed(2)} ms`,
      );

      expect(all).toHaveLength(20_000);
      expect(rejected).toHaveLength(30);
      expect(rejected.every((j) => j.state === "rejected")).toBe(true);
      expect(open).toHaveLength(20);
      expect(store.jobsInStates(["rejected"], 7)).toHaveLength(7);
      expect(store.jobsInStates([])).toEqual([]);
    } finally {
      store.close();
    }
  });
});

describe("store: retention", () => {
  it("prunes finished jobs older than the cut-off, in batches, and nothing else", () => {
    const store = openStore(":memory:");
    try {
      const old = Date.now() - 8 * DAY_MS;
      seed(store, 0, 250, "settled", { finishedAt: old });
      seed(store, 250, 10, "lost", { finishedAt: old });
      seed(store, 260, 10, "expired", { finishedAt: old });
      seed(store, 270, 10, "declined", { finishedAt: old });
      seed(store, 280, 10, "settled"); // finished just now: kept
      seed(store, 290, 10, "rejected"); // finished just now: kept
      seed(store, 300, 10, "committed"); // open: kept

      const cutoff = Date.now() - 7 * DAY_MS;
      const batches: number[] = [];
      for (let n = store.pruneFinished(cutoff, 100); n > 0; n = store.pruneFinished(cutoff, 100)) batches.push(n);
      expect(batches).toEqual([100, 100, 80]);
      expect(store.countByState()).toEqual({ settled: 10, rejected: 10, committed: 10 });
    } finally {
      store.close();
    }
  });

  it("stamps a job when it finishes and clears the stamp when a reorg reopens it", () => {
    const store = openStore(":memory:");
    try {
      const before = Date.now();
      seed(store, 1, 1, "settled", { lastBlock: 50 });
      expect(store.getJob(id(1))!.finishedAt).toBeGreaterThanOrEqual(before);
      expect(store.reopenAfter(40)).toBe(1);
      expect(store.getJob(id(1))).toMatchObject({ state: "seen", finishedAt: null });
      expect(store.pruneFinished(Date.now() + DAY_MS, 10)).toBe(0);
    } finally {
      store.close();
    }
  });

  it("keeps finished jobs for 7 days unless configured otherwise", () => {
    expect(parseConfig({}).retention.finishedJobsMs).toBe(7 * DAY_MS);
    expect(parseConfig({ retention: { finishedJobsMs: DAY_MS } }).retention.finishedJobsMs).toBe(DAY_MS);
  });
});

describe("store: compare-and-set updates", () => {
  const A = '{"input":["1"]}';
  const B = '{"input":["2"]}';

  it("refuses a write meant for a request the row no longer holds", () => {
    const store = openStore(":memory:");
    try {
      store.addJob({ requestId: id(7), modelId: "1", requestJson: A, requestBlock: 5, state: "seen" });
      // After a reorg the same id carries request B; a step still working on A finishes afterwards.
      expect(store.updateJob(id(7), { requestJson: B, state: "seen", outputJson: null })).toBe(true);
      const stale = store.updateJob(
        id(7),
        { state: "committing", outputJson: '["9"]' },
        { expect: { requestJson: A } },
      );
      expect(stale).toBe(false);
      expect(store.getJob(id(7))).toMatchObject({ requestJson: B, state: "seen", outputJson: null });

      const fresh = store.updateJob(
        id(7),
        { state: "committing", outputJson: '["4"]' },
        { expect: { requestJson: B, state: "seen" } },
      );
      expect(fresh).toBe(true);
      expect(store.getJob(id(7))).toMatchObject({ state: "committing", outputJson: '["4"]' });
      // Expecting a state the row has left fails too.
      expect(store.updateJob(id(7), { state: "committed" }, { expect: { state: "seen" } })).toBe(false);
      expect(store.getJob(id(7))!.state).toBe("committing");
      expect(store.updateJob(id(99), { state: "committed" })).toBe(false);
    } finally {
      store.close();
    }
  });

  it("binds a stored output to the request it was computed from", () => {
    const store = openStore(":memory:");
    try {
      store.addJob({ requestId: id(8), modelId: "1", requestJson: A, requestBlock: 5, state: "seen" });
      expect(store.getJob(id(8))!.outputRequestHash).toBeNull();
      store.updateJob(id(8), { state: "committing", outputJson: '["4"]' });
      expect(store.getJob(id(8))!.outputRequestHash).toBe(requestHash(A));
      // Adopting another request without clearing the output leaves a binding that no longer matches.
      store.updateJob(id(8), { requestJson: B });
      const job = store.getJob(id(8))!;
      expect(job.outputRequestHash).not.toBe(requestHash(job.requestJson));
      store.updateJob(id(8), { outputJson: null });
      expect(store.getJob(id(8))!.outputRequestHash).toBeNull();
    } finally {
      store.close();
    }
  });
});

/** The jobs table as the first released relayer created it (before finished_at and output_request_hash). */
const FIRST_SCHEMA = `
CREATE TABLE jobs (
  request_id TEXT PRIMARY KEY, model_id TEXT NOT NULL, request_json TEXT NOT NULL, request_block INTEGER NOT NULL,
  state TEXT NOT NULL, output_json TEXT, commit_tx TEXT, proof_bytes TEXT, settle_tx TEXT, settle_gas TEXT,
  error TEXT, seen_at INTEGER NOT NULL, committed_at INTEGER, proved_at INTEGER, settled_at INTEGER,
  prove_ms INTEGER, last_block INTEGER
);
CREATE INDEX jobs_state ON jobs(state);
CREATE TABLE cursor (id INTEGER PRIMARY KEY CHECK (id = 1), block INTEGER NOT NULL);
CREATE TABLE blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL);
`;

describe("store: migration", () => {
  it("opens a store written by the first schema, adding and filling the new columns", () => {
    const path = tempStorePath();
    const old = new DatabaseSync(path);
    old.exec(FIRST_SCHEMA);
    const insert = old.prepare(
      `INSERT INTO jobs (request_id, model_id, request_json, request_block, state, output_json, seen_at, settled_at)
       VALUES (?, '1', ?, 10, ?, ?, ?, ?)`,
    );
    insert.run(id(1), '{"n":"1"}', "settled", '["3"]', 1_000, 5_000);
    insert.run(id(2), '{"n":"2"}', "lost", null, 2_000, null);
    insert.run(id(3), '{"n":"3"}', "committed", '["6"]', 3_000, null);
    old.prepare("INSERT INTO cursor (id, block) VALUES (1, 42)").run();
    old.prepare("INSERT INTO blocks (number, hash) VALUES (42, '0xabc')").run();
    old.close();

    for (let open = 0; open < 2; open++) {
      const store = openStore(path); // a second open finds nothing left to migrate
      try {
        expect(store.getCursor()).toBe(42);
        expect(store.blockHash(42)).toBe("0xabc");
        // Not recorded by the first schema: unknown, and the status page shows a single settlement.
        expect(store.getJob(id(1))).toMatchObject({
          state: "settled",
          finishedAt: 5_000,
          commitGas: null,
          burned: null,
          batchSize: null,
        });
        expect(store.getJob(id(2))).toMatchObject({ state: "lost", finishedAt: 2_000 });
        expect(store.getJob(id(3))).toMatchObject({
          state: "committed",
          finishedAt: null,
          outputRequestHash: requestHash('{"n":"3"}'),
        });
      } finally {
        store.close();
      }
    }
    const db = new DatabaseSync(path);
    const columns = (db.prepare("PRAGMA table_info(jobs)").all() as { name: string }[]).map((c) => c.name);
    db.close();
    expect(columns).toEqual(
      expect.arrayContaining(["finished_at", "output_request_hash", "commit_gas", "burned", "batch_size"]),
    );

    const store = openStore(path);
    try {
      expect(store.pruneFinished(10_000, 10)).toBe(2);
      expect(store.countByState()).toEqual({ committed: 1 });
    } finally {
      store.close();
    }
  });
});
