/** EIP-1559 fees of one transaction. */
export type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

/**
 * Least increase of both fees that every node accepts as a replacement (geth and Hardhat want 10 %,
 * some pools 12.5 %); a capped replacement that would raise them less is not sent.
 */
export const MIN_REPLACEMENT_PERCENT = 13n;

const max = (a: bigint, b: bigint) => (a > b ? a : b);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

/** `fees` with the fee cap at most `cap` and the tip never above the fee cap. */
export function capFees(fees: Fees, cap: bigint): Fees {
  const maxFeePerGas = min(fees.maxFeePerGas, cap);
  return { maxFeePerGas, maxPriorityFeePerGas: min(fees.maxPriorityFeePerGas, maxFeePerGas) };
}

const raise = (v: bigint, percent: bigint) => (v * (100n + percent)) / 100n + 1n;

/**
 * Fees for a replacement of a transaction sent with `prev`: both raised by `bumpPercent`, or to what the
 * market asks now when that is more, and capped at `cap`. `undefined` when the cap leaves no room for a
 * replacement that nodes would accept (the transaction then waits at its current fees).
 */
export function bumpFees(prev: Fees, market: Fees, bumpPercent: number, cap: bigint): Fees | undefined {
  const percent = BigInt(bumpPercent);
  const next = capFees(
    {
      maxFeePerGas: max(raise(prev.maxFeePerGas, percent), market.maxFeePerGas),
      maxPriorityFeePerGas: max(raise(prev.maxPriorityFeePerGas, percent), market.maxPriorityFeePerGas),
    },
    cap,
  );
  const least = (v: bigint) => (v * (100n + MIN_REPLACEMENT_PERCENT)) / 100n;
  if (next.maxFeePerGas < least(prev.maxFeePerGas) || next.maxPriorityFeePerGas < least(prev.maxPriorityFeePerGas)) {
    return undefined;
  }
  return next;
}
