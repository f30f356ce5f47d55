import { join } from "node:path";
import { createPublicClient, getAbiItem, http, toEventSelector } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferenceHubWithErrorsAbi } from "../../../abi/index.ts";
import type { RelayerConfigInput } from "../../../relayer/common/config.ts";
import { createLogger } from "../../../relayer/common/logger.ts";
import { openStore } from "../../../relayer/store/store.ts";
import { createWatcher } from "../../../relayer/sync/watcher.ts";
import { chainFor } from "../../../relayer/tx/chain.ts";
import { createChainHead, defaultWsUrl } from "../../../relayer/tx/chainHead.ts";
import { startTestNetwork, type TestNetwork } from "./harness.ts";

type RpcCall = { method: string; params: unknown[] };

describe("watcher", () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await startTestNetwork();
  });
  afterAll(async () => {
    await net?.stop();
  });

  async function head(): Promise<number> {
    return Number(await net.publicClient.getBlockNumber({ cacheTime: 0 }));
  }

  /** Mines `count` empty blocks; `skewSeconds` moves the clock first so they differ from any dropped ones. */
  async function mine(count: number, skewSeconds = 0): Promise<void> {
    if (skewSeconds) await net.rpc("evm_increaseTime", [skewSeconds]);
    await net.rpc("hardhat_mine", [`0x${count.toString(16)}`]);
  }

  async function hashAt(n: number): Promise<string> {
    return (await net.publicClient.getBlock({ blockNumber: BigInt(n) })).hash;
  }

  /**
   * A watcher on its own store, with the RPC calls it makes recorded, an optional hook run before each
   * of them, and its warn logs captured. A reorg reopens jobs as the relayer does.
   */
  function rig(overrides: Partial<RelayerConfigInput> = {}) {
    const config = net.relayerConfig({ logChunkBlocks: 100, ...overrides });
    const store = openStore(join(config.dataDir, "relayer.sqlite"));
    const warnings: { msg: string }[] = [];
    const log = createLogger("warn", { write: (line: string) => warnings.push(JSON.parse(line)) });
    const calls: RpcCall[] = [];
    const rig = {
      config,
      store,
      warnings,
      calls,
      forks: [] as number[],
      requests: [] as { requestId: string; input: string }[],
      beforeCall: undefined as ((call: RpcCall) => Promise<void>) | undefined,
    };
    const publicClient = createPublicClient({
      chain: chainFor(net.deployment.chainId, [net.chain.url]),
      // As the relayer's own clients: no transport retries, so the watcher's retry policy is the only one.
      transport: http(net.chain.url, {
        retryCount: 0,
        onFetchRequest: async (request) => {
          const call = (await request.clone().json()) as RpcCall;
          calls.push(call);
          await rig.beforeCall?.(call);
        },
      }),
    });
    const watcher = createWatcher({
      publicClient,
      hub: net.deployment.hub,
      abi: inferenceHubWithErrorsAbi,
      config,
      store,
      log,
      onRequested: (ev) => {
        const input = ev.request.input.map(String).join(",");
        rig.requests.push({ requestId: ev.requestId, input });
      },
      onReorg: (fork) => {
        rig.forks.push(fork);
        store.reopenAfter(fork);
      },
    });
    return {
      ...rig,
      watcher,
      setBeforeCall(hook: ((call: RpcCall) => Promise<void>) | undefined) {
        rig.beforeCall = hook;
      },
      /** Polls until the watcher is at the final head. */
      async catchUp(): Promise<void> {
        for (let i = 0; i < 1_000 && (await watcher.poll()) > 0; i++);
      },
    };
  }

  it("asks the node only for Requested logs", async () => {
    const r = rig();
    try {
      await net.request([0.1, 0.2, 0.3, 0.4]);
      await net.request([0.4, 0.3, 0.2, 0.1]);
      await r.catchUp();
      expect(r.requests).toHaveLength(2);
      const requested = toEventSelector(getAbiItem({ abi: inferenceHubWithErrorsAbi, name: "Requested" }) as never);
      const getLogs = r.calls.filter((c) => c.method === "eth_getLogs");
      expect(getLogs.length).toBeGreaterThan(0);
      for (const call of getLogs) expect((call.params[0] as { topics?: string[] }).topics?.[0]).toBe(requested);
    } finally {
      r.store.close();
    }
  });

  it("rewinds a shallow reorg by its depth, not to the start block, and leaves older jobs finished", async () => {
    const r = rig();
    try {
      await mine(300);
      await r.catchUp();
      const startBlock = Number(r.config.startBlock);
      r.store.addJob({
        requestId: `0x${"11".repeat(32)}`,
        modelId: "1",
        requestJson: "{}",
        requestBlock: startBlock,
        state: "seen",
      });
      r.store.updateJob(`0x${"11".repeat(32)}`, { state: "settled", lastBlock: startBlock + 5 });

      const h = await head();
      const snapshot = await net.rpc("evm_snapshot");
      await mine(5);
      await r.catchUp(); // one chunk: h+1 … h+5
      expect(r.store.getCursor()).toBe(h + 5);
      const dropped = await hashAt(h + 5);

      expect(await net.rpc("evm_revert", [snapshot])).toBe(true);
      await mine(6, 60);
      expect(await hashAt(h + 5)).not.toBe(dropped);
      await r.catchUp();

      expect(r.forks).toEqual([h]);
      expect(r.store.getJob(`0x${"11".repeat(32)}`)!.state).toBe("settled");
      expect(r.store.getCursor()).toBe(h + 6);
      expect(r.store.blockHash(h + 6)).toBe(await hashAt(h + 6));
    } finally {
      r.store.close();
    }
  });

  it("walks back over the gaps of a store that kept only chunk-end hashes", async () => {
    const r = rig();
    try {
      await mine(200);
      const a = await head();
      const snapshot = await net.rpc("evm_snapshot");
      await mine(3);
      // A store written by an older relayer: cursor at the head, hashes only where its chunks ended.
      for (const n of [a - 150, a - 50, a + 3]) r.store.advanceCursor(n, [{ number: n, hash: await hashAt(n) }]);

      expect(await net.rpc("evm_revert", [snapshot])).toBe(true);
      await mine(4, 60);
      await r.catchUp();

      expect(r.forks).toEqual([a - 50]);
      expect(r.store.getCursor()).toBe(a + 4);
    } finally {
      r.store.close();
    }
  });

  it("rewinds a reorg deeper than the hash window by the window, once, and says so", async () => {
    const r = rig({ finality: { mode: "confirmations", confirmations: 0, reorgWindowBlocks: 8 } });
    try {
      await mine(20);
      await r.catchUp();
      const h = await head();
      const snapshot = await net.rpc("evm_snapshot");
      await mine(20);
      await r.catchUp();
      expect(await net.rpc("evm_revert", [snapshot])).toBe(true);
      await mine(21, 60);
      await r.catchUp();

      expect(r.forks).toEqual([h + 20 - 8]);
      expect(r.warnings.filter((w) => /deeper than the hash window/.test(w.msg))).toHaveLength(1);
      expect(r.store.getCursor()).toBe(h + 21);
    } finally {
      r.store.close();
    }
  });

  it("does not take an RPC failure while checking for a reorg for a reorg", async () => {
    const r = rig();
    try {
      await mine(3);
      await r.catchUp();
      await mine(1);
      await r.catchUp();
      const cursor = r.store.getCursor()!;
      let failed = 0;
      r.setBeforeCall(async (call) => {
        const asksCursor = call.method === "eth_getBlockByNumber" && call.params[0] === `0x${cursor.toString(16)}`;
        if (asksCursor && failed++ === 0) throw new Error("fetch failed: ECONNRESET");
      });
      await mine(1);
      await r.catchUp();
      expect(failed).toBeGreaterThan(0);
      expect(r.forks).toEqual([]);
      expect(r.store.getCursor()).toBe(cursor + 1);
    } finally {
      r.store.close();
    }
  });

  it("notices a reorg that lands while a chunk is being scanned", async () => {
    const r = rig();
    try {
      await r.catchUp();
      const snapshot = await net.rpc("evm_snapshot");
      await net.request([0.1, 0.1, 0.1, 0.1]); // dropped below
      const replacement = [0.9, 0.8, 0.7, 0.6];
      let sawLogs = false;
      let reorged = false;
      r.setBeforeCall(async (call) => {
        if (call.method === "eth_getLogs") sawLogs = true;
        else if (sawLogs && !reorged) {
          // The chain switches branches right after the watcher read this chunk's logs.
          reorged = true;
          expect(await net.rpc("evm_revert", [snapshot])).toBe(true);
          await net.rpc("evm_increaseTime", [60]);
          await net.request(replacement);
        }
      });
      await r.catchUp();
      await r.catchUp();

      expect(reorged).toBe(true);
      const words = net.model.packInput(net.model.quantizeInput(replacement)).map(String).join(",");
      expect(r.requests.map((q) => q.input)).toContain(words);
      expect(r.forks).toHaveLength(1);
      const cursor = r.store.getCursor()!;
      expect(r.store.blockHash(cursor)).toBe(await hashAt(cursor));
    } finally {
      r.store.close();
    }
  });

  /**
   * The chain as a `newHeads` subscription on the node announces it, and a wait for the announcement of
   * block `n` (an event, not a timer).
   */
  async function announcements() {
    const head = createChainHead({ publicClient: net.publicClient as never, log: createLogger("silent") });
    const seen: bigint[] = [];
    const waiting: { n: bigint; resolve: () => void }[] = [];
    head.onHead((h) => {
      seen.push(h.number);
      for (const w of waiting.filter((w) => h.number >= w.n)) w.resolve();
    });
    const subscription = await head.subscribe(defaultWsUrl([net.chain.url])!);
    expect(subscription).toBeDefined();
    return {
      head,
      close: () => subscription!.close(),
      announcedAt: (n: number) =>
        seen.some((s) => s >= BigInt(n))
          ? Promise.resolve()
          : new Promise<void>((resolve) => waiting.push({ n: BigInt(n), resolve })),
    };
  }

  it("takes a new head's number and hash from its announcement and reads that block's logs by hash", async () => {
    const r = rig();
    const ws = await announcements();
    try {
      await r.catchUp();
      await net.request([0.2, 0.2, 0.2, 0.2]);
      const n = await head();
      await ws.announcedAt(n);
      r.calls.length = 0;
      r.requests.length = 0; // earlier tests' requests, found by catchUp

      expect(await r.watcher.poll(ws.head.announced())).toBe(0);

      expect(r.requests).toHaveLength(1);
      expect(r.calls.map((c) => c.method)).toEqual(["eth_getLogs"]);
      expect(r.calls[0]!.params[0]).toMatchObject({ blockHash: await hashAt(n) });
      expect(r.store.getCursor()).toBe(n);
      expect(r.store.blockHash(n)).toBe(await hashAt(n));
    } finally {
      await ws.close();
      r.store.close();
    }
  });

  it("still finds a reorg when a poll was handed the announcement of a branch the chain then dropped", async () => {
    const r = rig();
    const ws = await announcements();
    try {
      await r.catchUp();
      const snapshot = await net.rpc("evm_snapshot");
      await net.request([0.1, 0.1, 0.1, 0.1]); // dropped below
      await mine(1);
      const n = await head();
      await ws.announcedAt(n);
      const stale = ws.head.announced()!;
      expect(await net.rpc("evm_revert", [snapshot])).toBe(true);
      const replacement = [0.9, 0.8, 0.7, 0.6];
      await mine(1, 60);
      await net.request(replacement);
      expect(await head()).toBe(n);

      // The stale announcement vouches for the dropped blocks; the next poll (from the node) must undo them.
      await r.watcher.poll(stale);
      await r.catchUp();

      const words = net.model.packInput(net.model.quantizeInput(replacement)).map(String).join(",");
      expect(r.requests.map((q) => q.input)).toContain(words);
      expect(r.forks).toHaveLength(1);
      expect(r.store.getCursor()).toBe(n);
      expect(r.store.blockHash(n)).toBe(await hashAt(n));
      expect(r.store.blockHash(n - 1)).toBe(await hashAt(n - 1));
    } finally {
      await ws.close();
      r.store.close();
    }
  });
});
