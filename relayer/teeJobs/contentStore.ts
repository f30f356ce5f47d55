import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { open, readFile, rename, rm, utimes } from "node:fs/promises";
import { join } from "node:path";
import type { Hex } from "viem";
import { contentHash } from "../../sdk/index.ts";
import { RelayerError } from "../common/errors.ts";
import type { Logger } from "../common/logger.ts";

/** A content hash as it names a stored file and appears in `/content/<hash>`: 0x and 64 lowercase hex digits. */
export const CONTENT_HASH = /^0x[0-9a-f]{64}$/;
/** Prefix of files being written; left over by a kill mid-write, removed when the store opens. */
const TEMP_PREFIX = ".tmp-";

/** Stored content whose bytes no longer hash to its name (disk fault or tampering): never served. */
export class ContentCorruptError extends RelayerError {
  override name = "ContentCorruptError";
}

/** What the operations server needs to serve `/content/<hash>`. */
export type ContentReader = {
  /** The content named `hash`, checked against it; undefined when not stored. Throws `ContentCorruptError`. */
  read(hash: string): Promise<Uint8Array | undefined>;
};

/** A durable, content-addressed store of TEE output content, bounded by age and total size. */
export type ContentStore = ContentReader & {
  readonly dir: string;
  /** Stores `bytes` (durably: on disk before it resolves) and returns its keccak256, the name it is stored under. */
  put(bytes: Uint8Array): Promise<Hex>;
  /** Whether content named `hash` is stored. */
  has(hash: string): boolean;
  /** Total bytes stored. */
  size(): number;
  /** Removes what is past the retention or over the size bound now (the relayer calls it periodically). */
  prune(): Promise<void>;
};

type Entry = { size: number; storedAt: number };

/** Existing entries, oldest first; leftover temporary files removed. */
function scan(dir: string): Map<string, Entry> {
  const found: [string, Entry][] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name.startsWith(TEMP_PREFIX)) rmSync(path, { force: true });
    else if (CONTENT_HASH.test(name)) {
      const stat = statSync(path);
      found.push([name, { size: stat.size, storedAt: stat.mtimeMs }]);
    }
  }
  return new Map(found.sort((a, b) => a[1].storedAt - b[1].storedAt));
}

/** Writes `bytes` to `path` atomically and durably: a synced temp file renamed over it, then the directory synced. */
async function writeDurably(dir: string, path: string, bytes: Uint8Array): Promise<void> {
  const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString("hex")}`);
  const file = await open(temp, "wx");
  try {
    await file.writeFile(bytes);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
  const directory = await open(dir, "r");
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

/**
 * Opens (creating it) the content store in `dir`: one file per content, named by its keccak256, written to a
 * temporary file, synced and renamed, so a kill leaves either the whole content or none. The oldest entries are
 * removed once an entry is older than `retentionMs` or the total passes `maxBytes` (checked at open, after each
 * `put`, the entry just stored kept, and on each `prune`, so an idle node lets expired content go too).
 */
export async function openContentStore(opts: {
  dir: string;
  maxBytes: number;
  retentionMs: number;
  log: Logger;
}): Promise<ContentStore> {
  const { dir, log } = opts;
  mkdirSync(dir, { recursive: true });
  const entries = scan(dir);
  let total = [...entries.values()].reduce((sum, e) => sum + e.size, 0);

  async function prune(keep?: string): Promise<void> {
    const expired = Date.now() - opts.retentionMs;
    for (const [hash, entry] of entries) {
      if (hash === keep || (entry.storedAt >= expired && total <= opts.maxBytes)) break;
      entries.delete(hash);
      total -= entry.size;
      await rm(join(dir, hash), { force: true });
      log.info({ hash, bytes: entry.size, storedAt: new Date(entry.storedAt).toISOString() }, "content pruned");
    }
  }

  const store: ContentStore = {
    dir,
    async put(bytes) {
      const hash = contentHash(bytes);
      const path = join(dir, hash);
      if (entries.has(hash)) await utimes(path, new Date(), new Date()).catch(() => writeDurably(dir, path, bytes));
      else await writeDurably(dir, path, bytes);
      // Stored again: its age counts from now (it moves to the end of the pruning order).
      const previous = entries.get(hash);
      entries.delete(hash);
      entries.set(hash, { size: bytes.length, storedAt: Date.now() });
      total += bytes.length - (previous?.size ?? 0);
      await prune(hash);
      return hash;
    },
    has: (hash) => entries.has(hash),
    size: () => total,
    prune: () => prune(),
    async read(hash) {
      if (!CONTENT_HASH.test(hash)) return undefined; // never a path: only a well-formed hash names a file
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(join(dir, hash)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw new RelayerError(`cannot read stored content ${hash}`, { cause: error, retryable: true });
      }
      const actual = contentHash(bytes);
      if (actual !== hash) {
        log.error({ hash, actual }, "stored content does not match its hash: not served");
        throw new ContentCorruptError(`stored content ${hash} does not match its hash`, { details: `got ${actual}` });
      }
      return bytes;
    },
  };
  await prune();
  return store;
}
