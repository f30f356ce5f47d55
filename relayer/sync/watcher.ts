import { type Abi, type Address, type Log, type PublicClient, parseEventLogs } from "viem";
import type { RelayerConfig } from "../common/config.ts";
import type { Logger } from "../common/logger.ts";
import { withRetry } from "../common/retry.ts";
import type { Store } from "../store/store.ts";

/** A `Requested` event as the watcher hands it on. */
export type RequestedLog = { requestId: `0x${string}`; modelId: bigint; request: unknown; blockNumber: bigint };

/**
 * Scans the hub's `Requested` logs from the persisted cursor up to the final head (per the finality
 * policy), in chunks, and detects reorgs by comparing the cursor block's stored hash with the chain's:
 * on a mismatch it rewinds to the last block whose hash still matches and reports the fork point.
 */
export function createWatcher(deps: {
  publicClient: PublicClient;
  hub: Address;
  abi: Abi;
  config: RelayerConfig;
  store: Store;
  log: Logger;
  onRequested: (log: RequestedLog) => void;
  onReorg: (forkBlock: number) => void;
}) {
  const { publicClient, store, config, log } = deps;
  let lastHead = 0n;

  async function finalHead(): Promise<bigint> {
    const { mode, confirmations } = config.finality;
    if (mode === "confirmations") {
      const head = await publicClient.getBlockNumber({ cacheTime: 0 });
      lastHead = head;
      return head - BigInt(confirmations);
    }
    const block = await publicClient.getBlock({ blockTag: mode });
    lastHead = block.number;
    return block.number;
  }

  async function chainHash(n: number): Promise<string | undefined> {
    const block = await publicClient.getBlock({ blockNumber: BigInt(n) }).catch(() => undefined);
    return block?.hash ?? undefined;
  }

  /** Returns true if a reorg was found (and the cursor rewound). */
  async function checkReorg(cursor: number): Promise<boolean> {
    const stored = store.blockHash(cursor);
    if (!stored || (await chainHash(cursor)) === stored) return false;
    let fork = cursor - 1;
    while (fork >= 0) {
      const s = store.blockHash(fork);
      if (s === undefined) {
        // No record this deep: rescan from the configured start (scanning is idempotent).
        fork = Math.max(Number(config.startBlock) - 1, -1);
        break;
      }
      if ((await chainHash(fork)) === s) break;
      fork--;
    }
    log.warn({ cursor, fork }, "reorg detected: rewinding the log cursor");
    store.rewindTo(fork);
    deps.onReorg(fork);
    return true;
  }

  /** One scan step; returns the number of blocks still behind the final head. */
  async function poll(): Promise<number> {
    const head = await withRetry(finalHead);
    const cursor = store.getCursor() ?? Number(config.startBlock) - 1;
    if (cursor >= 0 && (await withRetry(() => checkReorg(cursor)))) return 1;
    if (head <= BigInt(cursor)) return 0;
    const from = BigInt(cursor + 1);
    const to = head < from + BigInt(config.logChunkBlocks) - 1n ? head : from + BigInt(config.logChunkBlocks) - 1n;
    const logs: Log[] = await withRetry(() =>
      publicClient.getLogs({ address: deps.hub, fromBlock: from, toBlock: to }),
    );
    const toBlock = await withRetry(() => publicClient.getBlock({ blockNumber: to }));
    for (const ev of parseEventLogs({ abi: deps.abi, logs, eventName: "Requested" })) {
      const args = ev.args as unknown as { requestId: `0x${string}`; modelId: bigint; request: unknown };
      deps.onRequested({ ...args, blockNumber: ev.blockNumber });
    }
    store.advanceCursor(Number(to), [{ number: Number(to), hash: toBlock.hash }]);
    return Number(head - to);
  }

  return { poll, lastHead: () => lastHead };
}

export type Watcher = ReturnType<typeof createWatcher>;
