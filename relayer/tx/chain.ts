import {
  type Abi,
  type Account,
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeFunctionData,
  fallback,
  type Hash,
  http,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { RelayerError } from "../common/errors.ts";
import type { Logger } from "../common/logger.ts";
import { withRetry } from "../common/retry.ts";

/** Per-request RPC timeout: long enough for a busy node, short enough to fail over quickly. */
const RPC_TIMEOUT_MS = 10_000;
/** Head-room over the node's gas estimate (state can change between estimate and inclusion). */
const GAS_LIMIT_MARGIN_PERCENT = 25n;

/** Read and write clients over one or more RPC URLs (in order, with fallback). */
export type ChainClients = {
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account>;
  account: Account;
  chainId: number;
};

/** A viem chain description for a chain known only by its id and RPC URLs. */
export function chainFor(chainId: number, rpcUrls: readonly string[]): Chain {
  return defineChain({
    id: chainId,
    name: `chain-${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [...rpcUrls] } },
  });
}

/**
 * Connects to the chain: a fallback transport over `rpcUrls` (viem's own retries off, so the relayer's
 * bounded retry policy is the only one), the chain id read from the node.
 */
export async function createChainClients(opts: {
  rpcUrls: readonly string[];
  privateKey: `0x${string}`;
  pollingIntervalMs: number;
}): Promise<ChainClients> {
  const transports = opts.rpcUrls.map((url) => http(url, { retryCount: 0, timeout: RPC_TIMEOUT_MS }));
  const transport = transports.length === 1 ? transports[0]! : fallback(transports, { retryCount: 0 });
  const probe = createPublicClient({ transport });
  const chainId = await withRetry(() => probe.getChainId());
  const chain = chainFor(chainId, opts.rpcUrls);
  const account = privateKeyToAccount(opts.privateKey);
  const publicClient = createPublicClient({ chain, transport, pollingInterval: opts.pollingIntervalMs });
  const walletClient = createWalletClient({ chain, transport, account });
  return { publicClient, walletClient, account, chainId };
}

/** A contract call to send as a transaction. */
export type TxRequest = {
  address: Address;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
  /** For logs and metrics: `commit`, `settle`, `withdraw`. */
  label: string;
};

export type TxOutcome = { receipt: TransactionReceipt; hash: Hash } | { dryRun: true };

/**
 * Sends transactions for one account: pre-flight simulation (a revert costs nothing and is decoded by
 * name), a local nonce counter re-synced from the node on conflicts, EIP-1559 fees, and bump-and-replace
 * (same nonce, fees up by `bumpPercent`) when no receipt arrives within `stuckAfterMs`.
 */
export function createTxSender(deps: {
  clients: ChainClients;
  log: Logger;
  gas: { stuckAfterMs: number; maxBumps: number; bumpPercent: number };
  dryRun: boolean;
  signal?: AbortSignal;
  onGasUsed?: (label: string, gasUsed: bigint) => void;
}) {
  const { publicClient, walletClient, account } = deps.clients;
  let nextNonce: number | undefined;
  let lock: Promise<unknown> = Promise.resolve();

  /** Serializes nonce assignment + broadcast (not the wait for the receipt). */
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = lock.then(fn, fn);
    lock = run.catch(() => undefined);
    return run;
  }

  async function broadcast(to: Address, data: `0x${string}`, gas: bigint, nonce: number, fees: Fees) {
    return walletClient.sendTransaction({
      to,
      data,
      gas,
      nonce,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      account,
      chain: walletClient.chain,
    });
  }

  type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

  async function firstReceipt(hashes: Hash[], timeoutMs: number): Promise<TransactionReceipt | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const hash of hashes) {
        const receipt = await publicClient.getTransactionReceipt({ hash }).catch(() => undefined);
        if (receipt) return receipt;
      }
      await new Promise((r) => setTimeout(r, Math.min(250, publicClient.pollingInterval)));
      if (deps.signal?.aborted) return undefined;
    }
    return undefined;
  }

  /**
   * Simulates, then sends and waits for the receipt. `onSent` runs for every broadcast hash (persist it
   * before anything else happens). Throws `RevertError` if the pre-flight reverts.
   */
  async function send(tx: TxRequest, onSent?: (hash: Hash) => void): Promise<TxOutcome> {
    await withRetry(
      () =>
        publicClient.simulateContract({
          address: tx.address,
          abi: tx.abi,
          functionName: tx.functionName,
          args: tx.args,
          account,
        }),
      { signal: deps.signal },
    );
    if (deps.dryRun) {
      deps.log.info({ tx: tx.label, to: tx.address }, "dry run: pre-flight passed, transaction not sent");
      return { dryRun: true };
    }
    const data = encodeFunctionData({ abi: tx.abi, functionName: tx.functionName, args: tx.args });
    const estimate = await withRetry(() => publicClient.estimateGas({ account, to: tx.address, data }));
    const gas = (estimate * (100n + GAS_LIMIT_MARGIN_PERCENT)) / 100n;
    let fees: Fees = await withRetry(() => publicClient.estimateFeesPerGas());
    const { hash, nonce } = await exclusive(() =>
      withRetry(
        async () => {
          if (nextNonce === undefined) {
            nextNonce = await publicClient.getTransactionCount({ address: account.address, blockTag: "pending" });
          }
          const n = nextNonce;
          try {
            const h = await broadcast(tx.address, data, gas, n, fees);
            nextNonce = n + 1;
            return { hash: h, nonce: n };
          } catch (error) {
            nextNonce = undefined; // re-read from the node on the next attempt
            throw error;
          }
        },
        { signal: deps.signal },
      ),
    );
    onSent?.(hash);
    deps.log.debug({ tx: tx.label, hash, nonce }, "transaction sent");
    const hashes: Hash[] = [hash];
    for (let bump = 0; ; bump++) {
      const receipt = await firstReceipt(hashes, deps.gas.stuckAfterMs);
      if (receipt) {
        deps.onGasUsed?.(tx.label, receipt.gasUsed);
        if (receipt.status !== "success") {
          throw new RelayerError(`${tx.label} transaction ${receipt.transactionHash} reverted on chain`);
        }
        return { receipt, hash: receipt.transactionHash };
      }
      if (deps.signal?.aborted) throw new RelayerError(`${tx.label}: shutdown while waiting for ${hashes.at(-1)}`);
      if (bump >= deps.gas.maxBumps) {
        throw new RelayerError(`${tx.label} transaction not mined after ${bump} fee bumps`, { retryable: true });
      }
      const factor = BigInt(100 + deps.gas.bumpPercent);
      fees = {
        maxFeePerGas: (fees.maxFeePerGas * factor) / 100n + 1n,
        maxPriorityFeePerGas: (fees.maxPriorityFeePerGas * factor) / 100n + 1n,
      };
      try {
        const replacement = await broadcast(tx.address, data, gas, nonce, fees);
        hashes.push(replacement);
        onSent?.(replacement);
        deps.log.warn(
          { tx: tx.label, nonce, replacement, bump: bump + 1 },
          "transaction stuck: replaced with higher fees",
        );
      } catch (error) {
        // "nonce too low": one of the earlier hashes was mined; the next receipt poll finds it.
        deps.log.debug({ tx: tx.label, err: String(error) }, "replacement not accepted");
      }
    }
  }

  return {
    send,
    address: account.address,
    /** Forgets the local nonce (after a reorg the node's count may be lower); re-read on the next send. */
    resetNonce: () =>
      exclusive(async () => {
        nextNonce = undefined;
      }),
  };
}

/** The transaction sender for one account. */
export type TxSender = ReturnType<typeof createTxSender>;
