import type { Address, Chain, Hash, PublicClient, Transport } from "viem";
import {
  classifyError,
  isInsufficientFunds,
  isNonceRace,
  isUnderpriced,
  RelayerError,
  RevertError,
} from "../common/errors.ts";
import type { Logger } from "../common/logger.ts";
import { sleep } from "../common/retry.ts";
import { bumpFees, type Fees } from "./fees.ts";
import type { InFlight, InFlightBook } from "./inFlight.ts";
import type { GasSettings, TxAlert, TxCall, TxRequest } from "./types.ts";

/** Longest pause between checks of the pending nonces. */
const MAX_TICK_MS = 250;
/**
 * Checks a nonce may be seen used on chain before a receipt for one of our hashes shows up (a
 * load-balanced RPC can answer the count from a node ahead of the one answering receipts).
 */
const UNSEEN_TICKS_BEFORE_FOREIGN = 8;
/** Gas of a zero-value transfer to an account without code. */
export const CANCEL_GAS = 21_000n;

/** What the watcher needs from the sender. */
export type PendingWatcherDeps = {
  publicClient: PublicClient<Transport, Chain>;
  address: Address;
  book: InFlightBook;
  gas: GasSettings;
  log: Logger;
  signal?: AbortSignal;
  /** Signs and broadcasts `call` at `nonce` with `fees`; returns the hash. */
  broadcast(call: TxCall, nonce: number, fees: Fees): Promise<Hash>;
  /** The pre-flight `eth_call` of a request (at the end of `blockNumber`, or latest); throws `RevertError` on a revert. */
  simulate(request: TxRequest, blockNumber?: bigint): Promise<void>;
  onGasUsed?: (label: string, gasUsed: bigint) => void;
  onAlert?: (alert: TxAlert) => void;
};

/**
 * Watches the sender's pending nonces until none is left: settles each once its nonce is used on chain,
 * and replaces each that has waited `stuckAfterMs` since its last broadcast with higher fees, up to
 * `maxFeePerGas`. The lowest one's pre-flight is re-run first; if it now reverts (the chain moved on),
 * the replacement is a zero-value self-transfer instead, as it is when the node says the account cannot
 * pay for the call at the new fees. A nonce is never given up: it stays watched until it is used.
 */
export function createPendingWatcher(deps: PendingWatcherDeps) {
  const { publicClient, book, gas, log } = deps;
  let watching = false;
  const cancelCall: TxCall = { to: deps.address, data: "0x", value: 0n, gas: CANCEL_GAS };

  /**
   * Why a mined transaction reverted, as far as the chain still tells: its call re-run on the state at the end of
   * its block (what it met may differ when later transactions of that block changed it). Undefined when that call
   * passes, cannot be made, or the record has no request (a transaction adopted after a restart).
   */
  async function revertAtEndOf(record: InFlight, blockNumber: bigint): Promise<string | undefined> {
    if (!record.request) return undefined;
    try {
      await deps.simulate(record.request, blockNumber);
      return undefined;
    } catch (raw) {
      const error = classifyError(raw);
      if (!(error instanceof RevertError)) return undefined;
      return `its call reverts with ${error.errorName}${error.details ?? ""} at the end of block ${blockNumber}`;
    }
  }

  async function settle(record: InFlight, receipt: Awaited<ReturnType<typeof publicClient.getTransactionReceipt>>) {
    book.remove(record);
    const hash = receipt.transactionHash;
    if (record.cancelHashes.has(hash)) {
      deps.onGasUsed?.("cancel", receipt.gasUsed);
      log.info({ tx: record.label, nonce: record.nonce, hash }, "cancellation mined");
      record.reject(record.cancelReason ?? new RelayerError(`${record.label} cancelled`));
      return;
    }
    deps.onGasUsed?.(record.label, receipt.gasUsed);
    if (receipt.status !== "success") {
      const details = await revertAtEndOf(record, receipt.blockNumber);
      log.warn({ tx: record.label, nonce: record.nonce, hash, why: details }, "transaction reverted on chain");
      record.reject(new RelayerError(`${record.label} transaction ${hash} reverted on chain`, { details }));
    } else record.resolve({ receipt, hash });
  }

  /** Our nonce is used on chain: find which of our hashes was mined, or conclude none was. */
  async function finish(record: InFlight): Promise<void> {
    for (const hash of [...record.hashes].reverse()) {
      const receipt = await publicClient.getTransactionReceipt({ hash }).catch(() => undefined);
      if (receipt) return await settle(record, receipt);
    }
    if (++record.unseenTicks < UNSEEN_TICKS_BEFORE_FOREIGN) return;
    book.remove(record);
    if (record.call) log.warn({ tx: record.label, nonce: record.nonce }, "nonce used by a transaction we did not send");
    record.reject(
      new RelayerError(`${record.label}: nonce ${record.nonce} was used by another transaction`, { retryable: true }),
    );
  }

  function startCancelling(record: InFlight, reason: RelayerError): void {
    record.cancelReason = reason;
    record.atFeeCap = false;
    deps.onAlert?.({ kind: "cancelling", label: record.label, nonce: record.nonce, reason: reason.message });
    log.warn({ tx: record.label, nonce: record.nonce, reason: reason.message }, "cancelling a pending transaction");
  }

  async function preflightStillPasses(record: InFlight): Promise<boolean> {
    if (!record.request || record.cancelReason) return true;
    try {
      await deps.simulate(record.request);
      return true;
    } catch (raw) {
      const error = classifyError(raw);
      if (!(error instanceof RevertError)) return true; // transport trouble: keep the transaction
      startCancelling(record, error);
      return false;
    }
  }

  /** One replacement of a stuck nonce (or none, when the fee cap leaves no room). */
  async function replace(record: InFlight, market: Fees, lowest: boolean): Promise<void> {
    if (lowest) await preflightStillPasses(record);
    const fees = bumpFees(record.fees, market, gas.bumpPercent, gas.maxFeePerGas);
    record.lastSentAt = Date.now();
    if (!fees) {
      if (!record.atFeeCap) {
        record.atFeeCap = true;
        const { nonce, label } = record;
        deps.onAlert?.({ kind: "feeCapReached", label, nonce, maxFeePerGas: gas.maxFeePerGas });
        log.warn({ tx: label, nonce, maxFeePerGas: gas.maxFeePerGas }, "pending transaction at the fee cap");
      }
      return;
    }
    const cancel = record.cancelReason !== undefined || record.call === undefined;
    try {
      const hash = await deps.broadcast(cancel ? cancelCall : record.call!, record.nonce, fees);
      record.fees = fees;
      record.hashes.push(hash);
      record.bumps++;
      if (cancel) record.cancelHashes.add(hash);
      else record.onSent?.(hash);
      log.warn({ tx: record.label, nonce: record.nonce, hash, bump: record.bumps, cancel }, "stuck: replaced");
    } catch (raw) {
      if (!cancel && isInsufficientFunds(raw)) {
        startCancelling(record, classifyError(raw));
        record.lastSentAt = 0; // cancel at once: a self-transfer costs a fraction of the call
      } else if (isUnderpriced(raw)) {
        record.fees = fees; // the nonce holds a transaction paying more than we knew: outbid that next time
      } else if (!isNonceRace(raw)) {
        const error = classifyError(raw);
        deps.onAlert?.({ kind: "replaceFailed", label: record.label, nonce: record.nonce, error });
        log.warn({ tx: record.label, nonce: record.nonce, err: error.message }, "replacement refused");
      }
    }
  }

  async function tick(): Promise<void> {
    const used = await publicClient.getTransactionCount({ address: deps.address, blockTag: "latest" });
    for (const record of book.sorted()) if (record.nonce < used) await finish(record);
    const pending = book.sorted().filter((r) => r.nonce >= used);
    let market: Fees | undefined;
    for (const record of pending) {
      if (Date.now() - record.lastSentAt < gas.stuckAfterMs || deps.signal?.aborted) continue;
      market ??= await publicClient.estimateFeesPerGas();
      await replace(record, market, record === pending[0]);
    }
  }

  async function loop(): Promise<void> {
    const pause = Math.min(MAX_TICK_MS, publicClient.pollingInterval);
    while (book.size() > 0 && !deps.signal?.aborted) {
      await tick().catch((raw) => log.debug({ err: classifyError(raw).message }, "pending check failed"));
      await sleep(pause, deps.signal).catch(() => undefined);
    }
  }

  /** Starts watching unless already watching (call after adding a record). */
  function ensureRunning(): void {
    if (watching) return;
    watching = true;
    void loop().finally(() => {
      watching = false;
      if (book.size() > 0 && !deps.signal?.aborted) ensureRunning();
    });
  }

  return { ensureRunning };
}
