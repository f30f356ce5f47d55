import {
  type Account,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  fallback,
  http,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { withRetry } from "../common/retry.ts";

/** Per-request RPC timeout: long enough for a busy node, short enough to fail over quickly. */
const RPC_TIMEOUT_MS = 10_000;

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
