/**
 * Relayer benchmark: commitment latency (request mined → commitment sent) p50/p99, requests committed
 * per second, and proofs per minute of the relayer's prover pool beside a raw snarkjs.groth16.fullProve
 * loop at the same concurrency, measured in the same run. Usage:
 *   npx tsx scripts/bench-relayer.ts [--requests 40] [--proofs 12] [--concurrency 1] [--model demo]
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as snarkjs from "snarkjs";
import type { Hex } from "viem";
import { createLogger } from "../relayer/common/logger.ts";
import { startLocalChain } from "../relayer/dev/localChain.ts";
import {
  ensureCompiledModel,
  localClients,
  localRelayerConfig,
  provisionLocalNetwork,
} from "../relayer/dev/localNetwork.ts";
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
  },
});
const REQUESTS = Number(values.requests);
const PROOFS = Number(values.proofs);
const CONCURRENCY = Number(values.concurrency);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function commitLatency(modelDir: string) {
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
    const lastCommit = Math.max(...jobs.map((j) => j.committedAt!));
    store.close();
    await relayer.stop();
    await model.close();
    return {
      p50: pct(latencies, 50),
      p99: pct(latencies, 99),
      perSecond: jobs.length / ((lastCommit - started) / 1000),
      committed: jobs.length,
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
const latency = await commitLatency(modelDir);
const proofs = await proofThroughput(modelDir);
console.log(`model: ${values.model} (${modelDir})`);
console.log(
  `commitment latency (request mined → commitment sent), ${latency.committed} requests: p50 ${latency.p50} ms, p99 ${latency.p99} ms`,
);
console.log(`requests committed per second (sequential requester, proving alongside): ${latency.perSecond.toFixed(1)}`);
console.log(
  `proofs per minute at concurrency ${CONCURRENCY}: relayer pool ${proofs.poolPerMin.toFixed(1)} vs raw snarkjs loop ${proofs.rawPerMin.toFixed(1)} (ratio ${(proofs.poolPerMin / proofs.rawPerMin).toFixed(2)}×)`,
);
process.exit(0);
