import type { Abi, Address, Hash, Hex, TransactionReceipt } from "viem";
import type { RelayerError } from "../common/errors.ts";

/** A contract call to send as a transaction. */
export type TxRequest = {
  address: Address;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
  /** For logs and metrics: `commit`, `settle`, `withdraw`. */
  label: string;
  /**
   * Names the logical transaction (e.g. `commit:<requestId>`): a send with the key of a transaction still
   * pending joins it instead of taking a new nonce. Default: the target and the calldata's hash.
   */
  key?: string;
  /**
   * Hashes this logical transaction was broadcast with before (from the store, after a restart): one still
   * pending is adopted (waited on and replaced as needed), one mined successfully is returned as is.
   */
  knownHashes?: readonly Hash[];
  /**
   * Gas limit used when `eth_estimateGas` fails although the pre-flight `eth_call` passed, and the least
   * limit sent otherwise (see `hubGasLimit`). Without it an estimation failure fails the send.
   */
  fallbackGasLimit?: bigint;
  /**
   * Gas limit to send with, skipping `eth_estimateGas`: for calls whose cost has a measured safe bound
   * (`hubGasLimit`). The pre-flight `eth_call` still runs, so a call that would revert is never sent.
   */
  gasLimit?: bigint;
};

/** What `send` returns: the receipt of the mined transaction, or a dry run's marker. */
export type TxOutcome = { receipt: TransactionReceipt; hash: Hash } | { dryRun: true };

/** The sender's share of the `gas` config section. */
export type GasSettings = {
  /** A transaction with no receipt after this long is replaced with higher fees. */
  stuckAfterMs: number;
  /** Replacements a caller waits through before `send` returns a retryable `TxPendingError`. */
  maxBumps: number;
  /** Fee increase per replacement. */
  bumpPercent: number;
  /** Absolute cap (wei per gas) on any fee the sender offers, first send and replacements alike. */
  maxFeePerGas: bigint;
};

/** Something an operator should see in metrics and `/healthz` (the sender keeps going either way). */
export type TxAlert =
  /** `eth_estimateGas` failed after the pre-flight passed; the transaction went out with `gasLimit`. */
  | { kind: "estimateFailed"; label: string; error: RelayerError; gasLimit: bigint }
  /** The transaction at `nonce` pays the fee cap and is still not mined. */
  | { kind: "feeCapReached"; label: string; nonce: number; maxFeePerGas: bigint }
  /** A send gave up waiting, or refused to send behind a stuck nonce. */
  | { kind: "stuck"; label: string; nonce: number; pendingForMs: number }
  /** The transaction at `nonce` is being replaced by a zero-value self-transfer. */
  | { kind: "cancelling"; label: string; nonce: number; reason: string }
  /** A replacement was refused by the node for a reason other than a fee race. */
  | { kind: "replaceFailed"; label: string; nonce: number; error: RelayerError };

/** A pending transaction as `pendingTransactions()` reports it. */
export type PendingTx = {
  nonce: number;
  label: string;
  key: string;
  /** Since the first broadcast at this nonce. */
  pendingForMs: number;
  /** Replacements broadcast so far. */
  bumps: number;
  maxFeePerGas: bigint;
  atFeeCap: boolean;
  cancelling: boolean;
  hashes: readonly Hash[];
};

/** The calldata of one broadcast. */
export type TxCall = { to: Address; data: Hex; value: bigint; gas: bigint };
