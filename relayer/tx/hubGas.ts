/**
 * Explicit gas limits for the hub's node operations, for when `eth_estimateGas` cannot answer: nodes
 * refuse an estimate when a consumer's callback runs out of gas (Hardhat/EDR: "an internal call runs out
 * of gas regardless of the transaction's gas limit"), though the hub catches that and the transaction
 * succeeds. The hub caps every callback at the request's `callbackGasLimit`, so the cost of an operation
 * is bounded: its own work plus what the hub demands be left for the callback.
 */

/** `InferenceHub.CALLBACK_ON_COMMIT`. */
export const CALLBACK_ON_COMMIT = 1;
/** `InferenceHub.CALLBACK_ON_SETTLE`. */
export const CALLBACK_ON_SETTLE = 2;
/** `InferenceHub.CALLBACK_GAS_RESERVE`: gas the hub keeps back beyond a callback's limit (checked by a test). */
export const CALLBACK_GAS_RESERVE = 10_000n;

/**
 * Least gas limit at which `commit` succeeds with 2 public signals and no callback, measured on a hardhat
 * node (binary search over `eth_call`): 74.1k the first time a node locks a bond (a zero slot written),
 * 57.0k after. With a commit callback of limit L the least limit was 57.9k + L·64/63 + 10k (L = 100k,
 * 200k, 500k; the consumer burning all of its gas or not).
 */
const COMMIT_BASE_GAS = 75_000n;
/**
 * The same for `settle` (Groth16 check of the tiny model's proof): 258.0k (`gasUsed` 253.0k after the
 * cleared binding's refund); with a settle callback 258.8k + L·64/63 + 10k.
 */
const SETTLE_BASE_GAS = 260_000n;
/**
 * Per public signal beyond the measured two: the Groth16 verifier's ECMUL + ECADD and calldata, ≈ 7,006
 * gas per signal (docs/benchmarks.md: 231,330 at 3 signals, 308,400 at 14), plus 32 calldata bytes
 * (≤ 512), the adapter's range check and the hub's hashing; commit pays only the last three.
 */
const SETTLE_GAS_PER_SIGNAL = 9_000n;
const COMMIT_GAS_PER_SIGNAL = 1_500n;
/** Signals the base costs were measured with. */
const MEASURED_SIGNALS = 2n;
/** Head-room on the hub's own work (storage prices differ across chains and forks). */
const MARGIN_PERCENT = 30n;

/** A hub operation a node sends, with what bounds its gas. */
export type HubGasInput = {
  op: "commit" | "settle";
  /** The request's `callbackGasLimit`. */
  callbackGasLimit: number | bigint;
  /** The request's `callbackFlags`. */
  callbackFlags: number;
  /** Public signals of the request: output words + input words. */
  signals: number;
};

/**
 * A gas limit that always suffices for `op`: the measured cost of the hub's own work plus margin, plus,
 * when the request asks for a callback at this stage, `callbackGasLimit · 64/63 + CALLBACK_GAS_RESERVE`
 * (what the hub requires be left before the call). Use it as `TxRequest.fallbackGasLimit`.
 */
export function hubGasLimit(input: HubGasInput): bigint {
  const extra = BigInt(Math.max(0, input.signals)) - MEASURED_SIGNALS;
  const perSignal = input.op === "settle" ? SETTLE_GAS_PER_SIGNAL : COMMIT_GAS_PER_SIGNAL;
  const base = (input.op === "settle" ? SETTLE_BASE_GAS : COMMIT_BASE_GAS) + (extra > 0n ? extra * perSignal : 0n);
  const stage = input.op === "settle" ? CALLBACK_ON_SETTLE : CALLBACK_ON_COMMIT;
  const limit = BigInt(input.callbackGasLimit);
  const callback = (input.callbackFlags & stage) !== 0 ? (limit * 64n) / 63n + 1n + CALLBACK_GAS_RESERVE : 0n;
  return (base * (100n + MARGIN_PERCENT)) / 100n + callback;
}
