/**
 * Where a commitment's latency goes, from the JSON-RPC calls the relayer and the requester make: both get
 * clients whose transport timestamps every call (the relayer's through `startRelayer`'s `clients`), and
 * each request's stages are read off that trace beside the relayer's store timestamps. Used by
 * `scripts/bench-relayer.ts`; it changes nothing in the relayer.
 */
import {
  type Chain,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  type Transport,
  toFunctionSelector,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { inferenceHubWithErrorsAbi } from "../../abi/index.ts";
import type { Job } from "../../relayer/store/store.ts";
import type { ChainClients } from "../../relayer/tx/chain.ts";
import { chainFor } from "../../relayer/tx/chain.ts";

/** One JSON-RPC call: method, parameters, result, and when it started and returned (epoch ms, fractional). */
export type RpcCall = { method: string; params: unknown; result: unknown; start: number; end: number };

/** Wall-clock milliseconds with sub-millisecond resolution, on the same clock as `Date.now()`. */
export const now = () => performance.timeOrigin + performance.now();

/** An HTTP transport that appends every call to `trace` (viem's retries off, as the relayer's own clients). */
export function tracedHttp(url: string, trace: RpcCall[]): Transport {
  const base = http(url, { retryCount: 0, timeout: 10_000 });
  return (opts) => {
    const inner = base(opts);
    const request: typeof inner.request = async (args, options) => {
      const start = now();
      let result: unknown;
      try {
        result = await inner.request(args, options);
        return result as never;
      } finally {
        trace.push({ method: args.method, params: args.params, result, start, end: now() });
      }
    };
    return { ...inner, request };
  };
}

/** Clients for one key over a traced transport, in the shape `startRelayer` and the SDK take. */
export function tracedClients(url: string, chainId: number, key: Hex, trace: RpcCall[], pollingInterval = 50) {
  const chain: Chain = chainFor(chainId, [url]);
  const transport = tracedHttp(url, trace);
  const account = privateKeyToAccount(key);
  const publicClient = createPublicClient({ chain, transport, pollingInterval });
  const walletClient = createWalletClient({ chain, transport, account });
  return { publicClient, walletClient, account, chainId } as ChainClients;
}

/** When the call that broadcast `hash` returned (with automine: the block holding it is mined). */
export function acceptedAt(trace: readonly RpcCall[], hash: Hex): RpcCall | undefined {
  return trace.find(
    (c) => c.method === "eth_sendRawTransaction" && String(c.result).toLowerCase() === hash.toLowerCase(),
  );
}

const COMMIT_SELECTORS = new Set(
  ["commit", "commitBatch"].map((name) =>
    toFunctionSelector(inferenceHubWithErrorsAbi.find((i) => i.type === "function" && i.name === name) as never),
  ),
);

/** The relayer's stages for one request, in ms from the request's block being mined. */
export type CommitStages = {
  /** Mined → the relayer's job row exists (head seen, logs read, intake). */
  detect: number;
  /** Row → the commitment's pre-flight `eth_call` starts (request state, free stake, inference, batcher). */
  prepare: number;
  /** Pre-flight start → `eth_sendRawTransaction` starts (the pre-flight, fees, nonce, signing). */
  preflight: number;
  /** The broadcast call itself (with automine it returns once the block is mined). */
  send: number;
  /** Mined → the commitment's transaction signed and persisted (`committedAt`). */
  signed: number;
  /** Mined → the node accepted the commitment (`eth_sendRawTransaction` returned). */
  accepted: number;
  /** Relayer RPC calls started between mined and accepted, by method. */
  calls: Record<string, number>;
};

/**
 * Each committed job's stages, given when its request's block was mined (`minedAt`, by request id) and
 * the relayer's RPC trace. Jobs whose calls cannot be found (a batch's other items share them) still get
 * `detect`, `signed` and `accepted`, with the shared calls.
 */
export function commitStages(
  jobs: readonly Job[],
  minedAt: ReadonlyMap<Hex, number>,
  trace: readonly RpcCall[],
): CommitStages[] {
  return jobs.map((job) => {
    const mined = minedAt.get(job.requestId as Hex)!;
    const sent = acceptedAt(trace, job.commitTx as Hex);
    const id = job.requestId.slice(2).toLowerCase();
    const preflight = trace.find((c) => {
      if (c.method !== "eth_call" || c.start < job.seenAt - 1) return false;
      const data = String((c.params as [{ data?: string }])[0]?.data ?? "").toLowerCase();
      return COMMIT_SELECTORS.has(data.slice(0, 10) as Hex) && data.includes(id);
    });
    const end = sent?.end ?? job.committedAt!;
    const calls: Record<string, number> = {};
    for (const c of trace) if (c.start >= mined && c.start <= end) calls[c.method] = (calls[c.method] ?? 0) + 1;
    return {
      detect: job.seenAt - mined,
      prepare: (preflight?.start ?? Number.NaN) - job.seenAt,
      preflight: (sent?.start ?? Number.NaN) - (preflight?.start ?? Number.NaN),
      send: (sent?.end ?? Number.NaN) - (sent?.start ?? Number.NaN),
      signed: job.committedAt! - mined,
      accepted: end - mined,
      calls,
    };
  });
}
