import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Faults the proxy injects. `5xx`: a 503 without forwarding; `reset`: the socket is destroyed before any
 * reply; `drop`: the connection is closed without an HTTP response; `delay`: a latency spike, then the
 * real reply; `lostReply`: forwarded (a transaction is sent) but the reply is lost (socket destroyed);
 * `slowReply`: forwarded at once (the node acts on it), the reply held back by the delay.
 */
export type Fault = "none" | "5xx" | "reset" | "delay" | "drop" | "lostReply" | "slowReply";

/** Picks the fault for the n-th request (1-based) from its JSON-RPC method(s) and, where that is not enough, its body. */
export type FaultSchedule = (n: number, methods: string[], body: string) => Fault;

/** The fixed schedule the RPC-faults test was written against: every 5th a 503, 7th a reset, 11th a delay, 13th a drop. */
export const EVERY_NTH: FaultSchedule = (i) =>
  i % 5 === 0 ? "5xx" : i % 7 === 0 ? "reset" : i % 11 === 0 ? "delay" : i % 13 === 0 ? "drop" : "none";

/** Probabilities of each fault per request (the rest pass untouched). */
export type FaultRates = Partial<Record<Exclude<Fault, "none">, number>>;

/** A seeded schedule: each request draws its fault from `rates` with `random` (a seeded PRNG). */
export function randomFaults(random: () => number, rates: FaultRates): FaultSchedule {
  const entries = Object.entries(rates) as [Exclude<Fault, "none">, number][];
  return () => {
    let x = random();
    for (const [fault, p] of entries) {
      if (x < p) return fault;
      x -= p;
    }
    return "none";
  };
}

/** Default latency spike of a `delay` fault. */
const DEFAULT_DELAY_MS = 1_500;

function methodsOf(body: Buffer): string[] {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { method?: string } | { method?: string }[];
    return (Array.isArray(parsed) ? parsed : [parsed]).map((m) => String(m.method));
  } catch {
    return [];
  }
}

/**
 * A JSON-RPC proxy on loopback between relayers and a real node, injecting faults on a schedule (or a 503
 * for every request during an outage). Counts what it injected, by fault.
 */
export async function startFaultyProxy(upstream: string, opts: { schedule?: FaultSchedule; delayMs?: number } = {}) {
  const schedule = opts.schedule ?? EVERY_NTH;
  const delayMs = opts.delayMs ?? DEFAULT_DELAY_MS;
  const counts: Record<Fault, number> = { none: 0, "5xx": 0, reset: 0, delay: 0, drop: 0, lostReply: 0, slowReply: 0 };
  let n = 0;
  let outage = false;
  let enabled = true;

  async function forward(body: Buffer): Promise<{ status: number; text: string }> {
    try {
      const res = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body });
      return { status: res.status, text: await res.text() };
    } catch {
      return { status: 502, text: "upstream unreachable" };
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    const fault: Fault = outage ? "5xx" : enabled ? schedule(++n, methodsOf(body), body.toString("utf8")) : "none";
    counts[fault]++;
    if (fault === "5xx") return void res.writeHead(503).end("upstream unavailable");
    if (fault === "reset") return void req.socket.destroy();
    if (fault === "drop") return void req.socket.end(); // closes without an HTTP response
    if (fault === "delay") await new Promise((r) => setTimeout(r, delayMs));
    const reply = await forward(body);
    if (fault === "lostReply") return void req.socket.destroy();
    if (fault === "slowReply") await new Promise((r) => setTimeout(r, delayMs));
    if (!res.destroyed) res.writeHead(reply.status, { "content-type": "application/json" }).end(reply.text);
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => void handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    /** Faults injected so far (every kind but `none`). */
    injected: () => Object.entries(counts).reduce((sum, [k, v]) => (k === "none" ? sum : sum + v), 0),
    /** While on, every request gets a 503. */
    setOutage(on: boolean) {
      outage = on;
    },
    /** While off, requests pass untouched (an outage still applies). */
    setEnabled(on: boolean) {
      enabled = on;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** The proxy returned by `startFaultyProxy`. */
export type FaultyProxy = Awaited<ReturnType<typeof startFaultyProxy>>;
