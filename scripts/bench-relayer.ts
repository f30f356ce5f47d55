/**
 * Relayer benchmark, each figure for the batching relayer (default config) beside the same relayer with
 * batching off (`batch.maxCommitItems/maxSettleItems: 1`, no WebSocket: the pre-batching behaviour), in
 * the same run:
 * - sequential requests (one per block, the requester waits for each): commitment latency (request
 *   mined → the commitment's transaction signed and persisted, and → the node accepted it) p50/p99,
 *   commitments per second, and where the time goes (detection, preparation, pre-flight, broadcast) from a
 *   trace of the relayer's JSON-RPC calls (`scripts/benchRelayer/commitTrace.ts`); `--isolate` sends each
 *   request only once the one before is settled, so no proving or settling overlaps a commitment;
 * - bursts (`--bursts`, each mined in one block, as a busy chain includes them): commitment latency,
 *   commitments/s, settled inferences/min, gas per commitment and per settlement (receipts' gasUsed ÷ items)
 *   and transactions sent;
 * - proofs per minute of the relayer's prover pool beside a raw snarkjs.groth16.fullProve loop.
 * Usage:
 *   npx tsx scripts/bench-relayer.ts [--requests 40] [--bursts 32,256] [--proofs 12] [--concurrency 1]
 *     [--model demo] [--no-batch] [--isolate]   (--no-batch: the baseline only; --bursts '' and --proofs 0
 *     skip those parts)
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as snarkjs from "snarkjs";
import { type Hex, parseEventLogs } from "viem";
import { inferenceHubWithErrorsAbi } from "../abi/index.ts";
import type { RelayerConfigInput } from "../relayer/common/config.ts";
import { createLogger } from "../relayer/common/logger.ts";
import { startLocalChain } from "../relayer/dev/localChain.ts";
import {
  ensureCompiledModel,
  localClients,
  localRelayerConfig,
  provisionLocalNetwork,
} from "../relayer/dev/localNetwork.ts";
import { sendRequestBurst } from "../relayer/dev/requestBurst.ts";
import { createProverPool } from "../relayer/prover/proverPool.ts";
import { startRelayer } from "../relayer/relayer.ts";
import { openStore } from "../relayer/store/store.ts";
import { approve, request } from "../sdk/index.ts";
import { loadCompiledModel, releaseProverThreads, witnessInput } from "../zkml/index.ts";
import {
  acceptedAt,
  type CommitStages,
  commitStages,
  type RpcCall,
  tracedClients,
} from "./benchRelayer/commitTrace.ts";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "40" },
    proofs: { type: "string", default: "12" },
    concurrency: { type: "string", default: "1" },
    model: { type: "string", default: "demo" },
    bursts: { type: "string", default: "32,256" },
    "no-batch": { type: "boolean", default: false },
    isolate: { type: "boolean", default: false },
  },
});
const BURSTS = values.bursts!.split(",").filter(Boolean).map(Number);

/** The two relayer configurations compared. */
const MODES: { name: string; config: Partial<RelayerConfigInput> }[] = [
  { name: "single (baseline)", config: { batch: { maxCommitItems: 1, maxSettleItems: 1 }, wsUrl: false } },
  ...(values["no-batch"] ? [] : [{ name: "batched", config: {} }]),
];
const REQUESTS = Number(values.requests);
const PROOFS = Number(values.proofs);
const CONCURRENCY = Number(values.concurrency);
/** How often `--isolate` reads the store while it waits for a settlement. */
const ISOLATE_POLL_MS = 10;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function commitLatency(modelDir: string, mode: Partial<RelayerConfigInput>) {
  const chain = await startLocalChain();
  try {
    const dep = await provisionLocalNetwork({ rpcUrl: chain.url, modelDir });
    const model = await loadCompiledModel(modelDir, { executionProvider: "cpu" });
    const dataDir = mkdtempSync(join(tmpdir(), "opg-bench-"));
    const config = localRelayerConfig(dep, {
      pollIntervalMs: 50,
      dataDir,
      metrics: { host: "127.0.0.1", port: 0, enabled: false },
      executionProvider: "cpu",
      proverConcurrency: CONCURRENCY,
      logLevel: "silent",
      ...mode,
    });
    const relayerTrace: RpcCall[] = [];
    const requesterTrace: RpcCall[] = [];
    const relayerClients = tracedClients(chain.url, dep.chainId, dep.keys.node, relayerTrace, config.pollIntervalMs);
    const relayer = await startRelayer(config, createLogger("silent"), relayerClients);
    const requester = tracedClients(chain.url, dep.chainId, dep.keys.requester, requesterTrace, 20);
    await approve(requester, { hub: dep.hub, token: dep.token, amount: 2n ** 255n });
    const store = openStore(join(dataDir, "relayer.sqlite"));
    const mined = new Map<Hex, number>();
    const started = Date.now();
    for (let i = 0; i < REQUESTS; i++) {
      const input = Array.from(
        { length: model.manifest.publicSignals.input.values },
        (_, j) => Math.sin(i * 7 + j) * 0.9,
      );
      const { requestId, hash } = await request(requester, {
        hub: dep.hub,
        modelId: BigInt(dep.modelId),
        input: model.packInput(model.quantizeInput(input)),
        // A fixed ceiling skips the quote read, so the loop sends back to back.
        maxTotalFee: 2n ** 96n,
      });
      // With automine the block is mined when the node answers the broadcast.
      mined.set(requestId, acceptedAt(requesterTrace, hash)!.end);
      while (values.isolate && store.getJob(requestId)?.state !== "settled") {
        await new Promise((r) => setTimeout(r, ISOLATE_POLL_MS));
      }
    }
    const deadline = Date.now() + 600_000;
    while (store.allJobs().filter((j) => j.committedAt).length < REQUESTS && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const jobs = store.allJobs().filter((j) => j.committedAt);
    const stages = commitStages(jobs, mined, relayerTrace);
    const lastCommit = Math.max(...jobs.map((j) => j.committedAt!));
    store.close();
    await relayer.stop();
    await model.close();
    const p50 = (key: Exclude<keyof CommitStages, "calls">) =>
      pct(stages.map((s) => s[key]).filter(Number.isFinite), 50);
    const calls = new Map<string, number[]>();
    for (const s of stages) for (const [m, n] of Object.entries(s.calls)) calls.set(m, [...(calls.get(m) ?? []), n]);
    const signed = stages.map((s) => s.signed);
    const accepted = stages.map((s) => s.accepted);
    return {
      p50: pct(signed, 50),
      p99: pct(signed, 99),
      acceptedP50: pct(accepted, 50),
      acceptedP99: pct(accepted, 99),
      stages: { detect: p50("detect"), prepare: p50("prepare"), preflight: p50("preflight"), send: p50("send") },
      calls: [...calls].map(([m, ns]) => `${m} ${pct(ns, 50)}`).join(", "),
      perSecond: jobs.length / ((lastCommit - started) / 1000),
      committed: jobs.length,
    };
  } finally {
    await chain.stop();
  }
}

/** Gas per item and transactions, over the transactions that emitted `eventName` for `ids`. */
async function gasPerItem(
  publicClient: ReturnType<typeof localClients>["publicClient"],
  hub: Hex,
  ids: readonly Hex[],
  eventName: "Committed" | "Settled",
) {
  const logs = await publicClient.getLogs({ address: hub, fromBlock: 0n });
  const wanted = new Set(ids);
  const events = parseEventLogs({ abi: inferenceHubWithErrorsAbi, logs, eventName }).filter((l) =>
    wanted.has(l.args.requestId),
  );
  const txs = [...new Set(events.map((l) => l.transactionHash))];
  let gas = 0n;
  for (const hash of txs) gas += (await publicClient.getTransactionReceipt({ hash })).gasUsed;
  return { perItem: Number(gas / BigInt(events.length)), txs: txs.length };
}

async function burst(modelDir: string, size: number, mode: Partial<RelayerConfigInput>) {
  const chain = await startLocalChain();
  try {
    const dep = await provisionLocalNetwork({ rpcUrl: chain.url, modelDir });
    const model = await loadCompiledModel(modelDir, { executionProvider: "cpu" });
    const dataDir = mkdtempSync(join(tmpdir(), "opg-bench-"));
    const config = localRelayerConfig(dep, {
      pollIntervalMs: 50,
      dataDir,
      metrics: { host: "127.0.0.1", port: 0, enabled: false },
      executionProvider: "cpu",
      proverConcurrency: CONCURRENCY,
      logLevel: "silent",
      ...mode,
    });
    const relayer = await startRelayer(config, createLogger("silent"));
    const requester = localClients(chain.url, dep.chainId, dep.keys.requester, { pollingInterval: 20 });
    await approve(requester, { hub: dep.hub, token: dep.token, amount: 2n ** 255n });
    const inputs = Array.from({ length: size }, (_, i) =>
      model.packInput(
        model.quantizeInput(
          Array.from({ length: model.manifest.publicSignals.input.values }, (_, j) => Math.sin(i * 7 + j) * 0.9),
        ),
      ),
    );
    const { ids, minedAt } = await sendRequestBurst({
      clients: requester,
      hub: dep.hub,
      modelId: BigInt(dep.modelId),
      inputs,
    });
    const store = openStore(join(dataDir, "relayer.sqlite"));
    const deadline = Date.now() + 1_200_000;
    const settledCount = () => store.jobsInStates(["settled"]).length;
    while (settledCount() < size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const jobs = store.allJobs().filter((j) => ids.includes(j.requestId));
    store.close();
    await relayer.stop();
    await model.close();
    const latencies = jobs.map((j) => j.committedAt! - minedAt);
    const lastCommit = Math.max(...jobs.map((j) => j.committedAt!));
    const lastSettle = Math.max(...jobs.map((j) => j.settledAt!));
    const commits = await gasPerItem(requester.publicClient, dep.hub, ids, "Committed");
    const settles = await gasPerItem(requester.publicClient, dep.hub, ids, "Settled");
    return {
      size,
      p50: pct(latencies, 50),
      p99: pct(latencies, 99),
      commitsPerSecond: size / (Math.max(1, lastCommit - minedAt) / 1000),
      settledPerMinute: (size / (lastSettle - minedAt)) * 60_000,
      commits,
      settles,
    };
  } finally {
    await chain.stop();
  }
}

async function proofThroughput(modelDir: string) {
  const model = await loadCompiledModel(modelDir, { executionProvider: "cpu" });
  const wasm = join(model.dir, model.manifest.files.wasm);
  const zkey = join(model.dir, model.manifest.files.zkey);
  const inputs = Array.from({ length: PROOFS }, (_, i) => {
    const x = Array.from({ length: model.manifest.publicSignals.input.values }, (_, j) => Math.cos(i * 3 + j) * 0.8);
    return witnessInput(model.packInput(model.quantizeInput(x)));
  });
  await model.close();

  // Baseline: snarkjs in this process, CONCURRENCY proofs in flight at a time (warmed up like the pool).
  await snarkjs.groth16.fullProve(inputs[0]!, wasm, zkey);
  let t = performance.now();
  for (let i = 0; i < inputs.length; i += CONCURRENCY) {
    await Promise.all(inputs.slice(i, i + CONCURRENCY).map((input) => snarkjs.groth16.fullProve(input, wasm, zkey)));
  }
  const rawPerMin = (inputs.length / (performance.now() - t)) * 60_000;
  await releaseProverThreads();

  const pool = createProverPool(CONCURRENCY);
  await pool.prove({ wasm, zkey, witnessInput: inputs[0]! }); // start the worker processes (one-off cost)
  t = performance.now();
  await Promise.all(inputs.map((input) => pool.prove({ wasm, zkey, witnessInput: input })));
  const poolPerMin = (inputs.length / (performance.now() - t)) * 60_000;
  await pool.close();
  return { rawPerMin, poolPerMin };
}

const modelDir = await ensureCompiledModel(values.model!);
console.log(`model: ${values.model} (${modelDir}), prover concurrency ${CONCURRENCY}`);
console.log("");
const ms = (x: number) => x.toFixed(1);
console.log(
  `sequential requests (${REQUESTS}, one per block${values.isolate ? ", each sent once the one before is settled" : ""}; ` +
    "latency from the request's block mined: → commitment signed and persisted (committedAt), → accepted by the node)",
);
console.log("| relayer | signed p50 ms | signed p99 ms | accepted p50 ms | accepted p99 ms | commitments/s |");
console.log("|---|---|---|---|---|---|");
const breakdown: string[] = [];
for (const mode of MODES) {
  const l = await commitLatency(modelDir, mode.config);
  console.log(
    `| ${mode.name} | ${ms(l.p50)} | ${ms(l.p99)} | ${ms(l.acceptedP50)} | ${ms(l.acceptedP99)} | ${l.perSecond.toFixed(1)} |`,
  );
  const s = l.stages;
  breakdown.push(
    `| ${mode.name} | ${ms(s.detect)} | ${ms(s.prepare)} | ${ms(s.preflight)} | ${ms(s.send)} | ${l.calls} |`,
  );
}
console.log("");
console.log("where it goes (p50 of each stage, ms; RPC calls the relayer started per request, p50)");
console.log(
  "| relayer | mined → job row | row → pre-flight call | pre-flight → broadcast | broadcast (incl. automine) | calls |",
);
console.log("|---|---|---|---|---|---|");
for (const line of breakdown) console.log(line);
if (BURSTS.length > 0) {
  console.log("");
  console.log("bursts (each mined in one block)");
  console.log(
    "| relayer | burst | commit p50 ms | commit p99 ms | commitments/s | settled/min | gas/commitment | commit txs | gas/settlement | settle txs |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const size of BURSTS) {
    for (const mode of MODES) {
      const r = await burst(modelDir, size, mode.config);
      console.log(
        `| ${mode.name} | ${size} | ${r.p50} | ${r.p99} | ${r.commitsPerSecond.toFixed(1)} | ${r.settledPerMinute.toFixed(1)} | ${r.commits.perItem} | ${r.commits.txs} | ${r.settles.perItem} | ${r.settles.txs} |`,
      );
    }
  }
}
if (PROOFS > 0) {
  const proofs = await proofThroughput(modelDir);
  console.log("");
  console.log(
    `proofs per minute at concurrency ${CONCURRENCY}: relayer pool ${proofs.poolPerMin.toFixed(1)} vs raw snarkjs loop ${proofs.rawPerMin.toFixed(1)} (ratio ${(proofs.poolPerMin / proofs.rawPerMin).toFixed(2)}×)`,
  );
}
process.exit(0);
