import { encodeAbiParameters, type Hash, type Hex, keccak256, parseEventLogs, type TransactionReceipt } from "viem";
import { type Commitment, encodeSettleBatch, type HubRequest, inferenceHubWithErrorsAbi } from "../../abi/index.ts";
import { requestHash } from "../store/store.ts";
import { hubGasLimit } from "../tx/chain.ts";

/**
 * EIP-7825's per-transaction gas cap (2^24): a batch whose bound is above it can never be included on a
 * chain that enforces it.
 */
export const TX_GAS_CAP = 16_777_216n;
/** Share of the block gas limit one batch may claim: leaves room for other senders, so it is not priced out. */
export const BLOCK_GAS_FRACTION_PERCENT = 50n;
/** Gas of the batch call's own frame (loop, array decoding) beyond the items: a single call's base covers it. */
const BATCH_OVERHEAD_GAS = 30_000n;

/** A commitment or settlement a job hands to the batcher. */
export type BatchItem = {
  op: "commit" | "settle";
  requestId: Hex;
  /** The job's `requestJson` (names the request's content in the batch's key). */
  requestJson: string;
  req: HubRequest;
  output: readonly bigint[];
  /** The proof (settle only). */
  proof?: Hex;
  /** Who committed and the proof deadline, as the chain reports them (settle only: `settleBatch` carries them). */
  commitment?: Commitment;
  /** Persists a broadcast hash of the transaction carrying this item, before the receipt is awaited. */
  onSent(hash: Hash): void;
};

/** What became of one item of a mined transaction. */
export type ItemOutcome =
  /** Committed by us / settled, in a transaction of `batchSize` items that used `gasShare` gas per item. */
  | { kind: "done"; receipt: TransactionReceipt; hash: Hash; batchSize: number; gasShare: bigint }
  /** Mined without this item taking effect (`CommitSkipped`): re-read the request's state. */
  | { kind: "skipped"; hash: Hash }
  /** Dry run: the pre-flight passed, nothing was sent. */
  | { kind: "dryRun" };

/** The key items of one settle batch share: `settleBatch` wants one verifier and one signal count. */
export function groupKey(item: BatchItem): string {
  if (item.op === "commit") return "commit";
  return `settle:${item.req.verifier.toLowerCase()}:${item.output.length + item.req.input.length}`;
}

/** The measured safe gas bound of one item sent alone (`hubGasLimit`). */
export function itemGas(item: BatchItem): bigint {
  return hubGasLimit({
    op: item.op,
    callbackGasLimit: item.req.callbackGasLimit,
    callbackFlags: item.req.callbackFlags,
    signals: item.output.length + item.req.input.length,
  });
}

/**
 * A safe gas limit for `items` in one batch: the sum of their single-call bounds (each includes a call's
 * base cost, which a batch pays once) plus the batch frame.
 */
export function batchGas(items: readonly BatchItem[]): bigint {
  return items.reduce((sum, item) => sum + itemGas(item), BATCH_OVERHEAD_GAS);
}

/** The most gas one batch may be bounded by on a chain whose blocks hold `blockGasLimit`. */
export function batchGasCeiling(blockGasLimit: bigint): bigint {
  const share = (blockGasLimit * BLOCK_GAS_FRACTION_PERCENT) / 100n;
  return share < TX_GAS_CAP ? share : TX_GAS_CAP;
}

/** How many of `items` (in order, at most `max`) fit one batch under `ceiling`; at least one. */
export function fitCount(items: readonly BatchItem[], max: number, ceiling: bigint): number {
  let gas = BATCH_OVERHEAD_GAS;
  let n = 0;
  for (const item of items) {
    if (n >= max) break;
    gas += itemGas(item);
    if (gas > ceiling && n > 0) break;
    n++;
  }
  return Math.max(1, n);
}

/**
 * The batch's logical key: its operation and a hash of its items' request ids and request hashes, sorted,
 * so the same items name the same transaction (the sender joins a pending one instead of sending twice).
 */
export function batchKey(op: BatchItem["op"], items: readonly BatchItem[]): string {
  const parts = items.map((i) => `${i.requestId.toLowerCase()}:${requestHash(i.requestJson)}`).sort();
  const digest = keccak256(encodeAbiParameters([{ type: "string[]" }], [parts]));
  return `${op}Batch:${digest}`;
}

/** The `commitBatch` / `settleBatch` arguments for `items` (all of one op). */
export function batchArgs(items: readonly BatchItem[]) {
  if (items[0]?.op === "settle") {
    return encodeSettleBatch(
      items.map((i) => ({ requestId: i.requestId, req: i.req, output: i.output, proof: i.proof!, ...i.commitment! })),
    );
  }
  return [items.map((i) => ({ requestId: i.requestId, request: i.req, output: [...i.output] }))] as const;
}

/** The single-call arguments of one item (`commit` / `settle`). */
export function singleArgs(item: BatchItem) {
  return item.op === "commit"
    ? ([item.requestId, item.req, [...item.output]] as const)
    : ([item.requestId, item.req, [...item.output], item.proof!] as const);
}

/**
 * Each item's outcome from the one receipt: `Committed` by `node` or `Settled` for the item means done,
 * anything else (a `CommitSkipped` item) means the chain moved on and the job re-reads its state.
 */
export function outcomesFromReceipt(
  items: readonly BatchItem[],
  receipt: TransactionReceipt,
  hash: Hash,
  parties: { hub: string; node: string },
): ItemOutcome[] {
  const node = parties.node.toLowerCase();
  const ours = receipt.logs.filter((l) => l.address.toLowerCase() === parties.hub.toLowerCase());
  const logs = parseEventLogs({ abi: inferenceHubWithErrorsAbi, logs: ours });
  const done = new Set<string>();
  for (const log of logs) {
    if (log.eventName === "Committed" && log.args.node.toLowerCase() === node) {
      done.add(`commit:${log.args.requestId.toLowerCase()}`);
    }
    if (log.eventName === "Settled") done.add(`settle:${log.args.requestId.toLowerCase()}`);
  }
  const gasShare = receipt.gasUsed / BigInt(items.length);
  return items.map((item) =>
    done.has(`${item.op}:${item.requestId.toLowerCase()}`)
      ? { kind: "done", receipt, hash, batchSize: items.length, gasShare }
      : { kind: "skipped", hash },
  );
}
