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

/** Free ports tried when none is given and another process takes the one found before our node binds it. */
const PORT_ATTEMPTS = 3;

/**
 * Starts a real `hardhat node` JSON-RPC server on 127.0.0.1 (a free port unless given) and waits until it answers.
 * Ready means the child itself announced that it listens on the port, and then answered there: an answer alone
 * could come from another node that took the port between the free-port check and our node binding it (ours
 * then dies with EADDRINUSE seconds later, after the probe had already found the other chain). A free port
 * found here and lost that way is replaced by another, up to `PORT_ATTEMPTS` times.
 */
export async function startLocalChain(opts: { port?: number } = {}): Promise<LocalChain> {
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    try {
      return await startOn(port);
    } catch (error) {
      if (opts.port !== undefined || !(error instanceof PortTakenError) || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

/** The node could not bind its port: another process listens there. */
class PortTakenError extends RelayerError {
  override name = "PortTakenError";
}

async function startOn(port: number): Promise<LocalChain> {
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
  const url = `http://127.0.0.1:${port}`;
  await awaitNodeListening(child, {
    name: "hardhat node",
    url,
    announcement: `JSON-RPC server at ${url}/`,
    portTaken: "EADDRINUSE",
    timeoutMs: START_TIMEOUT_MS,
    pollMs: 250,
  });
  return runningChain(child, port);
}

/**
 * Waits until the node process `child` serves JSON-RPC at `url`: it has itself printed `announcement` (it listens
 * on that port) and answers `eth_chainId` there. An answer alone could come from another node that took the port
 * between the free-port check and this one binding it: this one then dies seconds later, after a probe had already
 * found the other chain. Throws `PortTakenError` when it exits having printed `portTaken`, and kills it when it
 * does not answer within `timeoutMs`.
 */
export async function awaitNodeListening(
  child: ChildProcess,
  opts: { name: string; url: string; announcement: string; portTaken: string; timeoutMs: number; pollMs: number },
): Promise<void> {
  const { name, url } = opts;
  let output = "";
  let listening = false;
  const keep = (d: Buffer) => {
    output = (output + d).slice(-4000);
    listening ||= output.includes(opts.announcement);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      if (output.includes(opts.portTaken)) throw new PortTakenError(`port of ${url} was taken before ${name} bound it`);
      throw new RelayerError(`${name} exited during start-up`, { details: output });
    }
    const ok =
      listening &&
      (await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      })
        .then((r) => r.ok)
        .catch(() => false));
    if (ok) return;
    await new Promise((r) => setTimeout(r, opts.pollMs));
  }
  child.kill("SIGKILL");
  throw new RelayerError(`${name} did not answer on ${url} within ${opts.timeoutMs} ms`, { details: output });
}

/** The `LocalChain` of a node process that serves on 127.0.0.1:`port`; `stop()` ends it with SIGTERM. */
export function runningChain(child: ChildProcess, port: number): LocalChain {
  return {
    url: `http://127.0.0.1:${port}`,
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
