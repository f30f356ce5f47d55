import { type Address, BlockNotFoundError, getAbiItem, type PublicClient } from "viem";
import type { HubRequest, inferenceHubWithErrorsAbi } from "../../abi/index.ts";
import type { RelayerConfig } from "../common/config.ts";
import type { Logger } from "../common/logger.ts";
import { withRetry } from "../common/retry.ts";
import type { Store } from "../store/store.ts";
import type { AnnouncedChain } from "../tx/chainHead.ts";

/** `getBlock` calls in flight at once while recording the hashes of a chunk near the head. */
const HASH_FETCH_CONCURRENCY = 8;

/** A `Requested` event as the watcher hands it on. */
export type RequestedLog = { requestId: `0x${string}`; modelId: bigint; request: HubRequest; blockNumber: bigint };

/**
 * Scans the hub's `Requested` logs from the persisted cursor up to the final head (per the finality
 * policy), in chunks. It keeps the hash of every block within `finality.reorgWindowBlocks` of the head
 * (and of each chunk's last block), and detects a reorg when the cursor block's stored hash is no longer
 * the chain's: it then walks down the stored hashes (skipping gaps) to the highest one that still
 * matches, rewinds the cursor there and reports that fork point. A reorg deeper than the window rewinds
 * by the window, with a warning.
 *
 * A poll woken by a `newHeads` announcement is handed the announced chain: it takes the head's number and
 * the hashes the announced headers vouch for (linked by parent hash to the newest head) from there instead
 * of asking the node, and reads a one-block chunk's logs by that block's hash (EIP-234), so those logs and
 * the hash recorded for them are of one block. A hash the announcements do not vouch for, a mismatch, and
 * every poll the timer starts go to the node as before: the announcements only save round trips.
 */
export function createWatcher(deps: {
  publicClient: PublicClient;
  hub: Address;
  abi: typeof inferenceHubWithErrorsAbi;
  config: RelayerConfig;
  store: Store;
  log: Logger;
  onRequested: (log: RequestedLog) => void;
  onReorg: (forkBlock: number) => void;
}) {
  const { publicClient, store, config, log } = deps;
  const window = config.finality.reorgWindowBlocks;
  const beforeStart = Number(config.startBlock) - 1;
  /** The hub's `Requested` event, the only one the watcher asks the node for. */
  const requested = getAbiItem({ abi: deps.abi, name: "Requested" });
  let lastHead = 0n;

  async function finalHead(announced: AnnouncedChain | undefined): Promise<bigint> {
    const { mode, confirmations } = config.finality;
    if (mode === "confirmations" && announced) {
      lastHead = announced.number;
      return announced.number - BigInt(confirmations);
    }
    if (mode === "confirmations") {
      const head = await publicClient.getBlockNumber({ cacheTime: 0 });
      lastHead = head;
      return head - BigInt(confirmations);
    }
    const block = await publicClient.getBlock({ blockTag: mode });
    lastHead = block.number;
    return block.number;
  }

  /** The chain's hash of block `n`, or undefined when it has no such block (a shorter branch); RPC faults throw. */
  async function chainHash(n: number): Promise<string | undefined> {
    try {
      return (await publicClient.getBlock({ blockNumber: BigInt(n) })).hash;
    } catch (error) {
      if (error instanceof BlockNotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * Highest stored block at or above the window's floor (and below `cursor`) that the chain still
   * holds; the floor itself when none does.
   */
  async function findFork(cursor: number): Promise<{ fork: number; matched: boolean; floor: number }> {
    const floor = Math.max(cursor - window, beforeStart);
    for (const stored of store.storedHashes(floor, cursor - 1)) {
      if ((await chainHash(stored.number)) === stored.hash) return { fork: stored.number, matched: true, floor };
    }
    return { fork: floor, matched: false, floor };
  }

  /** Returns true if a reorg was found (and the cursor rewound). Writes nothing until it knows. */
  async function checkReorg(cursor: number, announced: AnnouncedChain | undefined): Promise<boolean> {
    const stored = store.blockHash(cursor);
    if (!stored || announced?.hashAt(cursor) === stored || (await chainHash(cursor)) === stored) return false;
    const { fork, matched, floor } = await findFork(cursor);
    if (!matched && floor > beforeStart) {
      log.warn(
        { cursor, fork, reorgWindowBlocks: window },
        "reorg deeper than the hash window: rewinding by the window only; blocks below it are not rescanned",
      );
    } else log.warn({ cursor, fork }, "reorg detected: rewinding the log cursor");
    // Without a matching stored hash the fork block's hash is taken from the chain as it is now, so the
    // next check starts from there instead of walking down another window.
    const forkHash = matched || fork < 0 ? undefined : ((await chainHash(fork)) ?? null);
    store.rewindTo(fork, forkHash);
    deps.onReorg(fork);
    return true;
  }

  /**
   * Hashes to record for the chunk `from`…`to`: every block within the window of the head (a reorg can
   * reach those) and the chunk's last one. Undefined when the chain no longer has one of them (it moved
   * to a shorter branch): the chunk is read again on the next poll.
   */
  async function chunkHashes(
    from: number,
    to: number,
    announced: AnnouncedChain | undefined,
  ): Promise<{ number: number; hash: string }[] | undefined> {
    const first = Math.max(from, Number(lastHead) - window);
    const numbers = first <= to ? Array.from({ length: to - first + 1 }, (_, i) => first + i) : [to];
    const hashes: { number: number; hash: string }[] = [];
    for (let i = 0; i < numbers.length; i += HASH_FETCH_CONCURRENCY) {
      const batch = numbers.slice(i, i + HASH_FETCH_CONCURRENCY);
      const blocks = await Promise.all(batch.map((n) => announced?.hashAt(n) ?? withRetry(() => chainHash(n))));
      for (const [j, hash] of blocks.entries()) {
        if (hash === undefined) return undefined;
        hashes.push({ number: batch[j]!, hash });
      }
    }
    return hashes;
  }

  /**
   * The lowest block of `from`…`to` whose hash a job step noted (`store.noteBlockHash`) before the cursor
   * got there and that the chain has since replaced; undefined when none. Such a reorg sits entirely
   * above the cursor, so the cursor check cannot see it, yet jobs acted on the dropped blocks.
   */
  async function replacedAhead(from: number, to: number, hashes: { number: number; hash: string }[]) {
    const known = new Map(hashes.map((h) => [h.number, h.hash]));
    let lowest: number | undefined;
    for (const noted of store.storedHashes(from, to)) {
      const hash = known.get(noted.number) ?? (await withRetry(() => chainHash(noted.number)));
      if (hash !== noted.hash) lowest = noted.number;
    }
    return lowest;
  }

  /**
   * Noted blocks above the chain's latest head: the chain moved to a shorter branch and dropped them.
   * Reopens the jobs that acted on them and forgets the notes. Returns true when it found any.
   */
  async function droppedAboveHead(): Promise<boolean> {
    const above = store.storedHashes(Number(lastHead) + 1, Number.MAX_SAFE_INTEGER);
    if (above.length === 0) return false;
    const latest = Number(await withRetry(() => publicClient.getBlockNumber({ cacheTime: 0 })));
    const dropped = above.filter((b) => b.number > latest);
    if (dropped.length === 0) return false;
    const lowest = dropped.at(-1)!.number;
    log.warn({ latest, dropped: lowest }, "reorg to a shorter chain dropped blocks jobs acted on: reopening them");
    store.forgetBlocksAbove(latest);
    deps.onReorg(lowest - 1);
    return true;
  }

  /** The `Requested` logs of `from`…`to`; of the one block by its hash when `hash` names it. */
  function requestedLogs(from: number, to: number, hash: string | undefined) {
    const range =
      hash && from === to ? { blockHash: hash as `0x${string}` } : { fromBlock: BigInt(from), toBlock: BigInt(to) };
    return withRetry(() => publicClient.getLogs({ address: deps.hub, event: requested, ...range, strict: true }));
  }

  /**
   * One scan step; returns the number of blocks still behind the final head. `announced`: the chain as
   * the subscription announced it, when a new head woke this step (see above).
   */
  async function poll(announced?: AnnouncedChain): Promise<number> {
    const head = Number(await withRetry(() => finalHead(announced)));
    const cursor = store.getCursor() ?? beforeStart;
    if (cursor >= 0 && (await withRetry(() => checkReorg(cursor, announced)))) return 1;
    if (await droppedAboveHead()) return 1;
    if (head <= cursor) return 0;
    const from = cursor + 1;
    const to = Math.min(head, from + config.logChunkBlocks - 1);
    // Hashes before logs: if the chain switches branches after this, the cursor's stored hash is the old
    // branch's and the next check sees the reorg (the other order could record the new branch's hash
    // over the old branch's logs, and miss it).
    const hashes = await chunkHashes(from, to, announced);
    if (!hashes) {
      log.info({ from, to }, "chain moved to a shorter branch while a chunk was read: reading it again");
      return 1;
    }
    const replaced = await replacedAhead(from, to, hashes);
    if (replaced !== undefined) {
      log.warn({ cursor, replaced }, "reorg above the log cursor replaced a block jobs acted on: reopening them");
      deps.onReorg(replaced - 1);
    }
    const logs = await requestedLogs(from, to, announced?.hashAt(to));
    for (const { args, blockNumber } of logs) {
      deps.onRequested({ requestId: args.requestId, modelId: args.modelId, request: args.request, blockNumber });
    }
    store.advanceCursor(to, hashes, window);
    return head - to;
  }

  return { poll, lastHead: () => lastHead };
}

export type Watcher = ReturnType<typeof createWatcher>;
