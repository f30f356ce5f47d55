import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { RelayerError } from "../common/errors.ts";
import { FINISHED_STATES, type Job, type JobState, OPEN_STATES, requestHash } from "./job.ts";
import { applySchema, COLUMNS, rowToJob } from "./schema.ts";

export { FINISHED_STATES, type Job, type JobState, OPEN_STATES, outputMatchesRequest, requestHash } from "./job.ts";

/** Recent block hashes kept for reorg detection when the caller names no window (the watcher does). */
export const BLOCK_HASH_WINDOW = 256;
/** Finished jobs deleted per `pruneFinished` call: small enough that one call never holds the writer long. */
export const PRUNE_BATCH_ROWS = 500;

/** Fields a caller may change; `outputRequestHash` follows `outputJson` and is kept by the store. */
export type JobPatch = Partial<Omit<Job, "requestId" | "outputRequestHash">>;

/** What a compare-and-set `updateJob` requires of the row: the request it holds and/or its state. */
export type JobExpectation = { requestJson?: string; state?: JobState };

/** The relayer's embedded store (SQLite, WAL): jobs, the log cursor and recent block hashes. */
export type Store = ReturnType<typeof openStore>;

const placeholders = (n: number) => Array.from({ length: n }, () => "?").join(", ");

/**
 * Opens (creating or migrating if needed) the store at `path`. Every write is synchronous and durable
 * before it returns, so state recorded before a transaction is sent survives a SIGKILL.
 */
export function openStore(path: string) {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;");
  applySchema(db);

  const statements = new Map<string, StatementSync>();
  /** Prepares `sql` once (updates and state lists build their SQL per call shape). */
  const statement = (sql: string): StatementSync => {
    const cached = statements.get(sql);
    if (cached) return cached;
    const prepared = db.prepare(sql);
    statements.set(sql, prepared);
    return prepared;
  };
  const transaction = <T>(fn: () => T): T => {
    db.exec("BEGIN IMMEDIATE");
    try {
      const result = fn();
      db.exec("COMMIT");
      return result;
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  };

  /** Columns and values for `patch`, plus the ones the store derives (finish stamp, output binding). */
  function assignments(patch: JobPatch, boundRequest: () => string | undefined): [string, SQLInputValue][] {
    const out = new Map<string, SQLInputValue>();
    for (const [key, value] of Object.entries(patch)) {
      const column = COLUMNS[key as keyof Job];
      if (!column || key === "requestId" || key === "outputRequestHash")
        throw new RelayerError(`updateJob: ${key} cannot be written`);
      out.set(column, value === undefined ? null : (value as SQLInputValue));
    }
    if (patch.state !== undefined && !("finishedAt" in patch))
      out.set("finished_at", FINISHED_STATES.includes(patch.state) ? Date.now() : null);
    if ("outputJson" in patch) {
      const request = patch.outputJson == null ? undefined : boundRequest();
      out.set("output_request_hash", request === undefined ? null : requestHash(request));
    }
    return [...out];
  }

  function update(requestId: string, patch: JobPatch, expect: JobExpectation): boolean {
    const current = () =>
      (
        statement("SELECT request_json FROM jobs WHERE request_id = ?").get(requestId) as
          | { request_json: string }
          | undefined
      )?.request_json;
    const sets = assignments(patch, () => patch.requestJson ?? expect.requestJson ?? current());
    if (sets.length === 0) return current() !== undefined;
    const where = ["request_id = ?"];
    const params: SQLInputValue[] = [requestId];
    if (expect.requestJson !== undefined) {
      where.push("request_json = ?");
      params.push(expect.requestJson);
    }
    if (expect.state !== undefined) {
      where.push("state = ?");
      params.push(expect.state);
    }
    const sql = `UPDATE jobs SET ${sets.map(([c]) => `${c} = ?`).join(", ")} WHERE ${where.join(" AND ")}`;
    return Number(statement(sql).run(...sets.map(([, v]) => v), ...params).changes) > 0;
  }

  return {
    /** Records a newly seen request; returns false if it was already known. */
    addJob(job: Pick<Job, "requestId" | "modelId" | "requestJson" | "requestBlock" | "state"> & { error?: string }) {
      const res = statement(
        `INSERT OR IGNORE INTO jobs (request_id, model_id, request_json, request_block, state, error, seen_at, finished_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        job.requestId,
        job.modelId,
        job.requestJson,
        job.requestBlock,
        job.state,
        job.error ?? null,
        Date.now(),
        FINISHED_STATES.includes(job.state) ? Date.now() : null,
      );
      return Number(res.changes) > 0;
    },
    getJob(requestId: string): Job | undefined {
      const row = statement("SELECT * FROM jobs WHERE request_id = ?").get(requestId) as
        | Record<string, unknown>
        | undefined;
      return row ? rowToJob(row) : undefined;
    },
    /**
     * Applies a partial update to one job; returns whether a row was changed. With `expect`, a
     * compare-and-set in one statement: the row is changed only while it still holds that request
     * and/or state, so a step that worked on a request the row no longer holds writes nothing. Writing
     * `outputJson` also binds it (`outputRequestHash`) to the request the row holds.
     */
    updateJob(requestId: string, patch: JobPatch, opts: { expect?: JobExpectation } = {}): boolean {
      const expect = opts.expect ?? {};
      const needsRead = patch.outputJson != null && patch.requestJson === undefined && expect.requestJson === undefined;
      return needsRead ? transaction(() => update(requestId, patch, expect)) : update(requestId, patch, expect);
    },
    /**
     * Replaces a broadcast hash in every job that holds it (`commitTx` or `settleTx`): a transaction
     * carrying several jobs' items was replaced with higher fees. Returns how many rows changed.
     */
    replaceTxHash(field: "commitTx" | "settleTx", from: string, to: string): number {
      const column = COLUMNS[field];
      return Number(statement(`UPDATE jobs SET ${column} = ? WHERE ${column} = ?`).run(to, from).changes);
    },
    /** Jobs in any of `states`, oldest first, at most `limit` (an indexed lookup, not a table scan). */
    jobsInStates(states: readonly JobState[], limit = -1): Job[] {
      if (states.length === 0) return [];
      const sql = `SELECT * FROM jobs WHERE state IN (${placeholders(states.length)})
                   ORDER BY seen_at, request_id LIMIT ?`;
      return (statement(sql).all(...states, limit) as Record<string, unknown>[]).map(rowToJob);
    },
    openJobs(): Job[] {
      return this.jobsInStates(OPEN_STATES);
    },
    /** The `limit` jobs seen last, newest first (indexed: the status page reads it on every refresh). */
    recentJobs(limit: number): Job[] {
      const sql = "SELECT * FROM jobs ORDER BY seen_at DESC, request_id DESC LIMIT ?";
      return (statement(sql).all(limit) as Record<string, unknown>[]).map(rowToJob);
    },
    /**
     * Jobs seen or settled at or after `since` (ms since the epoch), oldest first, at most `limit`: the
     * status page's charts over time (both columns are indexed).
     */
    jobsActiveSince(since: number, limit: number): Job[] {
      const sql = `SELECT * FROM jobs WHERE seen_at >= ? OR settled_at >= ? ORDER BY seen_at, request_id LIMIT ?`;
      return (statement(sql).all(since, since, limit) as Record<string, unknown>[]).map(rowToJob);
    },
    /** Every job, oldest first. Reads the whole table: for tools and tests, not for the poll loop. */
    allJobs(): Job[] {
      return (statement("SELECT * FROM jobs ORDER BY seen_at").all() as Record<string, unknown>[]).map(rowToJob);
    },
    /**
     * Deletes up to `limit` jobs that finished before `before` (ms since the epoch), oldest first;
     * returns how many. Call it repeatedly (e.g. once per poll) to work through a backlog.
     */
    pruneFinished(before: number, limit = PRUNE_BATCH_ROWS): number {
      const sql = `DELETE FROM jobs WHERE request_id IN (
        SELECT request_id FROM jobs WHERE finished_at < ? AND state IN (${placeholders(FINISHED_STATES.length)})
        ORDER BY finished_at LIMIT ?)`;
      return Number(statement(sql).run(before, ...FINISHED_STATES, limit).changes);
    },
    countByState(): Record<string, number> {
      const out: Record<string, number> = {};
      const rows = statement("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").all() as {
        state: string;
        n: number;
      }[];
      for (const row of rows) out[row.state] = Number(row.n);
      return out;
    },
    /** Last block whose logs were fully processed, or undefined on a fresh store. */
    getCursor(): number | undefined {
      const row = statement("SELECT block FROM cursor WHERE id = 1").get() as { block: number } | undefined;
      return row ? Number(row.block) : undefined;
    },
    /**
     * Moves the cursor and remembers block hashes up to it, atomically; forgets hashes more than
     * `keepBlocks` below the cursor.
     */
    advanceCursor(block: number, hashes: { number: number; hash: string }[], keepBlocks = BLOCK_HASH_WINDOW) {
      transaction(() => {
        const put = statement("INSERT OR REPLACE INTO blocks (number, hash) VALUES (?, ?)");
        for (const h of hashes) put.run(h.number, h.hash);
        statement("INSERT OR REPLACE INTO cursor (id, block) VALUES (1, ?)").run(block);
        statement("DELETE FROM blocks WHERE number < ?").run(block - keepBlocks);
      });
    },
    /**
     * Remembers the hash of a block a job step observed (a receipt's, or the head's) while the cursor is
     * still below it: when the watcher reaches that block it compares, and a mismatch means a reorg
     * replaced it before the watcher ever saw it (see `createWatcher`); a hash already noted is kept.
     * Returns false when the watcher already holds another hash for that block: the observation comes from
     * a block the chain has replaced (a step that outlived a reorg), and must not be recorded.
     */
    noteBlockHash(number: number, hash: string): boolean {
      return transaction(() => {
        const cursor = (statement("SELECT block FROM cursor WHERE id = 1").get() as { block: number } | undefined)
          ?.block;
        const stored = (
          statement("SELECT hash FROM blocks WHERE number = ?").get(number) as { hash: string } | undefined
        )?.hash;
        if (cursor !== undefined && number <= Number(cursor)) return stored === undefined || stored === hash;
        statement("INSERT OR IGNORE INTO blocks (number, hash) VALUES (?, ?)").run(number, hash);
        return true;
      });
    },
    /** Forgets the hashes of blocks above `number` (noted ones the chain no longer has). */
    forgetBlocksAbove(number: number) {
      statement("DELETE FROM blocks WHERE number > ?").run(number);
    },
    /** Stored hash of a processed block. */
    blockHash(number: number): string | undefined {
      const row = statement("SELECT hash FROM blocks WHERE number = ?").get(number) as { hash: string } | undefined;
      return row?.hash;
    },
    /** Stored hashes of blocks `low`…`high`, highest first (there may be gaps). */
    storedHashes(low: number, high: number): { number: number; hash: string }[] {
      const rows = statement("SELECT number, hash FROM blocks WHERE number BETWEEN ? AND ? ORDER BY number DESC").all(
        low,
        high,
      ) as { number: number; hash: string }[];
      return rows.map((r) => ({ number: Number(r.number), hash: r.hash }));
    },
    /**
     * Forgets blocks above `block` and moves the cursor back to it (after a reorg). `forkHash` replaces
     * `block`'s stored hash (null forgets it); left out, a stored one is kept.
     */
    rewindTo(block: number, forkHash?: string | null) {
      transaction(() => {
        statement("DELETE FROM blocks WHERE number > ?").run(block);
        if (forkHash === null) statement("DELETE FROM blocks WHERE number = ?").run(block);
        else if (forkHash !== undefined)
          statement("INSERT OR REPLACE INTO blocks (number, hash) VALUES (?, ?)").run(block, forkHash);
        statement("INSERT OR REPLACE INTO cursor (id, block) VALUES (1, ?)").run(block);
      });
    },
    /**
     * After a reorg back to `block`: jobs whose last observed state came from a dropped block go back to
     * `seen`, so the pipeline re-reads the canonical chain (and re-commits or re-settles if needed).
     */
    reopenAfter(block: number): number {
      const res = statement(
        `UPDATE jobs SET state = 'seen', finished_at = NULL
         WHERE last_block > ? AND state IN ('settled', 'lost', 'expired')`,
      ).run(block);
      return Number(res.changes);
    },
    close() {
      db.close();
    },
  };
}
