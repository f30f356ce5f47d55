/**
 * `npm run test:chaos`: the full chaos run (1,000 requests, 3 SIGKILLs, a reorg, RPC faults and a 10 s
 * outage) against two `opg relayer start` processes, reconciled from the chain. Prints the summary line
 * and the figures; exits 1 when the reconciliation found a problem.
 *
 *   npm run test:chaos -- [--requests N] [--kills K] [--seed S] [--timeout-min M]
 *   OPG_TEST_NODE=anvil npm run test:chaos      # against anvil instead of hardhat node
 */
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { runChaos } from "../../test/ts/chaos/runChaos.ts";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "1000" },
    kills: { type: "string", default: "3" },
    seed: { type: "string", default: "1205" },
    "timeout-min": { type: "string", default: "40" },
  },
});

const started = Date.now();
const report = await runChaos({
  requests: Number(values.requests),
  kills: Number(values.kills),
  minReorgDepth: 3,
  outageMs: 10_000,
  seed: Number(values.seed),
  settleTimeoutMs: Number(values["timeout-min"]) * 60_000,
  log: (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${line}`),
});
const r = report.reconciliation;
const mb = (b: number) => (b / 1024 / 1024).toFixed(2);
console.log(report.summary);
console.log(
  [
    `node: ${report.node}; machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; wall ${((Date.now() - started) / 60_000).toFixed(1)} min`,
    `outcomes: ${JSON.stringify(r.counts)}; by kind: ${JSON.stringify(r.byKind)}`,
    `commit latency (chain, Requested → Committed block): p50 ${r.commitLatencyS.p50} s, p99 ${r.commitLatencyS.p99} s`,
    `settled/min: ${report.settledPerMin.toFixed(1)} (${r.counts.settled} in ${(report.trafficMs / 60_000).toFixed(1)} min of traffic)`,
    `kills: ${report.kills}; restarts: ${report.restarts}; unexpected exits: ${report.crashes.length}`,
    `reorgs: ${JSON.stringify(report.reorgs)}`,
    `faults: ${JSON.stringify(report.faults)}`,
    `max relayer RSS (VmHWM): ${report.maxRelayerRssMb.toFixed(0)} MB; max prover worker RSS: ${report.maxProverRssMb.toFixed(0)} MB`,
    `timeline (settled: relayer RSS MB / store KB): ${report.timeline
      .map((t) => `${t.settled}: ${t.rssMb.join("+")} / ${t.storeBytes.map((b) => Math.round(b / 1024)).join("+")}`)
      .join("; ")}`,
    `store size: ${Object.entries(report.storeBytes)
      .map(([name, b]) => `${name} ${mb(b)} MB`)
      .join(", ")}`,
    `books: escrowed ${r.books.escrowed}, earned ${r.books.earned} (withdrawn ${r.books.withdrawn}), burned ${r.books.burned}, refunded ${r.books.refunded}, slash transfers ${r.books.slashTransfers}, hub balance ${r.books.hubBalance}`,
    `stores: ${JSON.stringify(r.stores)}`,
    `invalid proofs: ${r.invalidProofs}; problems: ${r.problems.length}`,
  ].join("\n"),
);
for (const p of r.problems.slice(0, 50)) console.log(`  problem: ${p}`);
process.exit(r.problems.length === 0 && report.crashes.length === 0 ? 0 : 1);
