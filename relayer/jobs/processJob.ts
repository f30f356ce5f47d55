import { join } from "node:path";
import type { Address, PublicClient } from "viem";
import { type HubRequest, type inferenceHubWithErrorsAbi, RequestStatus } from "../../abi/index.ts";
import { type CompiledModel, witnessInput } from "../../zkml/index.ts";
import { fromJson, toJson } from "../common/codec.ts";
import type { RelayerConfig } from "../common/config.ts";
import { RelayerError, RevertError } from "../common/errors.ts";
import type { Logger } from "../common/logger.ts";
import { withRetry } from "../common/retry.ts";
import type { Metrics } from "../ops/metrics.ts";
import type { ProverPool } from "../prover/proverPool.ts";
import { type Job, type JobState, requestHash, type Store } from "../store/store.ts";
import { hubGasLimit, type TxSender } from "../tx/chain.ts";
import { reserveBond } from "./freeStake.ts";
import { JobSupersededError } from "./jobErrors.ts";
import { declineReason } from "./policy.ts";
import { outputBinding } from "./requestBinding.ts";

/** Reverts that mean "the chain moved on": re-read the request state instead of failing the job. */
const STATE_RACE_ERRORS = new Set(["HubUnexpectedStatus", "HubRequestMismatch"]);
/**
 * Reverts that mean "not now": the bond does not fit in the free stake (another node key's commitments, or
 * ones sent outside this process, hold it). The job waits for stake to free up; the commit window decides.
 */
const DEFER_ERRORS = new Set(["HubInsufficientFreeStake"]);

/** Everything one job step needs. */
export type JobDeps = {
  hub: Address;
  abi: typeof inferenceHubWithErrorsAbi;
  publicClient: PublicClient;
  sender: TxSender;
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

type ChainState = { status: number; deadline: bigint; node: Address; binding: `0x${string}` };

async function readState(deps: JobDeps, requestId: `0x${string}`): Promise<ChainState> {
  const [status, deadline, node, binding] = await withRetry(() =>
    deps.publicClient.readContract({
      address: deps.hub,
      abi: deps.abi,
      functionName: "requestState",
      args: [requestId],
    }),
  );
  return { status, deadline, node, binding };
}

/** The chain's head block: its timestamp judges deadlines, its base fee the operator's fee cap. */
function latestBlock(deps: JobDeps) {
  return withRetry(() => deps.publicClient.getBlock({ blockTag: "latest" }));
}

/** The head's number, its hash noted so that a reorg replacing it reopens the job (see `noteBlockHash`). */
async function headNumber(deps: JobDeps): Promise<number> {
  const head = await latestBlock(deps);
  deps.store.noteBlockHash(Number(head.number), head.hash);
  return Number(head.number);
}

/** The receipt's block number, its hash noted so that a reorg dropping it reopens the job. */
function receiptBlock(deps: JobDeps, receipt: { blockNumber: bigint; blockHash: string }): number {
  deps.store.noteBlockHash(Number(receipt.blockNumber), receipt.blockHash);
  return Number(receipt.blockNumber);
}

/**
 * Writes to the job's row only while it still holds the request this step started from: a reorg can
 * hand the id to another request mid-step, and the old request's output must never land in its row.
 */
function update(deps: JobDeps, job: Job, patch: Partial<Job>): void {
  if (!deps.store.updateJob(job.requestId, patch, { expect: { requestJson: job.requestJson } })) {
    throw new JobSupersededError(job.requestId);
  }
  Object.assign(job, patch);
}

function setState(deps: JobDeps, job: Job, state: JobState, patch: Partial<Job> = {}): void {
  update(deps, job, { state, ...patch });
  deps.log.info({ requestId: job.requestId, state, ...(patch.error ? { error: patch.error } : {}) }, `job ${state}`);
}

/**
 * Names the logical transaction by request id *and* request content (after a reorg an id can carry
 * another request, whose commit must not join the old one's), and hands over the hash broadcast
 * before a restart so the sender adopts it instead of sending a second transaction.
 */
function txIdentity(job: Job, op: "commit" | "settle", sentHash: string | null) {
  return {
    key: `${op}:${job.requestId}:${requestHash(job.requestJson)}`,
    knownHashes: sentHash ? [sentHash as `0x${string}`] : [],
  };
}

/** What bounds the gas of a commit or settle of this request (see `hubGasLimit`). */
function gasShape(req: HubRequest, output: readonly bigint[]) {
  return {
    callbackGasLimit: req.callbackGasLimit,
    callbackFlags: req.callbackFlags,
    signals: output.length + req.input.length,
  };
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
async function commit(deps: JobDeps, job: Job, req: HubRequest): Promise<void> {
  const output = await infer(deps.models.get(job.modelId)!, req);
  // A malformed input cannot be proven: the node spends nothing on it (anyone may refund it later).
  if ("malformed" in output) return setState(deps, job, "rejected", { error: `malformed input: ${output.malformed}` });
  setState(deps, job, "committing", { outputJson: toJson(output) });
  const sentAt = Date.now();
  const outcome = await deps.sender.send(
    {
      address: deps.hub,
      abi: deps.abi,
      functionName: "commit",
      args: [job.requestId, req, output],
      label: "commit",
      ...txIdentity(job, "commit", job.commitTx),
      fallbackGasLimit: hubGasLimit({ op: "commit", ...gasShape(req, output) }),
    },
    (hash) => update(deps, job, { commitTx: hash, committedAt: sentAt }),
  );
  deps.metrics.requestToCommit.observe((sentAt - job.seenAt) / 1000);
  if ("dryRun" in outcome) return setState(deps, job, "simulated");
  setState(deps, job, "committed", { committedAt: sentAt, lastBlock: receiptBlock(deps, outcome.receipt) });
}

/**
 * The output the chain holds for our commitment: the stored one when it matches the on-chain binding,
 * else recomputed (a store from before a crash or a reorg may hold none or another). Throws when
 * neither matches: such a commitment cannot be proven.
 */
async function committedOutput(deps: JobDeps, job: Job, req: HubRequest, state: ChainState): Promise<bigint[]> {
  if (job.outputJson) {
    const stored = fromJson<bigint[]>(job.outputJson);
    if (outputBinding(req, stored) === state.binding) return stored;
  }
  const output = await infer(deps.models.get(job.modelId)!, req);
  if ("malformed" in output || outputBinding(req, output) !== state.binding) {
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

async function settle(deps: JobDeps, job: Job, req: HubRequest, output: bigint[]): Promise<void> {
  setState(deps, job, "settling");
  const outcome = await deps.sender.send(
    {
      address: deps.hub,
      abi: deps.abi,
      functionName: "settle",
      args: [job.requestId, req, output, job.proofBytes],
      label: "settle",
      ...txIdentity(job, "settle", job.settleTx),
      fallbackGasLimit: hubGasLimit({ op: "settle", ...gasShape(req, output) }),
    },
    (hash) => update(deps, job, { settleTx: hash }),
  );
  if ("dryRun" in outcome) return;
  const now = Date.now();
  deps.metrics.commitToSettle.observe((now - (job.committedAt ?? now)) / 1000);
  deps.metrics.earnings.inc(Number(req.modelFee + req.callbackFee));
  setState(deps, job, "settled", {
    settledAt: now,
    settleGas: outcome.receipt.gasUsed.toString(),
    lastBlock: receiptBlock(deps, outcome.receipt),
  });
}

/** Our commitment is on chain: prove it (once) and settle before the proof deadline. */
async function proveAndSettle(deps: JobDeps, job: Job, req: HubRequest, state: ChainState): Promise<void> {
  if ((await latestBlock(deps)).timestamp > state.deadline) {
    return setState(deps, job, "expired", { error: "proof deadline passed" });
  }
  if (job.state === "seen" || job.state === "committing") setState(deps, job, "committed");
  const output = await committedOutput(deps, job, req, state);
  if (!job.proofBytes) await prove(deps, job, req, output);
  await settle(deps, job, req, output);
}

/** The request awaits a commitment (again, if a reorg dropped ours). */
async function commitIfOpen(deps: JobDeps, job: Job, req: HubRequest, state: ChainState): Promise<void> {
  if (job.state !== "seen" && job.state !== "committing") {
    deps.log.warn({ requestId: job.requestId, was: job.state }, "our commitment is no longer on chain: re-committing");
    setState(deps, job, "seen", { proofBytes: null, commitTx: null });
  }
  const head = await latestBlock(deps);
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
    await commit(deps, job, req);
  } finally {
    bond.release();
  }
}

/**
 * Moves one job forward by reconciling the store with the chain: the chain's `requestState` decides,
 * so a restart, a reorg or a competing relayer is handled by the same code path. Idempotent.
 */
export async function processJob(deps: JobDeps, job: Job): Promise<void> {
  const req = fromJson<HubRequest>(job.requestJson);
  const state = await readState(deps, job.requestId);
  const ours = state.node.toLowerCase() === deps.sender.address.toLowerCase();
  try {
    switch (state.status) {
      case RequestStatus.None:
        return; // not (or no longer) on the canonical chain: wait for the watcher
      case RequestStatus.Requested:
        return await commitIfOpen(deps, job, req, state);
      case RequestStatus.Committed:
        if (!ours) {
          return setState(deps, job, "lost", {
            error: `committed by ${state.node}`,
            lastBlock: await headNumber(deps),
          });
        }
        return await proveAndSettle(deps, job, req, state);
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
