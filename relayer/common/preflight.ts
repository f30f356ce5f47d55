import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import type { RelayerConfig } from "./config.ts";
import { RelayerError } from "./errors.ts";

/** How long a configured RPC may take to answer `eth_chainId` before start-up gives up on it. */
const RPC_PROBE_TIMEOUT_MS = 5_000;
/**
 * Probes of each URL before start-up gives up (≈ 15 s of backoff): a 503, a reset or a short outage (a
 * node restarting) must not keep a relayer restarted after a crash from starting, while a wrong URL still
 * fails within seconds.
 */
const RPC_PROBE_ATTEMPTS = 6;
/** Pause before the second probe; doubles after each. */
const RPC_PROBE_BACKOFF_MS = 500;

/**
 * Checks, before anything starts, what operators most often get wrong, and names the fix in one line:
 * every model directory holds a compiled model, and at least one configured RPC URL answers.
 */
export async function preflight(config: RelayerConfig): Promise<void> {
  for (const { modelId, dir } of config.models) {
    if (!existsSync(dir)) {
      throw new RelayerError(`model ${modelId}: directory ${dir} does not exist`, {
        details: "compile the model there (npx opg model compile <model.onnx> --out <dir>) or fix models[].dir",
      });
    }
    if (!existsSync(join(dir, "manifest.json"))) {
      throw new RelayerError(`model ${modelId}: ${dir} is not a compiled model (no manifest.json)`, {
        details: "compile the model there (npx opg model compile <model.onnx> --out <dir>) or fix models[].dir",
      });
    }
  }
  if (config.rpcUrls.length === 0) return;
  const answers = await Promise.all(config.rpcUrls.map(rpcAnswers));
  if (!answers.some(Boolean)) {
    throw new RelayerError(`no RPC answers at ${config.rpcUrls.join(", ")}`, {
      details:
        "check the URL and that the node runs (rpcUrls / OPG_RPC_URLS); with none configured, " +
        "`opg relayer start` runs a local chain",
    });
  }
}

/** Whether `url` answers a JSON-RPC `eth_chainId` within the probe timeout, in one of a few attempts. */
async function rpcAnswers(url: string): Promise<boolean> {
  for (let attempt = 1; attempt <= RPC_PROBE_ATTEMPTS; attempt++) {
    if (await probeOnce(url)) return true;
    if (attempt < RPC_PROBE_ATTEMPTS)
      await new Promise((r) => setTimeout(r, RPC_PROBE_BACKOFF_MS * 2 ** (attempt - 1)));
  }
  return false;
}

async function probeOnce(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(RPC_PROBE_TIMEOUT_MS),
    });
    return res.ok;
  } catch {
    return false;
  }
}

/** Throws naming the fix when something already listens on `port` of loopback. */
export async function assertPortFree(port: number, fix: string): Promise<void> {
  const inUse = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(true));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(false)));
  });
  if (inUse) throw new RelayerError(`port ${port} is already in use`, { details: fix });
}
