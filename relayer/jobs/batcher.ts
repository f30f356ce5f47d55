import type { Address, PublicClient } from "viem";
import type { inferenceHubWithErrorsAbi } from "../../abi/index.ts";
import type { RelayerConfig } from "../common/config.ts";
import { classifyError, type RelayerError, RevertError } from "../common/errors.ts";
import type { Logger } from "../common/logger.ts";
import { withRetry } from "../common/retry.ts";
import type { Metrics } from "../ops/metrics.ts";
import { requestHash } from "../store/store.ts";
import type { TxSender } from "../tx/chain.ts";
import type { ChainHead } from "../tx/chainHead.ts";
import {
  type BatchItem,
  batchArgs,
  batchGas,
  batchGasCeiling,
  batchKey,
  fitCount,
  groupKey,
  type ItemOutcome,
  itemGas,
  outcomesFromReceipt,
  singleArgs,
  TX_GAS_CAP,
} from "./batchItems.ts";
import { STATE_RACE_ERRORS } from "./jobRow.ts";

export type { BatchItem, ItemOutcome } from "./batchItems.ts";

/**
 * How long a verifier whose `settleBatch` pre-flight failed while each item passed alone (no
 * `verifyProofBatch`) is settled one proof per transaction before batching is tried again: a retry costs
 * one failed `eth_call` per item, a regenerated verifier is picked up within this time.
 */
const BATCH_UNSUPPORTED_RECHECK_MS = 10 * 60_000;
/**
 * A batch whose reserved steps keep handing in items (each within the wait of the last) is sent after
 * this many waits from its first item at the latest: a steady trickle must not hold it indefinitely.
 */
const MAX_HOLD_WAITS = 4;

type Op = BatchItem["op"];
type Entry = { item: BatchItem; resolve(outcome: ItemOutcome): void; reject(error: unknown): void };
type Group = { op: Op; entries: Entry[]; timer: NodeJS.Timeout | undefined; firstAt: number };

/** A job's claim on the next batch of one operation: the batcher waits for it (up to the wait bound). */
export type Reservation = {
  /** Hands in the item (the reservation ends) and resolves with its outcome once its transaction is mined. */
  submit(item: BatchItem): Promise<ItemOutcome>;
  /** Ends the reservation without an item (declined, deferred, error); idempotent, and a no-op after submit. */
  release(): void;
};

/**
 * Groups the commitments and settlements of concurrent job steps into one transaction each: commits of
 * any model into `commitBatch`, settles per verifier and signal count into `settleBatch`. A group is sent
 * when every reserved step has handed in its item or dropped out, when it is full (the configured size,
 * and half a block's gas by the items' measured bounds), or when its first item has waited the configured
 * time. One item goes out as a plain `commit`/`settle`. A batch whose pre-flight reverts is split without
 * spending gas: an item the revert names, or that fails a single `eth_call`, is handed back with its
 * error; the rest are sent again. Outcomes come from the one receipt's logs.
 */
export function createBatcher(deps: {
  hub: Address;
  abi: typeof inferenceHubWithErrorsAbi;
  publicClient: PublicClient;
  sender: TxSender;
  head: ChainHead;
  log: Logger;
  metrics: Metrics;
  batch: RelayerConfig["batch"];
}) {
  const { hub, abi, sender, log, metrics, batch } = deps;
  const reserved: Record<Op, number> = { commit: 0, settle: 0 };
  const groups = new Map<string, Group>();
  const unsupportedUntil = new Map<string, number>();
  let gasCeiling = TX_GAS_CAP;

  const maxItems = (op: Op, key: string) =>
    op === "commit" ? batch.maxCommitItems : (unsupportedUntil.get(key) ?? 0) > Date.now() ? 1 : batch.maxSettleItems;

  function check(): void {
    for (const [key, group] of groups) {
      if (group.entries.length === 0) continue;
      if (group.entries.length >= maxItems(group.op, key) || reserved[group.op] === 0) {
        flush(key, group, reserved[group.op] === 0 ? "all in" : "full");
        continue;
      }
      // The wait restarts with every item handed in, up to the hold limit from the first one.
      const wait = group.op === "commit" ? batch.commitWaitMs : batch.settleWaitMs;
      const delay = Math.max(0, Math.min(wait, group.firstAt + MAX_HOLD_WAITS * wait - Date.now()));
      clearTimeout(group.timer);
      group.timer = setTimeout(() => flush(key, group, "wait over"), delay);
    }
  }

  /** Takes what fits one transaction off the group and sends it; what is left is checked again. */
  function flush(key: string, group: Group, why: string): void {
    clearTimeout(group.timer);
    group.timer = undefined;
    const n = fitCount(
      group.entries.map((e) => e.item),
      maxItems(group.op, key),
      gasCeiling,
    );
    const taken = group.entries.splice(0, n);
    if (group.entries.length === 0) groups.delete(key);
    else group.firstAt = Date.now();
    log.debug(
      { group: key, size: taken.length, left: group.entries.length, reserved: reserved[group.op], why },
      "flush",
    );
    if (taken.length > 0) void dispatch(taken);
    void deps.head.latest().then(
      (head) => {
        gasCeiling = batchGasCeiling(head.gasLimit);
      },
      () => undefined,
    );
    if (group.entries.length > 0) check();
  }

  function enqueue(item: BatchItem): Promise<ItemOutcome> {
    return new Promise<ItemOutcome>((resolve, reject) => {
      const key = groupKey(item);
      let group = groups.get(key);
      if (!group) {
        group = { op: item.op, entries: [], timer: undefined, firstAt: Date.now() };
        groups.set(key, group);
      }
      group.entries.push({ item, resolve, reject });
    });
  }

  async function dispatch(entries: Entry[]): Promise<void> {
    const unsupported = (unsupportedUntil.get(groupKey(entries[0]!.item)) ?? 0) > Date.now();
    if (entries.length === 1 || unsupported) await Promise.all(entries.map(sendSingle));
    else await sendBatch(entries);
  }

  /** Runs `onSent` of every item; one whose row was replaced meanwhile must not stop the others'. */
  function persistSent(items: readonly BatchItem[], hash: `0x${string}`): void {
    for (const item of items) {
      try {
        item.onSent(hash);
      } catch (error) {
        log.info({ requestId: item.requestId, err: String(error) }, "batch item's row changed after sending");
      }
    }
  }

  async function sendSingle(entry: Entry): Promise<void> {
    const { item } = entry;
    try {
      const outcome = await sender.send(
        {
          address: hub,
          abi,
          functionName: item.op,
          args: singleArgs(item),
          label: item.op,
          key: `${item.op}:${item.requestId}:${requestHash(item.requestJson)}`,
          gasLimit: itemGas(item),
          onSigned: (hash) => persistSent([item], hash),
        },
        (hash) => persistSent([item], hash),
      );
      if ("dryRun" in outcome) return entry.resolve({ kind: "dryRun" });
      metrics.batchSize.observe({ op: item.op }, 1);
      const { receipt, hash } = outcome;
      entry.resolve({ kind: "done", receipt, hash, batchSize: 1, gasShare: receipt.gasUsed });
    } catch (error) {
      entry.reject(error);
    }
  }

  async function sendBatch(entries: Entry[]): Promise<void> {
    const items = entries.map((e) => e.item);
    const op = items[0]!.op;
    let sent = false;
    try {
      const outcome = await sender.send(
        {
          address: hub,
          abi,
          functionName: op === "commit" ? "commitBatch" : "settleBatch",
          args: batchArgs(items),
          label: `${op}Batch`,
          key: batchKey(op, items),
          gasLimit: batchGas(items),
          onSigned: (hash) => persistSent(items, hash),
        },
        (hash) => {
          sent = true;
          persistSent(items, hash);
        },
      );
      if ("dryRun" in outcome) {
        for (const e of entries) e.resolve({ kind: "dryRun" });
        return;
      }
      const { receipt, hash } = outcome;
      metrics.batchSize.observe({ op }, items.length);
      log.info({ op, size: items.length, hash, gasUsed: receipt.gasUsed.toString() }, "batch mined");
      const outcomes = outcomesFromReceipt(items, receipt, hash, { hub, node: sender.address });
      for (const [i, e] of entries.entries()) e.resolve(outcomes[i]!);
    } catch (raw) {
      const error = classifyError(raw);
      if (sent || !(error instanceof RevertError)) {
        for (const e of entries) e.reject(error);
      } else await isolate(entries, error);
    }
  }

  /** The item's own pre-flight (`commit` / `settle` by `eth_call`): the error it reverts with, if any. */
  async function simulateAlone(item: BatchItem): Promise<RelayerError | undefined> {
    try {
      const call = { address: hub, abi, functionName: item.op, args: singleArgs(item), account: sender.address };
      await withRetry(() => deps.publicClient.simulateContract(call as never));
      return undefined;
    } catch (raw) {
      return classifyError(raw);
    }
  }

  /** A batch's pre-flight reverted: find the items at fault by `eth_call` alone (no gas), send the rest. */
  async function isolate(entries: Entry[], error: RevertError): Promise<void> {
    const op = entries[0]!.item.op;
    const named = STATE_RACE_ERRORS.has(error.errorName) ? String(error.args[0]).toLowerCase() : undefined;
    const culprit = named === undefined ? undefined : entries.find((e) => e.item.requestId.toLowerCase() === named);
    log.info({ op, size: entries.length, revert: error.errorName, named }, "batch pre-flight reverted: splitting");
    if (culprit) {
      culprit.reject(error);
      const rest = entries.filter((e) => e !== culprit);
      return rest.length > 0 ? dispatch(rest) : undefined;
    }
    const faults = await Promise.all(entries.map((e) => simulateAlone(e.item)));
    const passing = entries.filter((e, i) => {
      if (faults[i]) e.reject(faults[i]);
      return !faults[i];
    });
    if (passing.length === 0) return;
    if (passing.length < entries.length) return dispatch(passing);
    if (op === "settle") {
      // Every proof passes alone, the batch does not: the verifier has no `verifyProofBatch` (yet).
      const key = groupKey(passing[0]!.item);
      unsupportedUntil.set(key, Date.now() + BATCH_UNSUPPORTED_RECHECK_MS);
      log.warn(
        { verifier: passing[0]!.item.req.verifier, revert: error.errorName },
        "verifier cannot batch: settling singly",
      );
      return dispatch(passing);
    }
    // Commits that pass alone but not together (e.g. free stake for some bonds, not all): halve.
    const half = Math.ceil(passing.length / 2);
    await dispatch(passing.slice(0, half));
    await dispatch(passing.slice(half));
  }

  return {
    /** Claims a place in the next `op` batch; call at the start of a step that may end in `submit`. */
    reserve(op: Op): Reservation {
      reserved[op]++;
      let open = true;
      const close = () => {
        if (open) reserved[op]--;
        const was = open;
        open = false;
        return was;
      };
      return {
        submit(item) {
          close();
          const outcome = enqueue(item);
          check();
          return outcome;
        },
        release() {
          if (close()) check();
        },
      };
    },
  };
}

/** The batcher of one relayer. */
export type Batcher = ReturnType<typeof createBatcher>;
