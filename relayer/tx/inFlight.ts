import type { Hash, TransactionReceipt } from "viem";
import type { RelayerError } from "../common/errors.ts";
import type { Fees } from "./fees.ts";
import type { PendingTx, TxCall, TxRequest } from "./types.ts";

/** A mined outcome of one nonce. */
export type Mined = { receipt: TransactionReceipt; hash: Hash };

/** One nonce the sender has broadcast at (or found taken) and not yet seen mined. */
export type InFlight = {
  nonce: number;
  key: string;
  label: string;
  /** What to (re)send; `undefined` when the nonce holds a transaction this sender does not know. */
  call: TxCall | undefined;
  /** The caller's request, to re-run the pre-flight before a replacement. */
  request: TxRequest | undefined;
  /** Fees of the last broadcast the node accepted at this nonce (or our best guess for an unknown one). */
  fees: Fees;
  /** Accepted broadcasts, oldest first. */
  hashes: Hash[];
  /** The subset of `hashes` that are cancellations (zero-value self-transfers). */
  cancelHashes: Set<Hash>;
  /** Why the sender decided to cancel; set once, then every replacement is a cancellation. */
  cancelReason: RelayerError | undefined;
  firstSentAt: number;
  lastSentAt: number;
  bumps: number;
  atFeeCap: boolean;
  /** Ticks this nonce has been seen used on chain without a receipt for any of our hashes. */
  unseenTicks: number;
  /** A caller stopped waiting for it (`TxPendingError`); its success is kept for that caller's retry. */
  callerGaveUp: boolean;
  /** Persists a replacement's hash (the latest caller's `onSent`). */
  onSent: ((hash: Hash) => void) | undefined;
  /** Settles with the mined receipt, or rejects (reverted, cancelled, nonce used by another transaction). */
  done: Promise<Mined>;
  resolve(mined: Mined): void;
  reject(error: RelayerError): void;
};

/** A new record; its `done` never counts as an unhandled rejection (callers may have gone). */
export function newInFlight(
  fields: Pick<InFlight, "nonce" | "key" | "label" | "fees" | "hashes"> &
    Partial<Pick<InFlight, "call" | "request" | "onSent">>,
): InFlight {
  let resolve!: (m: Mined) => void;
  let reject!: (e: RelayerError) => void;
  const done = new Promise<Mined>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  done.catch(() => undefined);
  const now = Date.now();
  return {
    call: undefined,
    request: undefined,
    onSent: undefined,
    ...fields,
    cancelHashes: new Set(),
    cancelReason: undefined,
    firstSentAt: now,
    lastSentAt: now,
    bumps: 0,
    atFeeCap: false,
    unseenTicks: 0,
    callerGaveUp: false,
    done,
    resolve,
    reject,
  };
}

/** The sender's pending nonces, by nonce and by logical key. */
export function createInFlightBook() {
  const byNonce = new Map<number, InFlight>();
  return {
    add(record: InFlight): InFlight {
      byNonce.set(record.nonce, record);
      return record;
    },
    remove(record: InFlight): void {
      if (byNonce.get(record.nonce) === record) byNonce.delete(record.nonce);
    },
    at: (nonce: number) => byNonce.get(nonce),
    /** The pending transaction of a logical key that is not being cancelled. */
    byKey(key: string): InFlight | undefined {
      for (const r of byNonce.values()) if (r.key === key && !r.cancelReason) return r;
      return undefined;
    },
    /** Pending records, lowest nonce first. */
    sorted: () => [...byNonce.values()].sort((a, b) => a.nonce - b.nonce),
    size: () => byNonce.size,
    snapshot(now = Date.now()): PendingTx[] {
      return [...byNonce.values()]
        .sort((a, b) => a.nonce - b.nonce)
        .map((r) => ({
          nonce: r.nonce,
          label: r.label,
          key: r.key,
          pendingForMs: now - r.firstSentAt,
          bumps: r.bumps,
          maxFeePerGas: r.fees.maxFeePerGas,
          atFeeCap: r.atFeeCap,
          cancelling: r.cancelReason !== undefined,
          hashes: [...r.hashes],
        }));
    },
  };
}

/** The pending nonces of one sender. */
export type InFlightBook = ReturnType<typeof createInFlightBook>;
