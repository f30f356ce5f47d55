import type { ProveResult } from "./proveInWorker.ts";

/** One circuit's measurements in the benchmark. */
export interface BenchSide {
  constraints?: number;
  /** Non-zero terms of A, B, C: what Groth16 setup and the prover's QAP step scale with. */
  terms?: number;
  setupSeconds?: number;
  setupNote?: string;
  prove?: ProveResult & { medianSeconds: number; minSeconds: number; loadAverage: number };
  /** snarkjs public signals (outputs ++ inputs). */
  publicSignals?: number;
  /** Runtime bytecode of the generated Solidity verifier (EIP-170 caps deployed code at 24,576 bytes). */
  verifierBytes?: number;
  /** eth_estimateGas of a verifyProof call with a real proof (includes the 21k transaction base). */
  verifyGas?: number;
}

/** Targets of the model-compiler benchmark (baseline ÷ compiler, and accuracy). */
export const BENCH_TARGETS = { constraintRatio: 10, proveRatio: 5, maxDisagreement: 0.005 } as const;

const fmt = (v: number | undefined, digits = 2) => (v === undefined ? "—" : v.toFixed(digits));
const ratio = (a?: number, b?: number) => (a && b ? b / a : undefined);

type Metric = [label: string, pick: (s: BenchSide) => number | undefined, digits: number];

const METRICS: Metric[] = [
  ["constraints", (s) => s.constraints, 0],
  ["R1CS non-zero terms (A+B+C)", (s) => s.terms, 0],
  ["setup (s)", (s) => s.setupSeconds, 1],
  ["proving, median (s)", (s) => s.prove?.medianSeconds, 2],
  ["proving, best (s)", (s) => s.prove?.minSeconds, 2],
  ["prover peak memory, VmHWM (MiB)", (s) => s.prove?.vmHwmMiB, 0],
  ["public signals", (s) => s.publicSignals, 0],
  ["Solidity verifier runtime bytecode (bytes)", (s) => s.verifierBytes, 0],
  ["verifyProof gas (eth_estimateGas)", (s) => s.verifyGas, 0],
];

/**
 * Markdown table: one column per compiler-side circuit, the baseline, and baseline ÷ each
 * compiler-side circuit (higher is better for the compiler).
 */
export function benchTable(columns: { title: string; side: BenchSide }[], baseline: BenchSide): string {
  const head = [
    "metric",
    ...columns.map((c) => c.title),
    "baseline (private weights)",
    ...columns.map((c) => `baseline ÷ ${c.title}`),
  ];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  for (const [label, pick, digits] of METRICS) {
    const cells = [
      label,
      ...columns.map((c) => fmt(pick(c.side), digits)),
      fmt(pick(baseline), digits),
      ...columns.map((c) => fmt(ratio(pick(c.side), pick(baseline)), 1)),
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** One line per target: met or not, for the compiler's circuit as shipped. */
export function targetLine(compiled: BenchSide, baseline: BenchSide, disagreement: number): string {
  const verdict = (v: number | undefined, ok: (v: number) => boolean) =>
    v === undefined ? "n/a" : ok(v) ? "MET" : "NOT MET";
  const c = ratio(compiled.constraints, baseline.constraints);
  const p = ratio(compiled.prove?.medianSeconds, baseline.prove?.medianSeconds);
  return (
    `targets (compiler as shipped): constraints ≥${BENCH_TARGETS.constraintRatio}× ${verdict(c, (v) => v >= BENCH_TARGETS.constraintRatio)} (${fmt(c, 1)}×), ` +
    `proving ≥${BENCH_TARGETS.proveRatio}× ${verdict(p, (v) => v >= BENCH_TARGETS.proveRatio)} (${fmt(p, 1)}×), ` +
    `argmax disagreement ≤${BENCH_TARGETS.maxDisagreement * 100}% ${verdict(disagreement, (v) => v <= BENCH_TARGETS.maxDisagreement)}`
  );
}

/** Median and best of the proof times, with the 1-minute load average (the machine is shared). */
export function summarizeProofs(prove: ProveResult, loadAverage: number): NonNullable<BenchSide["prove"]> {
  const sorted = [...prove.proveSeconds].sort((a, b) => a - b);
  const m = Math.floor(sorted.length / 2);
  const medianSeconds = sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
  return { ...prove, medianSeconds, minSeconds: sorted[0]!, loadAverage };
}
