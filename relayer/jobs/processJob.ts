import { join } from "node:path";
import type { Abi, Address, PublicClient } from "viem";
import { type CompiledModel, INPUT_SIGNAL } from "../../zkml/index.ts";
import { fromJson, toJson } from "../common/codec.ts";
import { RelayerError, RevertError } from "../common/errors.ts";
import { type HubRequest, RequestStatus } from "../common/hubAbi.ts";
import type { Logger } from "../common/logger.ts";
import { withRetry } from "../common/retry.ts";
import type { Metrics } from "../ops/metrics.ts";
import type { ProverPool } from "../prover/proverPool.ts";
import type { Job, JobState, Store } from "../store/store.ts";
import type { TxSender } from "../tx/chain.ts";

/** Reverts that mean "the chain moved on": re-read the request state instead of failing the job. */
const STATE_RACE_ERRORS = new Set(["HubUnexpectedStatus", "HubRequestMismatch"]);

/** Everything one job step needs. */
export type JobDeps = {
  hub: Address;
  abi: Abi;
  publicClient: PublicClient;
  sender: TxSender;
  store: Store;
  models: Map<string, CompiledModel>;
  prover: ProverPool;
  metrics: Metrics;
  log: Logger;
  dryRun: boolean;
};

type ChainState = { status: number; deadline: bigint; node: Address };

async function readState(deps: JobDeps, requestId: `0x${string}`): Promise<ChainState> {
  const [status, deadline, node] = (await withRetry(() =>
    deps.publicClient.readContract({
      address: deps.hub,
      abi: deps.abi,
      functionName: "requestState",
      args: [requestId],
    }),
  )) as readonly [number, bigint, Address, `0x${string}`];
  return { status, deadline, node };
}

async function chainNow(deps: JobDeps): Promise<bigint> {
  const block = await withRetry(() => deps.publicClient.getBlock({ blockTag: "latest" }));
  return block.timestamp;
}

async function headNumber(deps: JobDeps): Promise<number> {
  return Number(await withRetry(() => deps.publicClient.getBlockNumber({ cacheTime: 0 })));
}

function setState(deps: JobDeps, job: Job, state: JobState, patch: Partial<Job> = {}): void {
  deps.store.updateJob(job.requestId, { state, ...patch });
  Object.assign(job, { state, ...patch });
  deps.log.info({ requestId: job.requestId, state, ...(patch.error ? { error: patch.error } : {}) }, `job ${state}`);
}

/** Runs inference and sends the commitment. State (with the output) is persisted before sending. */
async function commit(deps: JobDeps, job: Job, req: HubRequest): Promise<void> {
  const model = deps.models.get(job.modelId)!;
  let outputWords: bigint[];
  if (job.outputJson) outputWords = fromJson<bigint[]>(job.outputJson);
  else {
    let quantized: bigint[];
    try {
      quantized = model.unpackInput([...req.input]);
    } catch (error) {
      setState(deps, job, "rejected", { error: `malformed input: ${(error as Error).message}` });
      return;
    }
    outputWords = (await model.infer(quantized)).outputWords;
  }
  setState(deps, job, "committing", { outputJson: toJson(outputWords) });
  const sentAt = Date.now();
  const outcome = await deps.sender.send(
    {
      address: deps.hub,
      abi: deps.abi,
      functionName: "commit",
      args: [job.requestId, req, outputWords],
      label: "commit",
    },
    (hash) => deps.store.updateJob(job.requestId, { commitTx: hash, committedAt: sentAt }),
  );
  deps.metrics.requestToCommit.observe((sentAt - job.seenAt) / 1000);
  if ("dryRun" in outcome) return setState(deps, job, "simulated");
  setState(deps, job, "committed", { committedAt: sentAt, lastBlock: Number(outcome.receipt.blockNumber) });
}

/** Proves the committed inference in the worker pool and stores the proof. */
async function prove(deps: JobDeps, job: Job, req: HubRequest): Promise<void> {
  const model = deps.models.get(job.modelId)!;
  const { files } = model.manifest;
  const result = await deps.prover.prove({
    wasm: join(model.dir, files.wasm),
    zkey: join(model.dir, files.zkey),
    witnessInput: { [INPUT_SIGNAL]: req.input.map(String) },
  });
  const expected = [...fromJson<bigint[]>(job.outputJson!), ...req.input];
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

async function settle(deps: JobDeps, job: Job, req: HubRequest): Promise<void> {
  setState(deps, job, "settling");
  const output = fromJson<bigint[]>(job.outputJson!);
  const outcome = await deps.sender.send(
    {
      address: deps.hub,
      abi: deps.abi,
      functionName: "settle",
      args: [job.requestId, req, output, job.proofBytes],
      label: "settle",
    },
    (hash) => deps.store.updateJob(job.requestId, { settleTx: hash }),
  );
  if ("dryRun" in outcome) return;
  const now = Date.now();
  deps.metrics.commitToSettle.observe((now - (job.committedAt ?? now)) / 1000);
  deps.metrics.earnings.inc(Number(req.modelFee));
  setState(deps, job, "settled", {
    settledAt: now,
    settleGas: outcome.receipt.gasUsed.toString(),
    lastBlock: Number(outcome.receipt.blockNumber),
  });
}

/** Returns the escrow of a request we rejected once its commit deadline has passed (its on-chain outcome). */
async function refundRejected(deps: JobDeps, job: Job, req: HubRequest, state: ChainState): Promise<void> {
  if (state.status === RequestStatus.Refunded) return setState(deps, job, "refunded");
  if (state.status !== RequestStatus.Requested)
    return setState(deps, job, "lost", { error: "handled by another node" });
  if ((await chainNow(deps)) <= state.deadline) return;
  await deps.sender.send({
    address: deps.hub,
    abi: deps.abi,
    functionName: "refund",
    args: [job.requestId, req],
    label: "refund",
  });
  deps.log.info({ requestId: job.requestId }, "refunded a rejected request after its commit deadline");
}

/**
 * Moves one job forward by reconciling the store with the chain: the chain's `requestState` decides,
 * so a restart, a reorg or a competing relayer is handled by the same code path. Idempotent.
 */
export async function processJob(deps: JobDeps, job: Job): Promise<void> {
  const req = fromJson<HubRequest>(job.requestJson);
  const state = await readState(deps, job.requestId);
  const us = deps.sender.address.toLowerCase();
  const ours = state.node.toLowerCase() === us;
  try {
    if (job.state === "rejected") return await refundRejected(deps, job, req, state);
    switch (state.status) {
      case RequestStatus.None:
        return; // not (or no longer) on the canonical chain: wait for the watcher
      case RequestStatus.Requested:
        if (job.state !== "seen" && job.state !== "committing") {
          deps.log.warn(
            { requestId: job.requestId, was: job.state },
            "our commitment is no longer on chain: re-committing",
          );
          setState(deps, job, "seen", { proofBytes: null, commitTx: null });
        }
        if ((await chainNow(deps)) > state.deadline)
          return setState(deps, job, "expired", { error: "commit deadline passed" });
        return await commit(deps, job, req);
      case RequestStatus.Committed:
        if (!ours)
          return setState(deps, job, "lost", {
            error: `committed by ${state.node}`,
            lastBlock: await headNumber(deps),
          });
        if (!job.outputJson) throw new RelayerError("chain shows our commitment but the store has no output");
        if ((await chainNow(deps)) > state.deadline)
          return setState(deps, job, "expired", { error: "proof deadline passed" });
        if (job.state === "seen" || job.state === "committing") setState(deps, job, "committed");
        if (!job.proofBytes) await prove(deps, job, req);
        return await settle(deps, job, req);
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
    throw error;
  }
}
