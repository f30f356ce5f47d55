import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";

/**
 * Job states. Open: `seen` → `committing` → `committed` → `proved` → `settling`. Final: `settled` (we were
 * paid), `lost` (another node committed first), `rejected` (malformed input: nothing to prove),
 * `expired` (refunded, slashed, or a deadline passed before we could act). `rejected` (malformed input)
 * stays open until the request's escrow is refunded on chain, then becomes `refunded`. `simulated`: a
 * dry run passed the commitment's pre-flight and stopped there.
 */
export type JobState =
  | "seen"
  | "committing"
  | "committed"
  | "proved"
  | "settling"
  | "settled"
  | "lost"
  | "rejected"
  | "refunded"
  | "simulated"
  | "expired";

/** States from which the pipeline still has work to do. */
export const OPEN_STATES: readonly JobState[] = ["seen", "committing", "committed", "proved", "settling"];

/** One request the relayer handles, as persisted. JSON columns hold bigints as decimal strings. */
export type Job = {
  requestId: `0x${string}`;
  modelId: string;
  /** The `Request` struct exactly as emitted, JSON with bigints as strings. */
  requestJson: string;
  requestBlock: number;
  state: JobState;
  /** Output words we committed (JSON string array). */
  outputJson: string | null;
  commitTx: string | null;
  proofBytes: string | null;
  settleTx: string | null;
  settleGas: string | null;
  error: string | null;
  /** Milliseconds since the epoch: when the request was seen, committed (tx sent), proved, settled. */
  seenAt: number;
  committedAt: number | null;
  provedAt: number | null;
  settledAt: number | null;
  proveMs: number | null;
  /** Latest block at which the job's state was observed or changed (reorgs above it reopen the job). */
  lastBlock: number | null;
};

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  request_id TEXT PRIMARY KEY,
  model_id TEXT NOT NULL,
  request_json TEXT NOT NULL,
  request_block INTEGER NOT NULL,
  state TEXT NOT NULL,
  output_json TEXT,
  commit_tx TEXT,
  proof_bytes TEXT,
  settle_tx TEXT,
  settle_gas TEXT,
  error TEXT,
  seen_at INTEGER NOT NULL,
  committed_at INTEGER,
  proved_at INTEGER,
  settled_at INTEGER,
  prove_ms INTEGER,
  last_block INTEGER
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state);
CREATE TABLE IF NOT EXISTS cursor (id INTEGER PRIMARY KEY CHECK (id = 1), block INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL);
`;

const COLUMNS: Record<keyof Job, string> = {
  requestId: "request_id",
  modelId: "model_id",
  requestJson: "request_json",
  requestBlock: "request_block",
  state: "state",
  outputJson: "output_json",
  commitTx: "commit_tx",
  proofBytes: "proof_bytes",
  settleTx: "settle_tx",
  settleGas: "settle_gas",
  error: "error",
  seenAt: "seen_at",
  committedAt: "committed_at",
  provedAt: "proved_at",
  settledAt: "settled_at",
  proveMs: "prove_ms",
  lastBlock: "last_block",
};

/** Recent block hashes kept for reorg detection (deeper reorgs than this are not expected). */
const BLOCK_HASH_WINDOW = 256;

function rowToJob(row: Record<string, unknown>): Job {
  const job: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(COLUMNS)) job[key] = row[column] ?? null;
  return job as Job;
}

/** The relayer's embedded store (SQLite, WAL): jobs, the log cursor and recent block hashes. */
export type Store = ReturnType<typeof openStore>;

/**
 * Opens (creating if needed) the store at `path`. Every write is synchronous and durable before it
 * returns, so state recorded before a transaction is sent survives a SIGKILL.
 */
export function openStore(path: string) {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;");
  db.exec(SCHEMA);

  const insertJob = db.prepare(
    `INSERT OR IGNORE INTO jobs (request_id, model_id, request_json, request_block, state, error, seen_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const getJob = db.prepare("SELECT * FROM jobs WHERE request_id = ?");
  const openJobs = db.prepare(
    `SELECT * FROM jobs WHERE state IN (${OPEN_STATES.map(() => "?").join(",")}) ORDER BY seen_at, request_id`,
  );
  const countByState = db.prepare("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state");

  return {
    /** Records a newly seen request; returns false if it was already known. */
    addJob(job: Pick<Job, "requestId" | "modelId" | "requestJson" | "requestBlock" | "state"> & { error?: string }) {
      const res = insertJob.run(
        job.requestId,
        job.modelId,
        job.requestJson,
        job.requestBlock,
        job.state,
        job.error ?? null,
        Date.now(),
      );
      return Number(res.changes) > 0;
    },
    getJob(requestId: string): Job | undefined {
      const row = getJob.get(requestId) as Record<string, unknown> | undefined;
      return row ? rowToJob(row) : undefined;
    },
    /** Applies a partial update to one job. */
    updateJob(requestId: string, patch: Partial<Omit<Job, "requestId">>) {
      const entries = Object.entries(patch);
      if (entries.length === 0) return;
      const sets = entries.map(([k]) => `${COLUMNS[k as keyof Job]} = ?`).join(", ");
      const values = entries.map(([, v]) => (v === undefined ? null : v)) as (string | number | null)[];
      db.prepare(`UPDATE jobs SET ${sets} WHERE request_id = ?`).run(...values, requestId);
    },
    openJobs(): Job[] {
      return (openJobs.all(...OPEN_STATES) as Record<string, unknown>[]).map(rowToJob);
    },
    allJobs(): Job[] {
      return (db.prepare("SELECT * FROM jobs ORDER BY seen_at").all() as Record<string, unknown>[]).map(rowToJob);
    },
    countByState(): Record<string, number> {
      const out: Record<string, number> = {};
      for (const row of countByState.all() as { state: string; n: number }[]) out[row.state] = Number(row.n);
      return out;
    },
    /** Last block whose logs were fully processed, or undefined on a fresh store. */
    getCursor(): number | undefined {
      const row = db.prepare("SELECT block FROM cursor WHERE id = 1").get() as { block: number } | undefined;
      return row ? Number(row.block) : undefined;
    },
    /** Moves the cursor and remembers block hashes up to it, atomically. */
    advanceCursor(block: number, hashes: { number: number; hash: string }[]) {
      db.exec("BEGIN IMMEDIATE");
      try {
        const put = db.prepare("INSERT OR REPLACE INTO blocks (number, hash) VALUES (?, ?)");
        for (const h of hashes) put.run(h.number, h.hash);
        db.prepare("INSERT OR REPLACE INTO cursor (id, block) VALUES (1, ?)").run(block);
        db.prepare("DELETE FROM blocks WHERE number < ?").run(block - BLOCK_HASH_WINDOW);
        db.exec("COMMIT");
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    },
    /** Stored hash of a processed block. */
    blockHash(number: number): string | undefined {
      const row = db.prepare("SELECT hash FROM blocks WHERE number = ?").get(number) as { hash: string } | undefined;
      return row?.hash;
    },
    /** Forgets blocks above `block` and moves the cursor back to it (after a reorg). */
    rewindTo(block: number) {
      db.exec("BEGIN IMMEDIATE");
      try {
        db.prepare("DELETE FROM blocks WHERE number > ?").run(block);
        db.prepare("INSERT OR REPLACE INTO cursor (id, block) VALUES (1, ?)").run(block);
        db.exec("COMMIT");
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    },
    /**
     * After a reorg back to `block`: jobs whose last observed state came from a dropped block go back to
     * `seen`, so the pipeline re-reads the canonical chain (and re-commits or re-settles if needed).
     */
    reopenAfter(block: number): number {
      const res = db
        .prepare("UPDATE jobs SET state = 'seen' WHERE last_block > ? AND state IN ('settled', 'lost', 'expired')")
        .run(block);
      return Number(res.changes);
    },
    close() {
      db.close();
    },
  };
}
