/**
 * Relayer benchmark, each figure for the batching relayer (default config) beside the same relayer with
 * batching off (`batch.maxCommitItems/maxSettleItems: 1`, no WebSocket: the pre-batching behaviour), in
 * the same run:
 * - sequential requests (one per block, the requester waits for each): commitment latency (request
 *   mined → the node accepted the commitment's transaction) p50/p99 and commitments per second;
 * - bursts (`--bursts`, each mined in one block, as a busy chain includes them): commitment latency,
 *   commitments/s, settled inferences/min, gas per commitment and per settlement (receipts' gasUsed ÷ items)
 *   and transactions sent;
 * - proofs per minute of the relayer's prover pool beside a raw snarkjs.groth16.fullProve loop.
 * Usage:
 *   npx tsx scripts/bench-relayer.ts [--requests 40] [--bursts 32,256] [--proofs 12] [--concurrency 1]
 *     [--model demo] [--no-batch]   (--no-batch: the baseline only)
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

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "40" },
    proofs: { type: "string", default: "12" },
    concurrency: { type: "string", default: "1" },
    model: { type: "string", default: "demo" },
    bursts: { type: "string", default: "32,256" },
    "no-batch": { type: "boolean", default: false },
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
    const relayer = await startRelayer(config, createLogger("silent"));
    const requester = localClients(chain.url, dep.chainId, dep.keys.requester, { pollingInterval: 20 });
    await approve(requester, { hub: dep.hub, token: dep.token, amount: 2n ** 255n });
    const mined = new Map<Hex, number>();
    const started = Date.now();
    for (let i = 0; i < REQUESTS; i++) {
      const input = Array.from(
        { length: model.manifest.publicSignals.input.values },
        (_, j) => Math.sin(i * 7 + j) * 0.9,
      );
      const { requestId } = await request(requester, {
        hub: dep.hub,
        modelId: BigInt(dep.modelId),
        input: model.packInput(model.quantizeInput(input)),
        // A fixed ceiling skips the quote read, so the loop sends back to back.
        maxTotalFee: 2n ** 96n,
      });
      mined.set(requestId, Date.now());
    }
    const store = openStore(join(dataDir, "relayer.sqlite"));
    const deadline = Date.now() + 600_000;
    while (store.allJobs().filter((j) => j.committedAt).length < REQUESTS && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const jobs = store.allJobs().filter((j) => j.committedAt);
    const latencies = jobs.map((j) => j.committedAt! - mined.get(j.requestId)!);
    // Where it goes: mined → the relayer's row for it (log seen), row → commitment accepted.
    const seen = jobs.map((j) => j.seenAt - mined.get(j.requestId)!);
    const toSend = jobs.map((j) => j.committedAt! - j.seenAt);
    const lastCommit = Math.max(...jobs.map((j) => j.committedAt!));
    store.close();
    await relayer.stop();
    await model.close();
    return {
      p50: pct(latencies, 50),
      p99: pct(latencies, 99),
      seenP50: pct(seen, 50),
      toSendP50: pct(toSend, 50),
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
console.log(
  `sequential requests (${REQUESTS}, one per block; latency: request mined → commitment's transaction accepted)`,
);
console.log("| relayer | p50 ms | p99 ms | mined → seen p50 ms | seen → sent p50 ms | commitments/s |");
console.log("|---|---|---|---|---|---|");
for (const mode of MODES) {
  const latency = await commitLatency(modelDir, mode.config);
  console.log(
    `| ${mode.name} | ${latency.p50} | ${latency.p99} | ${latency.seenP50} | ${latency.toSendP50} | ${latency.perSecond.toFixed(1)} |`,
  );
}
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
const proofs = await proofThroughput(modelDir);
console.log("");
console.log(
  `proofs per minute at concurrency ${CONCURRENCY}: relayer pool ${proofs.poolPerMin.toFixed(1)} vs raw snarkjs loop ${proofs.rawPerMin.toFixed(1)} (ratio ${(proofs.poolPerMin / proofs.rawPerMin).toFixed(2)}×)`,
);
process.exit(0);
