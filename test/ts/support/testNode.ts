import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  awaitNodeListening,
  freePort,
  type LocalChain,
  runningChain,
  startLocalChain,
} from "../../../relayer/dev/localChain.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");
/** The anvil binary that `@foundry-rs/anvil` installs through its platform package (spawned directly, so signals reach it). */
const ANVIL_BIN = join(ROOT, "node_modules", "@foundry-rs", `anvil-${process.platform}-${archName()}`, "bin", "anvil");
/** How long anvil may take to answer on a loaded 2-core machine. */
const ANVIL_START_TIMEOUT_MS = 30_000;

function archName(): string {
  return process.arch === "x64" ? "amd64" : process.arch;
}

/** The node implementations the relayer's end-to-end tests run against. */
export type TestNodeKind = "hardhat" | "anvil";

/** `OPG_TEST_NODE` (hardhat, the default, or anvil): which node implementation the tests start. */
export const TEST_NODE: TestNodeKind = process.env.OPG_TEST_NODE === "anvil" ? "anvil" : "hardhat";

/** A running local node and the one thing the two implementations do differently for tests: reorgs. */
export type TestNode = LocalChain & {
  kind: TestNodeKind;
  /**
   * Replaces the blocks after `block` (the head when called must be above it). hardhat: `evm_revert` to
   * the snapshot taken at `block` (the chain gets shorter); anvil: `anvil_reorg` to the same height with
   * empty blocks (a real reorg: new hashes at the old heights, the dropped transactions are gone).
   */
  reorgTo(checkpoint: Checkpoint): Promise<void>;
  /** Marks the current head as a point a later `reorgTo` can return to. */
  checkpoint(): Promise<Checkpoint>;
  /** Raw JSON-RPC call. */
  rpc(method: string, params?: unknown[]): Promise<unknown>;
};

/** A head a reorg can return to. */
export type Checkpoint = { block: bigint; snapshot?: string };

async function rpcCall(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

async function startAnvil(): Promise<LocalChain> {
  if (!existsSync(ANVIL_BIN)) {
    throw new Error(`anvil is not installed at ${ANVIL_BIN}: install the dev dependency @foundry-rs/anvil`);
  }
  const port = await freePort();
  // Hardhat's default mnemonic and chain id, so deployments and keys are the same on both nodes.
  const child = spawn(ANVIL_BIN, ["--port", String(port), "--host", "127.0.0.1", "--chain-id", "31337"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  await awaitNodeListening(child, {
    name: "anvil",
    url: `http://127.0.0.1:${port}`,
    announcement: `Listening on 127.0.0.1:${port}`,
    portTaken: "Address already in use",
    timeoutMs: ANVIL_START_TIMEOUT_MS,
    pollMs: 100,
  });
  return runningChain(child, port);
}

/** Starts the node `kind` (default: `OPG_TEST_NODE`) on a free loopback port. */
export async function startTestNode(kind: TestNodeKind = TEST_NODE): Promise<TestNode> {
  const chain = kind === "anvil" ? await startAnvil() : await startLocalChain();
  const rpc = (method: string, params: unknown[] = []) => rpcCall(chain.url, method, params);
  const head = async () => BigInt((await rpc("eth_blockNumber")) as string);
  return {
    ...chain,
    kind,
    rpc,
    async checkpoint() {
      const block = await head();
      return kind === "anvil" ? { block } : { block, snapshot: (await rpc("evm_snapshot")) as string };
    },
    async reorgTo(checkpoint) {
      const depth = (await head()) - checkpoint.block;
      if (depth <= 0n) throw new Error(`no block after ${checkpoint.block} to reorg`);
      if (kind === "anvil") {
        await rpc("anvil_reorg", [Number(depth), []]);
        return;
      }
      if ((await rpc("evm_revert", [checkpoint.snapshot])) !== true) throw new Error("evm_revert failed");
    },
  };
}
