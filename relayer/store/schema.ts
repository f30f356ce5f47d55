import type { DatabaseSync } from "node:sqlite";
import { FINISHED_STATES, type Job, requestHash } from "./job.ts";

/** Tables of a fresh store. Indexes come after `migrate`, since some name columns an older store lacks. */
const TABLES = `
CREATE TABLE IF NOT EXISTS jobs (
  request_id TEXT PRIMARY KEY,
  model_id TEXT NOT NULL,
  request_json TEXT NOT NULL,
  request_block INTEGER NOT NULL,
  state TEXT NOT NULL,
  output_json TEXT,
  output_request_hash TEXT,
  commit_tx TEXT,
  proof_bytes TEXT,
  settle_tx TEXT,
  settle_gas TEXT,
  commit_gas TEXT,
  burned TEXT,
  batch_size INTEGER,
  error TEXT,
  seen_at INTEGER NOT NULL,
  committed_at INTEGER,
  proved_at INTEGER,
  settled_at INTEGER,
  finished_at INTEGER,
  prove_ms INTEGER,
  last_block INTEGER
);
CREATE TABLE IF NOT EXISTS cursor (id INTEGER PRIMARY KEY CHECK (id = 1), block INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL);
`;

/**
 * Per-poll lookups by state (in `seen_at` order) and pruning by age stay on indexes, and so do the
 * status page's reads (latest requests, settlements over time).
 */
const INDEXES = `
DROP INDEX IF EXISTS jobs_state;
CREATE INDEX IF NOT EXISTS jobs_state_seen ON jobs(state, seen_at, request_id);
CREATE INDEX IF NOT EXISTS jobs_finished ON jobs(finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_seen ON jobs(seen_at, request_id);
CREATE INDEX IF NOT EXISTS jobs_settled ON jobs(settled_at) WHERE settled_at IS NOT NULL;
`;

/** Job fields and their columns. */
export const COLUMNS: Record<keyof Job, string> = {
  requestId: "request_id",
  modelId: "model_id",
  requestJson: "request_json",
  requestBlock: "request_block",
  state: "state",
  outputJson: "output_json",
  outputRequestHash: "output_request_hash",
  commitTx: "commit_tx",
  proofBytes: "proof_bytes",
  settleTx: "settle_tx",
  settleGas: "settle_gas",
  commitGas: "commit_gas",
  burned: "burned",
  batchSize: "batch_size",
  error: "error",
  seenAt: "seen_at",
  committedAt: "committed_at",
  provedAt: "proved_at",
  settledAt: "settled_at",
  finishedAt: "finished_at",
  proveMs: "prove_ms",
  lastBlock: "last_block",
};

const finishedList = FINISHED_STATES.map((s) => `'${s}'`).join(", ");

/**
 * Columns added since the first schema, each with how to fill it for the rows an older relayer wrote:
 * finished jobs count as finished when they last changed; stored outputs are taken to belong to the
 * request the row holds (the older relayer kept no binding); commitment gas, burn and batch size were not
 * recorded before, so they stay unknown (null) on older rows.
 */
const ADDED_COLUMNS: { column: string; type: string; fill: (db: DatabaseSync) => void }[] = [
  {
    column: "finished_at",
    type: "INTEGER",
    fill: (db) =>
      db.exec(
        `UPDATE jobs SET finished_at = COALESCE(settled_at, proved_at, committed_at, seen_at)
         WHERE state IN (${finishedList})`,
      ),
  },
  {
    column: "output_request_hash",
    type: "TEXT",
    fill: (db) => {
      const rows = db.prepare("SELECT request_id, request_json FROM jobs WHERE output_json IS NOT NULL").all() as {
        request_id: string;
        request_json: string;
      }[];
      const bind = db.prepare("UPDATE jobs SET output_request_hash = ? WHERE request_id = ?");
      for (const row of rows) bind.run(requestHash(row.request_json), row.request_id);
    },
  },
  { column: "commit_gas", type: "TEXT", fill: () => undefined },
  { column: "burned", type: "TEXT", fill: () => undefined },
  { column: "batch_size", type: "INTEGER", fill: () => undefined },
];

/** Creates the tables, brings a store written by an older relayer up to date (in one transaction), indexes. */
export function applySchema(db: DatabaseSync): void {
  db.exec(TABLES);
  const present = new Set((db.prepare("PRAGMA table_info(jobs)").all() as { name: string }[]).map((c) => c.name));
  const missing = ADDED_COLUMNS.filter((c) => !present.has(c.column));
  if (missing.length > 0) {
    db.exec("BEGIN IMMEDIATE");
    try {
      for (const c of missing) {
        db.exec(`ALTER TABLE jobs ADD COLUMN ${c.column} ${c.type}`);
        c.fill(db);
      }
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  }
  db.exec(INDEXES);
}

/** A `jobs` row as a `Job`. */
export function rowToJob(row: Record<string, unknown>): Job {
  const job: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(COLUMNS)) job[key] = row[column] ?? null;
  return job as Job;
}
