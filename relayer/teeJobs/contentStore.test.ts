import { existsSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keccak256 } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../common/logger.ts";
import { createMetrics } from "../ops/metrics.ts";
import { serveOperations } from "../ops/server.ts";
import { type ContentStore, openContentStore } from "./contentStore.ts";

const log = createLogger("silent");
const DAY_MS = 24 * 60 * 60 * 1000;

function tempDir(): string {
  return join(mkdtempSync(join(tmpdir(), "opg-content-")), "content");
}

function open(dir: string, bounds: { maxBytes?: number; retentionMs?: number } = {}): Promise<ContentStore> {
  return openContentStore({
    dir,
    maxBytes: bounds.maxBytes ?? 1 << 20,
    retentionMs: bounds.retentionMs ?? DAY_MS,
    log,
  });
}

describe("content store", () => {
  it("stores content under its keccak256, durably across reopening, and reads it back checked", async () => {
    const dir = tempDir();
    const bytes = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const store = await open(dir);
    const hash = await store.put(bytes);
    expect(hash).toBe(keccak256(bytes));
    expect(readdirSync(dir)).toEqual([hash]); // no temporary file left behind
    const reopened = await open(dir);
    expect(reopened.has(hash)).toBe(true);
    expect(reopened.size()).toBe(8);
    expect(await reopened.read(hash)).toEqual(bytes);
    expect(await reopened.read(`0x${"ab".repeat(32)}`)).toBeUndefined();
    expect(await reopened.read("../relayer.sqlite")).toBeUndefined();
  });

  it("removes temporary files a kill left mid-write when it opens", async () => {
    const dir = tempDir();
    await open(dir);
    writeFileSync(join(dir, ".tmp-0123456789abcdef"), "half a write");
    await open(dir);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("refuses to read content whose file no longer hashes to its name", async () => {
    const dir = tempDir();
    const store = await open(dir);
    const hash = await store.put(new Uint8Array([9, 9, 9]));
    writeFileSync(join(dir, hash), new Uint8Array([9, 9, 8]));
    await expect(store.read(hash)).rejects.toThrow(/does not match its hash/);
  });

  it("keeps at most maxBytes, the oldest removed first, and never the entry just stored", async () => {
    const dir = tempDir();
    const store = await open(dir, { maxBytes: 2048 });
    const first = await store.put(new Uint8Array(1000).fill(1));
    const second = await store.put(new Uint8Array(1000).fill(2));
    const third = await store.put(new Uint8Array(1000).fill(3));
    expect([store.has(first), store.has(second), store.has(third)]).toEqual([false, true, true]);
    expect(existsSync(join(dir, first))).toBe(false);
    expect(store.size()).toBe(2000);
    const big = await store.put(new Uint8Array(4096).fill(4));
    expect(store.has(big)).toBe(true);
    expect(store.size()).toBe(4096);
  });

  it("removes content older than the retention when it opens", async () => {
    const dir = tempDir();
    const store = await open(dir);
    const old = await store.put(new Uint8Array([1]));
    const recent = await store.put(new Uint8Array([2]));
    const twoDaysAgo = new Date(Date.now() - 2 * DAY_MS);
    utimesSync(join(dir, old), twoDaysAgo, twoDaysAgo);
    const reopened = await open(dir, { retentionMs: DAY_MS });
    expect([reopened.has(old), reopened.has(recent)]).toEqual([false, true]);
  });

  it("lets content past the retention go on prune, with no put (an idle node)", async () => {
    const dir = tempDir();
    const store = await open(dir, { retentionMs: 200 });
    const hash = await store.put(new Uint8Array([7, 7]));
    await store.prune();
    expect(store.has(hash)).toBe(true); // not yet past the retention
    await new Promise((r) => setTimeout(r, 300));
    await store.prune();
    expect(store.has(hash)).toBe(false);
    expect(existsSync(join(dir, hash))).toBe(false);
    expect(store.size()).toBe(0);
  });
});

describe("GET /content/<hash> on the operations server", () => {
  let dir: string;
  let store: ContentStore;
  let url: string;
  let close: () => Promise<void>;
  const bytes = new Uint8Array([3, 1, 4, 1, 5, 9, 2, 6]);
  let hash: `0x${string}`;

  beforeAll(async () => {
    dir = tempDir();
    store = await open(dir);
    hash = await store.put(bytes);
    const health = async () => ({ ok: true, rpc: true, blockLag: 0, queueDepth: 0, stuckJobs: [], txAlerts: [] });
    ({ url, close } = await serveOperations({
      host: "127.0.0.1",
      port: 0,
      metrics: createMetrics(),
      health,
      content: store,
    }));
  });
  afterAll(() => close());

  it("serves stored content as immutable octet-stream that any origin may read", async () => {
    const res = await fetch(`${url}/content/${hash}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("etag")).toBe(`"${hash}"`);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
  });

  it("answers HEAD with the length and no body", async () => {
    const res = await fetch(`${url}/content/${hash}`, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe("8");
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it("answers 404 for a well-formed hash it does not hold, 405 for writes", async () => {
    expect((await fetch(`${url}/content/0x${"0".repeat(64)}`)).status).toBe(404);
    expect((await fetch(`${url}/content/${hash}`, { method: "PUT", body: "x" })).status).toBe(405);
  });

  it("answers 400 for anything but 0x and 64 lowercase hex digits, so no path reaches the disk", async () => {
    const bad = [
      hash.toUpperCase().replace("0X", "0x"),
      hash.slice(0, -1),
      `${hash}0`,
      hash.slice(2),
      "",
      "%2e%2e%2frelayer.sqlite",
      `${hash}%2f..`,
      `..%2f${hash}`,
    ];
    for (const name of bad) expect([name, (await fetch(`${url}/content/${name}`)).status]).toEqual([name, 400]);
  });

  it("never lets a dot segment leave /content/", async () => {
    // Sent raw (fetch would normalize it): the server resolves it to /relayer.sqlite, which it does not serve.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${url}/content/../relayer.sqlite`, (res) => resolve(res.statusCode ?? 0));
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(404);
  });

  it("answers 500, never the bytes, when the stored file was tampered with", async () => {
    const other = await store.put(new Uint8Array([7, 7, 7, 7]));
    writeFileSync(join(dir, other), new Uint8Array([7, 7, 7, 6]));
    const res = await fetch(`${url}/content/${other}`);
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/corrupt/);
  });
});
