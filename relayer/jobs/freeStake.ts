import type { Address, PublicClient } from "viem";
import { type HubRequest, type inferenceHubWithErrorsAbi, nodeStakingAbi } from "../../abi/index.ts";
import { classifyError, RevertError } from "../common/errors.ts";
import { withRetry } from "../common/retry.ts";

/** Why a commitment cannot lock its bond now. */
export type StakeShortfall = { reason: "freeStake" | "notBondable"; message: string };

/** The staking contract of each hub, read once (an immutable of the hub). */
const stakingOf = new Map<string, Promise<Address>>();
/**
 * Bonds of commitments this process is sending (per hub and node), not yet in the hub's `lockedBond`.
 * Reserved before the chain is read, so steps running side by side cannot all take the same free stake;
 * a commitment already mined and still reserved counts twice for a moment, which only defers.
 */
const reserved = new Map<string, bigint>();

function staking(publicClient: PublicClient, hub: Address, abi: typeof inferenceHubWithErrorsAbi): Promise<Address> {
  let known = stakingOf.get(hub);
  if (!known) {
    known = withRetry(() => publicClient.readContract({ address: hub, abi, functionName: "STAKING" }));
    known.catch(() => stakingOf.delete(hub));
    stakingOf.set(hub, known);
  }
  return known;
}

/**
 * Checks, with two reads and no transaction, that the node's free stake (`bondableStake − lockedBond`)
 * covers `needed` (the request's bond plus those of commitments being sent), as the hub will when the
 * commitment lands. A node whose stake is all locked
 * by commitments awaiting their proofs (or that is not registered for the model, or is below the minimum
 * stake) would only send a commit that reverts with `HubInsufficientFreeStake` or a staking error.
 * Returns why it cannot commit now, or undefined when it can; RPC faults throw (retryable).
 */
async function stakeShortfall(
  deps: { publicClient: PublicClient; hub: Address; abi: typeof inferenceHubWithErrorsAbi },
  node: Address,
  req: HubRequest,
  needed: bigint,
): Promise<StakeShortfall | undefined> {
  const { publicClient, hub, abi } = deps;
  const stakingAddress = await staking(publicClient, hub, abi);
  // Independent reads: one round trip, not two.
  const [bondable, locked] = await Promise.all([
    withRetry(() =>
      publicClient.readContract({
        address: stakingAddress,
        abi: nodeStakingAbi,
        functionName: "bondableStake",
        args: [node, req.modelId],
      }),
    ).catch((raw) => {
      const error = classifyError(raw);
      if (!(error instanceof RevertError)) throw error;
      return error;
    }),
    withRetry(() => publicClient.readContract({ address: hub, abi, functionName: "lockedBondOf", args: [node] })),
  ]);
  if (bondable instanceof RevertError) {
    return { reason: "notBondable", message: `stake cannot bond for model ${req.modelId}: ${bondable.errorName}` };
  }
  const free = bondable > locked ? bondable - locked : 0n;
  if (free >= needed) return undefined;
  return {
    reason: "freeStake",
    message: `free stake ${free} (bondable ${bondable} − locked ${locked}) is below the bond ${req.bond} (${needed} with commitments being sent)`,
  };
}

/**
 * Reserves the request's bond against the node's free stake for the commitment about to be sent. Either
 * why it cannot commit now (nothing reserved), or a `release` to call once the commitment is mined or
 * abandoned. RPC faults throw (retryable), with nothing reserved.
 */
export async function reserveBond(
  deps: { publicClient: PublicClient; hub: Address; abi: typeof inferenceHubWithErrorsAbi },
  node: Address,
  req: HubRequest,
): Promise<{ shortfall: StakeShortfall } | { release: () => void }> {
  const key = `${deps.hub}:${node}`.toLowerCase();
  const take = (delta: bigint) => {
    const left = (reserved.get(key) ?? 0n) + delta;
    if (left === 0n) reserved.delete(key);
    else reserved.set(key, left);
  };
  take(req.bond);
  let released = false;
  const release = () => {
    if (!released) take(-req.bond);
    released = true;
  };
  try {
    const shortfall = await stakeShortfall(deps, node, req, reserved.get(key) ?? req.bond);
    if (shortfall) {
      release();
      return { shortfall };
    }
    return { release };
  } catch (error) {
    release();
    throw error;
  }
}
