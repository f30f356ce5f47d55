import { keccak256, stringToBytes } from "viem";

/**
 * Job states. Open: `seen` → `committing` → `committed` → `proved` → `settling`. Final: `settled` (we were
 * paid), `lost` (another node committed first), `rejected` (malformed input: nothing to prove, nothing
 * spent; anyone may refund it), `declined` (below the operator's terms), `expired` (refunded, slashed,
 * or a deadline passed before we could act), `failed` (parked after repeated permanent failures),
 * `simulated` (a dry run passed the commitment's pre-flight and stopped there). `refunded` is kept for
 * rows written by older relayers, which refunded rejected requests themselves.
 */
export type JobState =
  | "seen"
  | "committing"
  | "committed"
  | "proved"
  | "settling"
  | "settled"
  | "lost"
  | "rejected"
  | "declined"
  | "refunded"
  | "simulated"
  | "expired"
  | "failed";

/** States from which the pipeline still has work to do. */
export const OPEN_STATES: readonly JobState[] = ["seen", "committing", "committed", "proved", "settling"];

/**
 * States with nothing left to do. A job entering one is stamped `finishedAt`, and pruned once the
 * retention period has passed.
 */
export const FINISHED_STATES: readonly JobState[] = [
  "settled",
  "lost",
  "rejected",
  "declined",
  "refunded",
  "simulated",
  "expired",
  "failed",
];

/** One request the relayer handles, as persisted. JSON columns hold bigints as decimal strings. */
export type Job = {
  requestId: `0x${string}`;
  modelId: string;
  /** The `Request` struct exactly as emitted, JSON with bigints as strings. */
  requestJson: string;
  requestBlock: number;
  state: JobState;
  /** Output words we committed (JSON string array). */
  outputJson: string | null;
  /**
   * `requestHash` of the `requestJson` that `outputJson` was computed from, set by the store whenever an
   * output is written; null without an output. After a reorg the same id can carry another request:
   * an output whose binding differs from `requestHash(requestJson)` belongs to the old one.
   */
  outputRequestHash: string | null;
  commitTx: string | null;
  proofBytes: string | null;
  settleTx: string | null;
  settleGas: string | null;
  /** Gas used by our mined commitment (decimal string); null before it is mined or on older rows. */
  commitGas: string | null;
  /** OPG wei burned by our settlement (the `Settled` event's `settlementFeeBurned`, decimal string). */
  burned: string | null;
  /** Proofs settled in the same transaction as this one; null means a single settlement (1). */
  batchSize: number | null;
  error: string | null;
  /** Milliseconds since the epoch: when the request was seen, committed (tx sent), proved, settled. */
  seenAt: number;
  committedAt: number | null;
  provedAt: number | null;
  settledAt: number | null;
  /** When the job entered one of `FINISHED_STATES` (ms since the epoch); null while it has work left. */
  finishedAt: number | null;
  proveMs: number | null;
  /** Latest block at which the job's state was observed or changed (reorgs above it reopen the job). */
  lastBlock: number | null;
};

/** The binding kept in `outputRequestHash`: keccak256 of a job's `requestJson`. */
export function requestHash(requestJson: string): `0x${string}` {
  return keccak256(stringToBytes(requestJson));
}

/** True when the job holds an output computed from the request it holds now. */
export function outputMatchesRequest(job: Pick<Job, "outputJson" | "outputRequestHash" | "requestJson">): boolean {
  return job.outputJson !== null && job.outputRequestHash === requestHash(job.requestJson);
}
