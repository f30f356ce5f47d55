import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Metrics } from "./metrics.ts";

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

/** Serves `/metrics` (Prometheus text) and `/healthz` (JSON) on host:port; port 0 picks a free one. */
export async function serveOperations(opts: {
  host: string;
  port: number;
  metrics: Metrics;
  health: () => Promise<Health>;
}): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const server = createServer(async (req, res) => {
    try {
      if (req.url === "/metrics") {
        res.writeHead(200, { "content-type": opts.metrics.registry.contentType });
        res.end(await opts.metrics.registry.metrics());
      } else if (req.url === "/healthz") {
        const health = await opts.health();
        res.writeHead(health.ok ? 200 : 503, { "content-type": "application/json" });
        res.end(JSON.stringify(health));
      } else {
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("not found: try /metrics or /healthz\n");
      }
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
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
