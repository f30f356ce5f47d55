import { encodeFunctionData, type Hash, keccak256 } from "viem";
import {
  classifyError,
  isAlreadyKnown,
  isNonceRace,
  isUnderpriced,
  RelayerError,
  TxPendingError,
} from "../common/errors.ts";
import type { Logger } from "../common/logger.ts";
import { sleep, withRetry } from "../common/retry.ts";
import type { ChainClients } from "./clients.ts";
import { capFees, type Fees } from "./fees.ts";
import { createInFlightBook, type InFlight, type Mined, newInFlight } from "./inFlight.ts";
import type { GasSettings, TxAlert, TxCall, TxOutcome, TxRequest } from "./types.ts";
import { createPendingWatcher } from "./watchPending.ts";

/** Head-room over the node's gas estimate (state can change between estimate and inclusion). */
const GAS_LIMIT_MARGIN_PERCENT = 25n;
/** Nonce re-reads per send before a conflict is reported (another process may be sending for the key). */
const MAX_NONCE_RESYNCS = 3;
/** Transactions sent behind a stuck nonce at most: a stuck nonce blocks all later ones, more only pile up. */
export const MAX_SENT_BEHIND_STUCK = 2;
/**
 * How long the outcome of a transaction whose caller gave up waiting is kept for that caller's retry: a job retries
 * within its longest back-off (30 s) plus a step.
 */
const GAVE_UP_OUTCOME_TTL_MS = 2 * 60_000;

/**
 * Sends transactions for one account: pre-flight simulation (a revert costs nothing and is decoded by
 * name), a gas limit from `eth_estimateGas` (or the request's `fallbackGasLimit` when the node refuses to
 * estimate), fees capped at `gas.maxFeePerGas`, a local nonce counter re-synced from the node on
 * conflicts, and one in-flight transaction per logical key: a retry joins it instead of taking a new
 * nonce (also when it was mined after its caller gave up waiting: the retry gets that outcome). Pending
 * nonces are watched until used on chain, replaced with higher fees when stuck, and cancelled when their
 * call would now revert (`createPendingWatcher`).
 */
export function createTxSender(deps: {
  clients: ChainClients;
  log: Logger;
  gas: GasSettings;
  dryRun: boolean;
  signal?: AbortSignal;
  onGasUsed?: (label: string, gasUsed: bigint) => void;
  /** Problems an operator should see (estimation failing, fee cap reached, stuck nonce, cancellations). */
  onAlert?: (alert: TxAlert) => void;
  /** Fees for a new transaction (default: `eth_feeHistory`-based estimate per send); e.g. cached per block. */
  fees?: () => Promise<Fees>;
}) {
  const { publicClient, walletClient, account } = deps.clients;
  const { log, gas, signal } = deps;
  const book = createInFlightBook();
  /** Sends of a key between its pre-flight and its first broadcast: a concurrent send of it waits for that one. */
  const starting = new Map<string, Promise<InFlight | Mined>>();
  let nextNonce: number | undefined;
  let lock: Promise<unknown> = Promise.resolve();
  /**
   * Mined outcomes of transactions whose caller gave up waiting (`TxPendingError`), by logical key, until that
   * caller's retry takes it: mined between the give-up and the retry, the transaction left the book, and the retry
   * would otherwise send it again at a new nonce.
   */
  const gaveUp = new Map<string, { mined: Mined; at: number }>();

  /** Keeps the record's success for a retry of its key once its caller has stopped waiting for it. */
  function keepForRetry(record: InFlight): void {
    if (record.callerGaveUp) return;
    record.callerGaveUp = true;
    record.done.then(
      (mined) => {
        const now = Date.now();
        for (const [key, kept] of gaveUp) if (now - kept.at > GAVE_UP_OUTCOME_TTL_MS) gaveUp.delete(key);
        gaveUp.set(record.key, { mined, at: now });
      },
      () => undefined, // reverted or cancelled: a retry runs its pre-flight and decides afresh
    );
  }

  /** The kept outcome of `key`'s transaction, taken (once) by the retry it was kept for. */
  function takeKept(key: string): Mined | undefined {
    const kept = gaveUp.get(key);
    gaveUp.delete(key);
    return kept && Date.now() - kept.at <= GAVE_UP_OUTCOME_TTL_MS ? kept.mined : undefined;
  }

  /** Serializes nonce assignment + broadcast (not the wait for the receipt). */
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = lock.then(fn, fn);
    lock = run.catch(() => undefined);
    return run;
  }

  /**
   * Signs locally (the hash is known even when the node answers "already known") and broadcasts. `onSigned` runs with
   * the hash before the broadcast, so a process killed between the two finds the hash on restart and adopts the
   * transaction instead of sending a second one for the same work.
   */
  async function broadcast(call: TxCall, nonce: number, fees: Fees, onSigned?: (hash: Hash) => void): Promise<Hash> {
    if (!account.signTransaction) throw new RelayerError("the sender needs a local account (a private key)");
    const serializedTransaction = await account.signTransaction({
      type: "eip1559",
      chainId: walletClient.chain.id,
      nonce,
      ...call,
      ...fees,
    });
    onSigned?.(keccak256(serializedTransaction));
    try {
      return await walletClient.sendRawTransaction({ serializedTransaction });
    } catch (error) {
      if (isAlreadyKnown(error)) return keccak256(serializedTransaction);
      throw error;
    }
  }

  /** The pre-flight `eth_call` of `tx` on the latest state, or on the state at the end of `blockNumber`. */
  async function simulate(tx: TxRequest, blockNumber?: bigint): Promise<void> {
    const { address, abi, functionName, args } = tx;
    await withRetry(() => publicClient.simulateContract({ address, abi, functionName, args, account, blockNumber }), {
      signal,
    });
  }

  const watcher = createPendingWatcher({ ...deps, publicClient, address: account.address, book, broadcast, simulate });

  /** The estimate plus margin, at least `fallbackGasLimit`; the fallback alone when estimation fails. */
  async function gasLimitFor(tx: TxRequest, data: `0x${string}`): Promise<bigint> {
    let estimate: bigint;
    try {
      // One eth_estimateGas per attempt: no preparation round trips (fees, nonce) it does not need. A
      // refusal is not retryable (classifyError), so only transport faults are retried, boundedly.
      const request = { account, to: tx.address, data, prepare: false } as const;
      estimate = await withRetry(() => publicClient.estimateGas(request), { signal });
    } catch (raw) {
      const error = classifyError(raw);
      if (tx.fallbackGasLimit === undefined || signal?.aborted) throw error;
      deps.onAlert?.({ kind: "estimateFailed", label: tx.label, error, gasLimit: tx.fallbackGasLimit });
      log.warn({ tx: tx.label, err: error.message, gas: tx.fallbackGasLimit }, "gas estimation failed: explicit limit");
      return tx.fallbackGasLimit;
    }
    const padded = (estimate * (100n + GAS_LIMIT_MARGIN_PERCENT)) / 100n;
    return tx.fallbackGasLimit !== undefined && tx.fallbackGasLimit > padded ? tx.fallbackGasLimit : padded;
  }

  /**
   * Refuses a new nonce while the lowest pending one is stuck and enough already wait behind it, unless
   * the stuck ones turn out to be lost in a reorg (then they are dropped, and the nonce below is free).
   */
  async function refuseBehindStuck(label: string): Promise<void> {
    const stuck = () => {
      const [lowest] = book.sorted();
      return lowest && Date.now() - lowest.firstSentAt >= gas.stuckAfterMs && book.size() - 1 >= MAX_SENT_BEHIND_STUCK;
    };
    if (!stuck()) return;
    await dropOrphans().catch(() => undefined);
    if (!stuck()) return;
    const [lowest] = book.sorted();
    if (!lowest) return;
    // A gap below the lowest pending nonce (a reorg dropped our mined transactions, and the node kept the
    // pending ones, as anvil does): it waits for the gap, and only new transactions can fill it.
    const nodePending = await withRetry(
      () => publicClient.getTransactionCount({ address: account.address, blockTag: "pending" }),
      { signal },
    ).catch(() => lowest.nonce);
    if (nodePending < lowest.nonce) return;
    const pendingForMs = Date.now() - lowest.firstSentAt;
    deps.onAlert?.({ kind: "stuck", label, nonce: lowest.nonce, pendingForMs });
    throw new TxPendingError(`${label} not sent: nonce ${lowest.nonce} is stuck`, {
      nonce: lowest.nonce,
      pendingForMs,
      details: `${book.size() - 1} transactions already wait behind it`,
    });
  }

  /** Takes the next nonce and broadcasts; re-reads the nonce from the node after a conflict. */
  function assign(tx: TxRequest, key: string, call: TxCall, fees: Fees): Promise<InFlight> {
    return exclusive(async () => {
      await refuseBehindStuck(tx.label);
      return withRetry(
        async () => {
          for (let resync = 0; ; resync++) {
            const address = account.address;
            nextNonce ??= await publicClient.getTransactionCount({ address, blockTag: "pending" });
            // The lowest nonce we do not hold: skips our transactions the node's pending count leaves out
            // (EDR omits those it cannot mine at the current base fee), and fills a gap that a reorg left
            // below them (our mined transactions dropped), which would otherwise block every later nonce.
            while (book.at(nextNonce)) nextNonce++;
            const nonce = nextNonce;
            try {
              const hash = await broadcast(call, nonce, fees, tx.onSigned);
              nextNonce = nonce + 1;
              const { label } = tx;
              return book.add(newInFlight({ nonce, key, label, call, request: tx, fees, hashes: [hash] }));
            } catch (raw) {
              nextNonce = undefined; // re-read from the node on the next attempt
              if (!isNonceRace(raw) || resync >= MAX_NONCE_RESYNCS) throw raw;
              // A transaction we do not know holds this nonce: watch it (and cancel it if it stays stuck).
              if (isUnderpriced(raw) && !book.at(nonce)) holdUnknown(nonce, fees);
            }
          }
        },
        { signal },
      );
    });
  }

  function holdUnknown(nonce: number, fees: Fees): void {
    book.add(newInFlight({ nonce, key: `unknown:${nonce}`, label: "unknown", fees, hashes: [] }));
    watcher.ensureRunning();
  }

  /** Takes over a transaction this key broadcast before (a restart): pending, or mined successfully. */
  async function adopt(tx: TxRequest, key: string): Promise<InFlight | Mined | undefined> {
    for (const hash of tx.knownHashes ?? []) {
      const sent = await withRetry(() => publicClient.getTransaction({ hash }), { signal }).catch(() => undefined);
      if (!sent || sent.from.toLowerCase() !== account.address.toLowerCase() || !sent.to) continue;
      if (sent.blockNumber !== null) {
        const receipt = await publicClient.getTransactionReceipt({ hash }).catch(() => undefined);
        if (receipt?.status === "success") return { receipt, hash };
        continue;
      }
      const held = book.at(sent.nonce);
      if (held?.key === key) return held;
      if (held?.call) continue;
      const fees = {
        maxFeePerGas: sent.maxFeePerGas ?? sent.gasPrice ?? 0n,
        maxPriorityFeePerGas: sent.maxPriorityFeePerGas ?? sent.gasPrice ?? 0n,
      };
      const call = { to: sent.to, data: sent.input, value: sent.value, gas: sent.gas };
      if (held) book.remove(held);
      const record = book.add(
        newInFlight({ nonce: sent.nonce, key, label: tx.label, call, request: tx, fees, hashes: [hash] }),
      );
      if (nextNonce !== undefined && nextNonce <= sent.nonce) nextNonce = sent.nonce + 1;
      log.info({ tx: tx.label, nonce: sent.nonce, hash }, "adopted a pending transaction sent before");
      return record;
    }
    return undefined;
  }

  async function start(tx: TxRequest, key: string, data: `0x${string}`): Promise<InFlight | Mined> {
    const adopted = await adopt(tx, key);
    if (adopted) return adopted;
    // The gas limit and the fees are independent reads: one round trip, not two.
    const [gasLimit, market] = await Promise.all([
      tx.gasLimit ?? gasLimitFor(tx, data),
      deps.fees ? deps.fees() : withRetry(() => publicClient.estimateFeesPerGas(), { signal }),
    ]);
    const fees = capFees(market, gas.maxFeePerGas);
    const record = await assign(tx, key, { to: tx.address, data, value: 0n, gas: gasLimit }, fees);
    log.debug({ tx: tx.label, hash: record.hashes[0], nonce: record.nonce }, "transaction sent");
    return record;
  }

  /** Waits for the record's outcome, at most through `maxBumps` replacements. */
  async function waitMined(record: InFlight, label: string): Promise<TxOutcome> {
    watcher.ensureRunning();
    const stop = new AbortController();
    const waitSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    const waited = sleep((gas.maxBumps + 1) * gas.stuckAfterMs, waitSignal).then(
      () => "timeout" as const,
      () => "aborted" as const,
    );
    try {
      const outcome = await Promise.race([record.done, waited]);
      if (typeof outcome !== "string") {
        // A caller that gave up before has come back and got it here: nothing is left to keep for it.
        if (gaveUp.get(record.key)?.mined === outcome) gaveUp.delete(record.key);
        return outcome;
      }
      if (outcome === "aborted") throw new RelayerError(`${label}: shutdown while waiting for ${record.hashes.at(-1)}`);
      keepForRetry(record);
      const pendingForMs = Date.now() - record.firstSentAt;
      deps.onAlert?.({ kind: "stuck", label, nonce: record.nonce, pendingForMs });
      throw new TxPendingError(`${label} still pending at nonce ${record.nonce}`, {
        nonce: record.nonce,
        pendingForMs,
        details: `after ${record.bumps} replacements; the sender keeps replacing it and a retry joins it`,
      });
    } finally {
      stop.abort();
    }
  }

  /**
   * Simulates, then sends (or joins the pending transaction of the same key) and waits for the receipt.
   * `onSent` runs with every hash the node accepted for this transaction, before waiting (persist it).
   * Throws `RevertError` if the pre-flight reverts, `TxPendingError` (retryable) while it is pending.
   */
  async function send(tx: TxRequest, onSent?: (hash: Hash) => void): Promise<TxOutcome> {
    // The fee read (cached per block) overlaps the pre-flight instead of following it; `start` reads the cache.
    if (deps.fees && !deps.dryRun) deps.fees().catch(() => undefined);
    const data = encodeFunctionData({ abi: tx.abi, functionName: tx.functionName, args: tx.args });
    const key = tx.key ?? `${tx.address.toLowerCase()}:${keccak256(data)}`;
    // A retry of a transaction mined after its caller gave up waiting: that outcome, with no pre-flight (which
    // would now see the transaction's own effects) and no second send.
    const kept = takeKept(key);
    if (kept) return kept;
    await simulate(tx);
    if (deps.dryRun) {
      log.info({ tx: tx.label, to: tx.address }, "dry run: pre-flight passed, transaction not sent");
      return { dryRun: true };
    }
    let found: InFlight | Mined | undefined = book.byKey(key);
    if (!found) {
      let pending = starting.get(key);
      if (!pending) {
        pending = start(tx, key, data).finally(() => starting.delete(key));
        starting.set(key, pending);
      }
      found = await pending;
    }
    if (!("nonce" in found)) return found;
    if (onSent) {
      found.onSent = onSent;
      onSent(found.hashes.at(-1)!);
    }
    return waitMined(found, tx.label);
  }

  /** True when the node knows one of the record's transactions (pending or mined). */
  async function nodeKnows(record: InFlight): Promise<boolean> {
    for (const hash of record.hashes) {
      const tx = await withRetry(() => publicClient.getTransaction({ hash }), { signal }).catch((raw) => {
        if (classifyError(raw).retryable) throw raw;
        return undefined; // not found
      });
      if (tx) return true;
    }
    return record.hashes.length === 0; // a nonce we only watch (another sender's): not ours to drop
  }

  /**
   * After a reorg: pending records at or above the node's pending nonce whose transactions the node no
   * longer knows were dropped with the blocks below them (a node without a mempool for them, as a dev
   * node after a revert, or one that never saw them). They can never be mined: the nonces below them are
   * free again and nothing fills them while the sender refuses to send behind a "stuck" nonce. Each is
   * dropped from the book and its callers get a retryable error, so their next attempt sends afresh.
   */
  async function dropOrphans(): Promise<void> {
    const pending = await withRetry(
      () => publicClient.getTransactionCount({ address: account.address, blockTag: "pending" }),
      { signal },
    );
    for (const record of book.sorted()) {
      if (record.nonce < pending || (await nodeKnows(record))) continue;
      book.remove(record);
      log.warn(
        { tx: record.label, nonce: record.nonce, pending },
        "transaction lost in a reorg: it will be sent again",
      );
      record.reject(
        new RelayerError(`${record.label} at nonce ${record.nonce} was dropped by a reorg`, { retryable: true }),
      );
    }
  }

  /** The record that holds `hash`, or one adopted for it when it is still pending (sent before a restart). */
  async function holderOf(hash: Hash, label: string, onReplaced?: (hash: Hash) => void) {
    const holding = () => book.sorted().find((r) => r.hashes.includes(hash));
    if (holding()) return holding();
    const sent = await withRetry(() => publicClient.getTransaction({ hash }), { signal }).catch(() => undefined);
    if (!sent || sent.from.toLowerCase() !== account.address.toLowerCase() || !sent.to) return undefined;
    if (sent.blockNumber !== null) return "mined" as const;
    // Several jobs of one batch look it up at once: the first adopts it, the others join.
    if (holding()) return holding();
    if (book.at(sent.nonce)) return undefined; // another transaction of ours replaced it
    const fees = {
      maxFeePerGas: sent.maxFeePerGas ?? sent.gasPrice ?? 0n,
      maxPriorityFeePerGas: sent.maxPriorityFeePerGas ?? sent.gasPrice ?? 0n,
    };
    const call = { to: sent.to, data: sent.input, value: sent.value, gas: sent.gas };
    const key = `adopted:${hash}`;
    const record = newInFlight({ nonce: sent.nonce, key, label, call, fees, hashes: [hash], onSent: onReplaced });
    book.add(record);
    if (nextNonce !== undefined && nextNonce <= sent.nonce) nextNonce = sent.nonce + 1;
    log.info({ tx: label, nonce: sent.nonce, hash }, "adopted a pending transaction sent before");
    return record;
  }

  /**
   * Waits for the fate of a transaction this account broadcast (this run, or before a restart): joins the
   * pending record holding `hash`, or adopts it (watched and replaced like any other; `onReplaced`
   * persists each replacement's hash). Returns `mined` once it is in a block (whether it succeeded or
   * not: the caller re-reads the chain) and `gone` when no transaction of ours holds it any more.
   * Throws `TxPendingError` while it stays pending.
   */
  async function awaitKnown(hash: Hash, label: string, onReplaced?: (hash: Hash) => void): Promise<"mined" | "gone"> {
    const record = await holderOf(hash, label, onReplaced);
    if (record === undefined || record === "mined") return record ?? "gone";
    try {
      await waitMined(record, label);
      return "mined";
    } catch (error) {
      if (error instanceof TxPendingError || signal?.aborted) throw error;
      return "mined"; // reverted, cancelled or replaced: mined either way, the chain says what happened
    }
  }

  return {
    send,
    awaitKnown,
    address: account.address,
    /**
     * After a reorg: forgets the local nonce (the node's count may be lower; re-read on the next send) and
     * drops pending transactions the node lost with the dropped blocks. Never rejects (logs instead).
     */
    resetNonce: () =>
      exclusive(async () => {
        nextNonce = undefined;
        await dropOrphans().catch((error) =>
          log.warn({ err: classifyError(error).message }, "could not check pending transactions after a reorg"),
        );
      }),
    /** The nonces still pending, lowest first (for metrics and `/healthz`). */
    pendingTransactions: () => book.snapshot(),
  };
}

/** The transaction sender for one account. */
export type TxSender = ReturnType<typeof createTxSender>;
