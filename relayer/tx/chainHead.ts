import { type Block, createPublicClient, type PublicClient, webSocket } from "viem";
import { classifyError } from "../common/errors.ts";
import type { Logger } from "../common/logger.ts";
import { withRetry } from "../common/retry.ts";
import type { Fees } from "./fees.ts";

/**
 * Longest a cached head is used without a newer one being announced: a missed notification (or a node
 * without subscriptions) costs one `eth_getBlockByNumber` a second at most. Staleness is never unsafe:
 * the pre-flight `eth_call` runs on the real head before anything is sent.
 */
const HEAD_MAX_AGE_MS = 1_000;
/** Head-room on the base fee, as viem's `estimateFeesPerGas` (covers one full block's 12.5 % rise). */
const BASE_FEE_MULTIPLIER_PERCENT = 120n;
/** How long start-up waits for a WebSocket endpoint to answer before polling alone is used. */
const WS_PROBE_TIMEOUT_MS = 2_000;

/** What job steps and the sender read from the head block. */
export type HeadBlock = { number: bigint; timestamp: bigint; baseFeePerGas: bigint | null; gasLimit: bigint };

function toHead(block: Pick<Block, "number" | "timestamp" | "baseFeePerGas" | "gasLimit">): HeadBlock {
  return {
    number: block.number ?? 0n,
    timestamp: block.timestamp,
    baseFeePerGas: block.baseFeePerGas,
    gasLimit: block.gasLimit,
  };
}

/** The first RPC URL with its scheme swapped to WebSocket (a `hardhat node` serves both on one port). */
export function defaultWsUrl(rpcUrls: readonly string[]): string | undefined {
  const first = rpcUrls[0];
  return first && /^https?:\/\//.test(first) ? first.replace(/^http/, "ws") : undefined;
}

/**
 * The chain's head block and fees, read once per block instead of once per job: cached until a newer
 * block is announced (`observe`, or a WebSocket `newHeads` notification) or `HEAD_MAX_AGE_MS` passes.
 * With a WebSocket endpoint, every new head is also passed to `onHead` (the relayer wakes its watcher).
 */
export function createChainHead(deps: { publicClient: PublicClient; log: Logger; signal?: AbortSignal }) {
  const { publicClient, log } = deps;
  let cached: { head: HeadBlock; at: number } | undefined;
  let reading: Promise<HeadBlock> | undefined;
  let fees: { number: bigint; fees: Promise<Fees> } | undefined;
  let newest = 0n;
  const listeners: ((head: HeadBlock) => void)[] = [];

  function fresh(): HeadBlock | undefined {
    if (!cached || cached.head.number < newest || Date.now() - cached.at > HEAD_MAX_AGE_MS) return undefined;
    return cached.head;
  }

  function store(head: HeadBlock): void {
    if (cached && head.number < cached.head.number && Date.now() - cached.at <= HEAD_MAX_AGE_MS) return;
    cached = { head, at: Date.now() };
    if (head.number > newest) newest = head.number;
  }

  /** The head block, from the cache when it is current. */
  function latest(): Promise<HeadBlock> {
    const hit = fresh();
    if (hit) return Promise.resolve(hit);
    reading ??= withRetry(() => publicClient.getBlock({ blockTag: "latest" }), { signal: deps.signal })
      .then((block) => {
        const head = toHead(block);
        store(head);
        return head;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  }

  async function feesAt(head: HeadBlock): Promise<Fees> {
    if (head.baseFeePerGas === null) return publicClient.estimateFeesPerGas();
    const maxPriorityFeePerGas = await publicClient.estimateMaxPriorityFeePerGas();
    const maxFeePerGas = (head.baseFeePerGas * BASE_FEE_MULTIPLIER_PERCENT) / 100n + maxPriorityFeePerGas;
    return { maxFeePerGas, maxPriorityFeePerGas };
  }

  /** EIP-1559 fees for the next block, estimated once per head block (viem's rule: 1.2 × base fee + tip). */
  async function currentFees(): Promise<Fees> {
    const head = await latest();
    if (fees?.number !== head.number) {
      const estimate = withRetry(() => feesAt(head), { signal: deps.signal });
      estimate.catch(() => {
        if (fees?.fees === estimate) fees = undefined;
      });
      fees = { number: head.number, fees: estimate };
    }
    return fees.fees;
  }

  /** A block number seen elsewhere (the watcher's poll): a cached head below it is stale. */
  function observe(number: bigint): void {
    if (number > newest) newest = number;
  }

  /** Subscribes to new heads over `url`; resolves false (polling alone) when the endpoint does not answer. */
  async function subscribe(url: string): Promise<{ close(): Promise<void> } | undefined> {
    const transport = webSocket(url, { retryCount: 0, timeout: WS_PROBE_TIMEOUT_MS, reconnect: true });
    const ws = createPublicClient({ transport });
    try {
      await ws.getBlockNumber();
    } catch (raw) {
      log.info({ url, err: classifyError(raw).message }, "no WebSocket endpoint: new blocks are found by polling");
      await ws.transport
        .getRpcClient()
        .then((c) => c.close())
        .catch(() => undefined);
      return undefined;
    }
    const unwatch = ws.watchBlocks({
      onBlock: (block) => {
        const head = toHead(block);
        store(head);
        for (const listener of listeners) listener(head);
      },
      onError: (error) => log.warn({ err: classifyError(error).message }, "new-head subscription failed"),
    });
    log.info({ url }, "subscribed to new heads");
    return {
      async close() {
        unwatch();
        await ws.transport
          .getRpcClient()
          .then((c) => c.close())
          .catch(() => undefined);
      },
    };
  }

  return {
    latest,
    fees: currentFees,
    observe,
    subscribe,
    /** Calls `listener` with every head announced over the subscription. */
    onHead(listener: (head: HeadBlock) => void): void {
      listeners.push(listener);
    },
  };
}

/** The cached chain head of one relayer. */
export type ChainHead = ReturnType<typeof createChainHead>;
