import { type Block, createPublicClient, formatBlock, type PublicClient, type RpcBlock, webSocket } from "viem";
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
/**
 * Announced headers kept below the newest: enough for any confirmation depth the watcher reads at (a
 * deeper block's hash is read over RPC), few enough to walk on every poll.
 */
const ANNOUNCED_HEADERS_KEPT = 64;

/** What job steps and the sender read from the head block. */
export type HeadBlock = { number: bigint; timestamp: bigint; baseFeePerGas: bigint | null; gasLimit: bigint };

/**
 * What the watcher may take from the `newHeads` announcements instead of asking the node: the newest
 * announced block number, and the hash of a block at or below it when the announced headers link up to
 * the newest one by their parent hashes (so the hash is the newest head's ancestor, not a dropped branch's).
 */
export type AnnouncedChain = { number: bigint; hashAt(number: number): string | undefined };

/** A header as announced: the head block plus its hash and parent's hash. */
type Announced = HeadBlock & { hash: string; parentHash: string };

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
  /** Headers announced over the subscription by number; a new header drops those above it (another branch). */
  const announced = new Map<number, Announced>();
  let newestAnnounced: Announced | undefined;

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

  /** Records an announced header and hands it on; malformed ones (no hash, pending) are ignored. */
  function announce(block: Pick<Block, "number" | "hash" | "parentHash" | "timestamp" | "baseFeePerGas" | "gasLimit">) {
    if (block.number === null || block.hash === null) return;
    const header: Announced = { ...toHead(block), hash: block.hash, parentHash: block.parentHash };
    const n = Number(block.number);
    for (const k of announced.keys()) if (k > n || k <= n - ANNOUNCED_HEADERS_KEPT) announced.delete(k);
    announced.set(n, header);
    newestAnnounced = header;
    store(header);
    for (const listener of listeners) listener(header);
  }

  /** The announced chain as of the newest header (see `AnnouncedChain`); undefined before the first one. */
  function announcedChain(): AnnouncedChain | undefined {
    const top = newestAnnounced;
    if (!top) return undefined;
    return {
      number: top.number,
      hashAt(number: number): string | undefined {
        let child = top;
        for (let n = Number(top.number); n > number; n--) {
          const parent = announced.get(n - 1);
          // The child names its parent's hash: that is the hash at n − 1 on the newest head's chain.
          if (n - 1 === number) return child.parentHash;
          if (!parent || parent.hash !== child.parentHash) return undefined;
          child = parent;
        }
        return number === Number(top.number) ? top.hash : undefined;
      },
    };
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
    // The `newHeads` payload is the header itself: no `eth_getBlockByNumber` per head (viem's `watchBlocks`
    // fetches each one again, by number, which on a reorg can even be another block than the one announced).
    const subscription = await ws.transport.subscribe({
      params: ["newHeads"],
      onData: (data: { result?: RpcBlock }) => {
        if (data.result) announce(formatBlock(data.result));
      },
      onError: (error: Error) => log.warn({ err: classifyError(error).message }, "new-head subscription failed"),
    });
    log.info({ url }, "subscribed to new heads");
    return {
      async close() {
        // Not awaited: on a socket already closed the request never answers; closing the client ends it anyway.
        subscription.unsubscribe().catch(() => undefined);
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
    announced: announcedChain,
    /** Calls `listener` with every head announced over the subscription. */
    onHead(listener: (head: HeadBlock) => void): void {
      listeners.push(listener);
    },
  };
}

/** The cached chain head of one relayer. */
export type ChainHead = ReturnType<typeof createChainHead>;
