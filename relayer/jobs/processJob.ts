import { join } from "node:path";
import { type Address, type PublicClient, parseEventLogs, type TransactionReceipt } from "viem";
import {
  type Commitment,
  type HubRequest,
  type inferenceHubWithErrorsAbi,
  RequestStatus,
  settlementBinding,
} from "../../abi/index.ts";
import { type CompiledModel, witnessInput } from "../../zkml/index.ts";
import { fromJson, toJson } from "../common/codec.ts";
import type { RelayerConfig } from "../common/config.ts";
import { RelayerError, RevertError } from "../common/errors.ts";
import type { Logger } from "../common/logger.ts";
import { withRetry } from "../common/retry.ts";
import type { Metrics } from "../ops/metrics.ts";
import type { ProverPool } from "../prover/proverPool.ts";
import type { Job, JobState, Store } from "../store/store.ts";
import type { TxSender } from "../tx/chain.ts";
import type { ChainHead, HeadBlock } from "../tx/chainHead.ts";
import type { Batcher, Reservation } from "./batcher.ts";
import { reserveBond } from "./freeStake.ts";
import {
  type RequestChainState,
  readRequestState as readState,
  STATE_RACE_ERRORS,
  setJobState as setState,
  updateJobRow as update,
} from "./jobRow.ts";
import { declineReason } from "./policy.ts";

/**
 * Reverts that mean "not now": the bond does not fit in the free stake (another node key's commitments, or
 * ones sent outside this process, hold it). The job waits for stake to free up; the commit window decides.
 */
const DEFER_ERRORS = new Set(["HubInsufficientFreeStake"]);
/** Job states whose next transaction is a settlement (the others' is a commitment). */
const SETTLE_BOUND_STATES: readonly JobState[] = ["committed", "proved", "settling"];

/** Everything one job step needs. */
export type JobDeps = {
  hub: Address;
  abi: typeof inferenceHubWithErrorsAbi;
  publicClient: PublicClient;
  sender: TxSender;
  /** Groups this node's commitments and settlements into batch transactions. */
  batcher: Batcher;
  /** The head block (deadlines, base fee), cached per block. */
  head: ChainHead;
  store: Store;
  models: Map<string, CompiledModel>;
  prover: ProverPool;
  metrics: Metrics;
  log: Logger;
  dryRun: boolean;
  policy: RelayerConfig["policy"];
  /** The operator's fee cap (wei per gas): no commitment is started while the base fee is above it. */
  maxFeePerGas: bigint;
};

type ChainState = RequestChainState;

/** The head's number, its hash noted so that a reorg replacing it reopens the job (see `noteBlockHash`). */
async function headNumber(deps: JobDeps): Promise<number> {
  const head = await withRetry(() => deps.publicClient.getBlock({ blockTag: "latest" }));
  deps.store.noteBlockHash(Number(head.number), head.hash);
  return Number(head.number);
}

/**
 * The receipt's block number, its hash noted so that a reorg dropping it reopens the job. Throws
 * (retryable) when the watcher already saw another block at that height: the receipt is from a branch the
 * chain dropped while this step waited, and the next step re-reads the chain instead of recording it.
 */
function receiptBlock(deps: JobDeps, receipt: { blockNumber: bigint; blockHash: string }): number {
  if (!deps.store.noteBlockHash(Number(receipt.blockNumber), receipt.blockHash)) {
    throw new RelayerError(`receipt from block ${receipt.blockNumber} of a dropped branch`, { retryable: true });
  }
  return Number(receipt.blockNumber);
}

/**
 * A job that holds the hash of a transaction it was part of (a batch, possibly sent before a restart)
 * waits for that transaction's fate before it joins another: pending, it is adopted and waited on (a
 * re-formed batch would otherwise send the same items twice); mined or gone, the hash is cleared and
 * the step ends, so the next one re-reads the chain. Returns false when there was nothing to wait for.
 */
async function awaitStoredTx(
  deps: JobDeps,
  job: Job,
  field: "commitTx" | "settleTx",
  reservation: Reservation,
): Promise<boolean> {
  const hash = job[field] as `0x${string}` | null;
  if (!hash) return false;
  reservation.release(); // this wait can be long: no batch waits for it
  const label = field === "commitTx" ? "commit" : "settle";
  const fate = await deps.sender.awaitKnown(hash, label, (next) => deps.store.replaceTxHash(field, hash, next));
  update(deps, job, { [field]: null });
  deps.log.info({ requestId: job.requestId, hash, fate }, "an earlier transaction's fate is known: re-reading state");
  return true;
}

/** The model's output for the request's input, or why the input does not unpack (malformed). */
async function infer(model: CompiledModel, req: HubRequest): Promise<bigint[] | { malformed: string }> {
  let quantized: bigint[];
  try {
    quantized = model.unpackInput([...req.input]);
  } catch (error) {
    return { malformed: (error as Error).message };
  }
  return (await model.infer(quantized)).outputWords;
}

/**
 * Runs inference and sends the commitment. The output is recomputed from the request itself (never
 * taken from an earlier attempt) and persisted, bound to this request, before the transaction is sent.
 */
async function commit(deps: JobDeps, job: Job, req: HubRequest, reservation: Reservation): Promise<void> {
  const output = await infer(deps.models.get(job.modelId)!, req);
  // A malformed input cannot be proven: the node spends nothing on it (anyone may refund it later).
  if ("malformed" in output) return setState(deps, job, "rejected", { error: `malformed input: ${output.malformed}` });
  setState(deps, job, "committing", { outputJson: toJson(output) });
  const outcome = await reservation.submit({
    op: "commit",
    requestId: job.requestId,
    requestJson: job.requestJson,
    req,
    output,
    // `committedAt` is when the node accepted the transaction carrying the commitment.
    onSent: (hash) => update(deps, job, { commitTx: hash, committedAt: job.committedAt ?? Date.now() }),
  });
  if (outcome.kind === "dryRun") return setState(deps, job, "simulated");
  if (outcome.kind === "skipped") {
    deps.log.info({ requestId: job.requestId, hash: outcome.hash }, "commit skipped by the hub: re-reading state");
    return update(deps, job, { commitTx: null, committedAt: null });
  }
  deps.metrics.requestToCommit.observe(((job.committedAt ?? Date.now()) - job.seenAt) / 1000);
  setState(deps, job, "committed", {
    // A batch's gas is shared evenly among its items.
    commitGas: outcome.gasShare.toString(),
    lastBlock: receiptBlock(deps, outcome.receipt),
  });
}

/**
 * The output the chain holds for our commitment: the stored one when it matches the on-chain binding,
 * else recomputed (a store from before a crash or a reorg may hold none or another). Throws when
 * neither matches: such a commitment cannot be proven.
 */
async function committedOutput(deps: JobDeps, job: Job, req: HubRequest, state: ChainState): Promise<bigint[]> {
  if (job.outputJson) {
    const stored = fromJson<bigint[]>(job.outputJson);
    if (settlementBinding(req, stored, commitmentOf(state)) === state.binding) return stored;
  }
  const output = await infer(deps.models.get(job.modelId)!, req);
  if ("malformed" in output || settlementBinding(req, output, commitmentOf(state)) !== state.binding) {
    throw new RelayerError("our commitment on chain does not match the model's output for this request", {
      details: "the compiled model differs from the one that committed",
    });
  }
  update(deps, job, { outputJson: toJson(output), proofBytes: null });
  return output;
}

/** Proves the committed inference in the worker pool and stores the proof. */
async function prove(deps: JobDeps, job: Job, req: HubRequest, output: bigint[]): Promise<void> {
  const model = deps.models.get(job.modelId)!;
  const { files } = model.manifest;
  const result = await deps.prover.prove({
    wasm: join(model.dir, files.wasm),
    zkey: join(model.dir, files.zkey),
    witnessInput: witnessInput(req.input),
  });
  const expected = [...output, ...req.input];
  if (result.publicSignals.length !== expected.length || result.publicSignals.some((s, i) => s !== expected[i])) {
    throw new RelayerError("proof's public signals differ from the commitment", {
      details: "the compiled model does not match the one that produced the committed output",
    });
  }
  deps.metrics.proving.observe(result.ms / 1000);
  setState(deps, job, "proved", {
    proofBytes: result.proofBytes,
    provedAt: Date.now(),
    proveMs: Math.round(result.ms),
  });
}

/** The settlement fee the hub burned for `requestId`, from its `Settled` event in the receipt. */
function burnedBy(deps: JobDeps, receipt: TransactionReceipt, requestId: `0x${string}`): string | null {
  const events = parseEventLogs({ abi: deps.abi, logs: receipt.logs, eventName: "Settled", strict: true });
  const sameHex = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const ours = events.find((e) => sameHex(e.address, deps.hub) && sameHex(e.args.requestId, requestId));
  return ours ? ours.args.settlementFeeBurned.toString() : null;
}

/** The commitment `requestState` reports (node, proof deadline), which a settlement's terms name. */
function commitmentOf(state: ChainState): Commitment {
  return { node: state.node, proofDeadline: state.deadline };
}

async function settle(deps: JobDeps, job: Job, req: HubRequest, output: bigint[], at: Observed) {
  const { reservation } = at;
  if (await awaitStoredTx(deps, job, "settleTx", reservation)) return;
  setState(deps, job, "settling");
  const outcome = await reservation.submit({
    op: "settle",
    requestId: job.requestId,
    requestJson: job.requestJson,
    req,
    output,
    proof: job.proofBytes as `0x${string}`,
    commitment: commitmentOf(at.state),
    onSent: (hash) => update(deps, job, { settleTx: hash }),
  });
  if (outcome.kind === "dryRun") return;
  if (outcome.kind === "skipped") return update(deps, job, { settleTx: null });
  const now = Date.now();
  deps.metrics.commitToSettle.observe((now - (job.committedAt ?? now)) / 1000);
  deps.metrics.earnings.inc(Number(req.modelFee + req.callbackFee));
  setState(deps, job, "settled", {
    settledAt: now,
    // A batch's gas is shared evenly among its items.
    settleGas: outcome.gasShare.toString(),
    batchSize: outcome.batchSize,
    burned: burnedBy(deps, outcome.receipt, job.requestId),
    lastBlock: receiptBlock(deps, outcome.receipt),
  });
}

/** Our commitment is on chain: prove it (once) and settle before the proof deadline. */
async function proveAndSettle(deps: JobDeps, job: Job, req: HubRequest, at: Observed): Promise<void> {
  const { state, head } = at;
  if (head.timestamp > state.deadline) {
    return setState(deps, job, "expired", { error: "proof deadline passed" });
  }
  if (job.state === "seen" || job.state === "committing") setState(deps, job, "committed");
  const output = await committedOutput(deps, job, req, state);
  if (!job.proofBytes) await prove(deps, job, req, output);
  await settle(deps, job, req, output, at);
}

/** The request awaits a commitment (again, if a reorg dropped ours). */
async function commitIfOpen(deps: JobDeps, job: Job, req: HubRequest, at: Observed): Promise<void> {
  const { state, head, reservation } = at;
  if (job.state !== "seen" && job.state !== "committing") {
    deps.log.warn({ requestId: job.requestId, was: job.state }, "our commitment is no longer on chain: re-committing");
    // `commitTx` stays: a dropped commitment back in the mempool is waited for, not sent twice.
    setState(deps, job, "seen", { proofBytes: null, settleTx: null });
  }
  if (await awaitStoredTx(deps, job, "commitTx", reservation)) return;
  if (head.timestamp > state.deadline) return setState(deps, job, "expired", { error: "commit deadline passed" });
  // A commitment sent now could not be mined (nor then settled) under the operator's fee cap: wait, and
  // let the commit window decide. Nothing is sent meanwhile.
  if ((head.baseFeePerGas ?? 0n) > deps.maxFeePerGas) {
    deps.metrics.deferred.inc({ reason: "baseFeeAboveCap" });
    deps.log.debug(
      { requestId: job.requestId, baseFee: String(head.baseFeePerGas) },
      "commit deferred: base fee above cap",
    );
    return;
  }
  const declined = declineReason(deps.policy, req);
  if (declined) {
    deps.metrics.declined.inc({ reason: declined.reason });
    return setState(deps, job, "declined", { error: declined.message });
  }
  // A bond the free stake cannot cover would only revert: wait until settlements release locked stake.
  const bond = await reserveBond(deps, deps.sender.address, req);
  if ("shortfall" in bond) {
    deps.metrics.deferred.inc({ reason: bond.shortfall.reason });
    deps.log.info(
      { requestId: job.requestId, reason: bond.shortfall.reason },
      `commit deferred: ${bond.shortfall.message}`,
    );
    return;
  }
  try {
    await commit(deps, job, req, reservation);
  } finally {
    bond.release();
  }
}

/** What a step read before acting: the request's state, the head block, and its claim on a batch. */
type Observed = { state: ChainState; head: HeadBlock; reservation: Reservation };

/**
 * Moves one job forward by reconciling the store with the chain: the chain's `requestState` decides,
 * so a restart, a reorg or a competing relayer is handled by the same code path. Idempotent.
 */
export async function processJob(deps: JobDeps, job: Job): Promise<void> {
  const req = fromJson<HubRequest>(job.requestJson);
  // Claimed before the first await: steps kicked together (one poll, one block's logs) form one batch.
  const reservation = deps.batcher.reserve(SETTLE_BOUND_STATES.includes(job.state) ? "settle" : "commit");
  try {
    const [state, head] = await Promise.all([readState(deps, job.requestId), deps.head.latest()]);
    return await reconcile(deps, job, req, { state, head, reservation });
  } finally {
    reservation.release();
  }
}

async function reconcile(deps: JobDeps, job: Job, req: HubRequest, at: Observed): Promise<void> {
  const { state } = at;
  const ours = state.node.toLowerCase() === deps.sender.address.toLowerCase();
  try {
    switch (state.status) {
      case RequestStatus.None:
        return; // not (or no longer) on the canonical chain: wait for the watcher
      case RequestStatus.Requested:
        return await commitIfOpen(deps, job, req, at);
      case RequestStatus.Committed:
        if (!ours) {
          return setState(deps, job, "lost", {
            error: `committed by ${state.node}`,
            lastBlock: await headNumber(deps),
          });
        }
        return await proveAndSettle(deps, job, req, at);
      case RequestStatus.Settled:
        return setState(deps, job, ours ? "settled" : "lost", ours ? {} : { error: `settled for ${state.node}` });
      default:
        return setState(deps, job, "expired", {
          error: state.status === RequestStatus.Refunded ? "refunded" : "slashed",
        });
    }
  } catch (error) {
    if (error instanceof RevertError && STATE_RACE_ERRORS.has(error.errorName)) {
      deps.log.info({ requestId: job.requestId, revert: error.errorName }, "pre-flight lost a race: re-reading state");
      return;
    }
    if (error instanceof RevertError && DEFER_ERRORS.has(error.errorName)) {
      deps.metrics.deferred.inc({ reason: "freeStake" });
      deps.log.info(
        { requestId: job.requestId, revert: error.errorName },
        "commit deferred: no free stake for the bond",
      );
      return;
    }
    throw error;
  }
}
