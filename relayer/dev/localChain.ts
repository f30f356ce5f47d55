import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { RelayerError } from "../common/errors.ts";
import { assertPortFree } from "../common/preflight.ts";

const ROOT = join(import.meta.dirname, "..", "..");
/** How long `hardhat node` may take to start on a loaded 2-core machine. */
const START_TIMEOUT_MS = 90_000;

/**
 * The private keys of `hardhat node`'s default accounts, derived from Hardhat's public development
 * mnemonic ("test test … junk"). They hold value only on local development chains.
 */
export const LOCAL_DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** Finds a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A running `hardhat node` child process. */
export type LocalChain = { url: string; port: number; process: ChildProcess; stop(): Promise<void> };

/** Starts a real `hardhat node` JSON-RPC server on 127.0.0.1 (a free port unless given) and waits until it answers. */
export async function startLocalChain(opts: { port?: number } = {}): Promise<LocalChain> {
  const port = opts.port ?? (await freePort());
  // Otherwise hardhat node dies with a stack trace, or worse, the probe below finds another chain.
  await assertPortFree(port, "stop what listens there (another relayer or hardhat node) or pass --chain-port <port>");
  const child = spawn(
    process.execPath,
    [
      join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js"),
      "node",
      "--port",
      String(port),
      "--hostname",
      "127.0.0.1",
    ],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout?.on("data", (d) => {
    output = (output + d).slice(-4000);
  });
  child.stderr?.on("data", (d) => {
    output = (output + d).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new RelayerError("hardhat node exited during start-up", { details: output });
    const ok = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (Date.now() >= deadline) {
    child.kill("SIGKILL");
    throw new RelayerError(`hardhat node did not answer on ${url} within ${START_TIMEOUT_MS} ms`, { details: output });
  }
  return {
    url,
    port,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
