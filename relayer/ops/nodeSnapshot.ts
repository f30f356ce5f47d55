import type { Address, PublicClient } from "viem";
import { type inferenceHubWithErrorsAbi, nodeStakingAbi } from "../../abi/index.ts";
import { classifyError } from "../common/errors.ts";
import type { Logger } from "../common/logger.ts";

/**
 * How old the node's on-chain balances may be when the status page shows them: one refresh (three
 * `eth_call`s) per this period at most, however many pages are open, and none while nobody looks.
 */
export const NODE_SNAPSHOT_TTL_MS = 10_000;
/**
 * Least time between two reads when the caller reports that the node's jobs moved (a commitment locks
 * bond, a settlement credits earnings): fresh numbers soon after a change, still a bounded read rate.
 */
export const NODE_SNAPSHOT_MIN_INTERVAL_MS = 2_000;

/** The node's stake and balances as the chain held them at `readAt` (OPG wei, decimal strings). */
export type NodeBalances = {
  /** Active stake in NodeStaking. */
  staked: string;
  /** Stake on its way out (unbonding delay). */
  unbonding: string;
  /** Bond locked by the hub for commitments not yet settled. */
  lockedBond: string;
  /** Stake not locked by bonds: what new commitments can still bond. */
  freeBond: string;
  /** Model and callback fees credited by the hub and not yet withdrawn. */
  earnings: string;
  /** When these were read (ms since the epoch). */
  readAt: number;
};

/** What the status page shows of the chain: the balances (if read yet) and the last read's error. */
export type NodeSnapshot = { balances: NodeBalances | undefined; error: string | undefined };

/**
 * A cached reader of the node's stake, bond and earnings. `get(jobsKey)` serves the cached values and
 * starts one refresh (never two at once) when they are older than `ttlMs`, or older than
 * `NODE_SNAPSHOT_MIN_INTERVAL_MS` and `jobsKey` (a summary of the node's jobs) changed since the last
 * read; a failed read keeps the last values and reports the error.
 */
export function createNodeSnapshot(deps: {
  publicClient: PublicClient;
  hub: Address;
  abi: typeof inferenceHubWithErrorsAbi;
  node: Address;
  log: Logger;
  ttlMs?: number;
}) {
  const ttlMs = deps.ttlMs ?? NODE_SNAPSHOT_TTL_MS;
  let staking: Address | undefined;
  let balances: NodeBalances | undefined;
  let error: string | undefined;
  let lastTry = 0;
  let lastKey: string | undefined;
  let inFlight: Promise<void> | undefined;

  async function read(): Promise<NodeBalances> {
    const { publicClient, hub, abi, node } = deps;
    staking ??= await publicClient.readContract({ address: hub, abi, functionName: "STAKING" });
    const [stake, [lockedBond, earnings]] = await Promise.all([
      publicClient.readContract({ address: staking, abi: nodeStakingAbi, functionName: "stakeOf", args: [node] }),
      publicClient.readContract({ address: hub, abi, functionName: "nodeAccount", args: [node] }),
    ]);
    const free = stake.staked > lockedBond ? stake.staked - lockedBond : 0n;
    return {
      staked: stake.staked.toString(),
      unbonding: stake.unbonding.toString(),
      lockedBond: lockedBond.toString(),
      freeBond: free.toString(),
      earnings: earnings.toString(),
      readAt: Date.now(),
    };
  }

  function refresh(): Promise<void> {
    lastTry = Date.now();
    inFlight ??= read()
      .then((fresh) => {
        balances = fresh;
        error = undefined;
      })
      .catch((raw) => {
        error = classifyError(raw).message;
        deps.log.warn({ err: error }, "status page: reading the node's balances failed");
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  }

  return {
    /** The cached snapshot; waits for the first read only (later refreshes run behind the cached values). */
    async get(jobsKey?: string): Promise<NodeSnapshot> {
      const age = Date.now() - lastTry;
      const moved = jobsKey !== undefined && jobsKey !== lastKey && age >= NODE_SNAPSHOT_MIN_INTERVAL_MS;
      if (age >= ttlMs || moved) {
        lastKey = jobsKey;
        const pending = refresh();
        if (!balances) await pending;
      }
      return { balances, error };
    },
  };
}

/** A node balance reader, see `createNodeSnapshot`. */
export type NodeSnapshotReader = ReturnType<typeof createNodeSnapshot>;
