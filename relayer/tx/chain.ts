/**
 * The relayer's chain access: clients over the configured RPC URLs and the transaction sender. Modules
 * import from here; the pieces live in their own files.
 */
export { type ChainClients, chainFor, createChainClients } from "./clients.ts";
export { bumpFees, capFees, type Fees } from "./fees.ts";
export { CALLBACK_GAS_RESERVE, type HubGasInput, hubGasLimit } from "./hubGas.ts";
export { createTxSender, MAX_SENT_BEHIND_STUCK, type TxSender } from "./txSender.ts";
export type { GasSettings, PendingTx, TxAlert, TxOutcome, TxRequest } from "./types.ts";
