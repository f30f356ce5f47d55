import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CONTENT_HASH, ContentCorruptError, type ContentReader } from "../teeJobs/contentStore.ts";
import type { Metrics } from "./metrics.ts";
import { REQUEST_ID, type StatusSource } from "./statusApi.ts";
import { loadStatusAssets, type StatusAsset } from "./statusAssets.ts";

/** What `/healthz` reports; `ok` false answers 503. */
export type Health = {
  ok: boolean;
  rpc: boolean;
  blockLag: number;
  queueDepth: number;
  /** Open jobs whose steps failed `STUCK_AFTER_FAILURES` times in a row, with the last error of each. */
  stuckJobs: { requestId: string; failures: number; error: string }[];
  /** Transaction alerts of the last `TX_ALERT_WINDOW_MS` (a stuck nonce or one at the fee cap fails health). */
  txAlerts: { kind: string; label: string; at: string }[];
  detail?: string;
};

/**
 * Headers on every answer. The page loads only its own script and style (no inline code, no other
 * origin), cannot be framed, and sends no referrer when an operator follows an explorer link.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
  "cache-control": "no-store",
};

const JSON_TYPE = "application/json; charset=utf-8";
const TEXT_TYPE = "text/plain; charset=utf-8";

/** Path prefix of published TEE output content: `/content/<0x hash>`. */
export const CONTENT_PATH = "/content/";

/**
 * Headers of published content: named by its hash, it never changes (cached for a year, immutable), and any
 * dApp may read it from its own origin (the URI is public on chain anyway).
 */
const CONTENT_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "public, max-age=31536000, immutable",
  "access-control-allow-origin": "*",
  "cross-origin-resource-policy": "cross-origin",
};

type Answer = { status: number; type: string; body: string | Buffer; headers?: Record<string, string> };

type RouteOptions = {
  metrics: Metrics;
  health: () => Promise<Health>;
  status?: StatusSource;
  content?: ContentReader;
};

const json = (status: number, value: unknown): Answer => ({ status, type: JSON_TYPE, body: JSON.stringify(value) });

/**
 * `/content/<hash>`: the stored bytes, re-checked against their hash on every read (corrupt content answers 500,
 * never the bytes). Only a well-formed hash reaches the store, so no path can name another file.
 */
async function contentAnswer(content: ContentReader, hash: string): Promise<Answer> {
  if (!CONTENT_HASH.test(hash)) {
    return { status: 400, type: TEXT_TYPE, body: "a content hash is 0x followed by 64 lowercase hex digits\n" };
  }
  try {
    const bytes = await content.read(hash);
    if (!bytes) return { status: 404, type: TEXT_TYPE, body: `content ${hash} is not stored on this node\n` };
    const headers = { ...CONTENT_HEADERS, etag: `"${hash}"`, "content-length": String(bytes.length) };
    return { status: 200, type: "application/octet-stream", body: Buffer.from(bytes), headers };
  } catch (error) {
    if (!(error instanceof ContentCorruptError)) throw error;
    return { status: 500, type: TEXT_TYPE, body: `content ${hash} is corrupt on this node and is not served\n` };
  }
}

/** Routes one GET; undefined when nothing is served at `path`. */
async function route(
  path: string,
  opts: RouteOptions,
  assets: ReadonlyMap<string, StatusAsset>,
): Promise<Answer | undefined> {
  if (path === "/metrics")
    return { status: 200, type: opts.metrics.registry.contentType, body: await opts.metrics.registry.metrics() };
  if (path === "/healthz") {
    const health = await opts.health();
    return json(health.ok ? 200 : 503, health);
  }
  if (opts.content && path.startsWith(CONTENT_PATH))
    return contentAnswer(opts.content, path.slice(CONTENT_PATH.length));
  if (!opts.status) return undefined;
  const asset = assets.get(path);
  if (asset) return { status: 200, type: asset.type, body: asset.body };
  if (path === "/api/status") return json(200, await opts.status.status());
  if (path.startsWith("/api/requests/")) {
    const id = path.slice("/api/requests/".length);
    if (!REQUEST_ID.test(id)) return json(400, { error: "a request id is 0x followed by 64 hex digits" });
    const found = opts.status.request(id);
    return found ? json(200, found) : json(404, { error: `request ${id} is not in this node's store` });
  }
  return undefined;
}

function send(req: IncomingMessage, res: ServerResponse, answer: Answer, extra: Record<string, string> = {}): void {
  res.writeHead(answer.status, { ...SECURITY_HEADERS, "content-type": answer.type, ...answer.headers, ...extra });
  res.end(req.method === "HEAD" ? undefined : answer.body);
}

/**
 * Serves, on host:port (port 0 picks a free one), `/metrics` (Prometheus text) and `/healthz` (JSON)
 * and, given a `status` source, the read-only status page (`/`), its script and style, `/api/status`
 * and `/api/requests/<id>`, and, given a `content` store, published TEE output content at `/content/<hash>`.
 * Only GET (and HEAD) are answered; any other method gets 405, so nothing served here can change the node's state.
 */
export async function serveOperations(
  opts: RouteOptions & { host: string; port: number },
): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const assets = opts.status ? loadStatusAssets() : new Map<string, StatusAsset>();
  const server = createServer(async (req, res) => {
    try {
      if (req.method !== "GET" && req.method !== "HEAD") {
        return send(
          req,
          res,
          { status: 405, type: TEXT_TYPE, body: "method not allowed: read-only\n" },
          { allow: "GET, HEAD" },
        );
      }
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      const answer = await route(path, opts, assets);
      const hint = opts.status ? "try /, /metrics or /healthz" : "try /metrics or /healthz";
      send(req, res, answer ?? { status: 404, type: TEXT_TYPE, body: `not found: ${hint}\n` });
    } catch (error) {
      send(req, res, { status: 500, type: TEXT_TYPE, body: `${(error as Error).message ?? String(error)}\n` });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${opts.host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
