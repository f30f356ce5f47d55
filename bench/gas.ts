/**
 * Gas per InferenceHub operation on the in-process Hardhat network, with the real test-circuit verifier
 * (3 public signals) and its committed fixture proof. Prints a Markdown table of each operation's first
 * call on a fresh deployment (cold) and its steady state (warm), then how the figures compare with the
 * committed snapshot, `gas-snapshot.json`.
 *
 *   npm run bench:gas      the table; fails when an operation's warm gas is over its budget
 *   npm run gas:check      also fails when an operation rises above the snapshot by more than the tolerance
 *   npm run gas:snapshot   rewrites the snapshot from this run
 *
 * Each runs `hardhat build --quiet && tsx bench/gas.ts [--check | --write]`. Operations and budgets are
 * declared in `bench/gas/hubGasScenarios.ts`.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { deployTestProtocol } from "../deploy/testProtocol.ts";
import {
  compareGasSnapshot,
  formatGasDiff,
  type GasFigureSet,
  readGasSnapshot,
  writeGasSnapshot,
} from "./gas/gasSnapshot.ts";
import { type GasOperation, HUB_GAS_SCENARIOS } from "./gas/hubGasScenarios.ts";
import { measureGas, overBudget } from "./gas/measureGas.ts";

const SNAPSHOT_PATH = join(import.meta.dirname, "..", "gas-snapshot.json");
const SNAPSHOT_NAME = "gas-snapshot.json";

const gas = (n: number) => n.toLocaleString("en-US");

function table(operations: readonly GasOperation[], figures: GasFigureSet): string[] {
  const rows = ["| operation | cold | warm | budget (warm) |", "|---|---:|---:|---:|"];
  for (const { name, detail, budget } of operations) {
    const { cold, warm } = figures[name] ?? { cold: 0, warm: 0 };
    const verdict = budget === undefined ? "–" : `≤ ${gas(budget)} ${warm <= budget ? "✓" : "✗"}`;
    rows.push(`| ${name} (${detail}) | ${gas(cold)} | ${gas(warm)} | ${verdict} |`);
  }
  return rows;
}

/** Prints the comparison with the snapshot; returns whether it fails the check. */
function reportSnapshot(figures: GasFigureSet): boolean {
  const recorded = readGasSnapshot(SNAPSHOT_PATH);
  if (!recorded) {
    console.log(`\nno ${SNAPSHOT_NAME} yet: \`npm run gas:snapshot\` writes it`);
    return true;
  }
  const { diffs, failed } = compareGasSnapshot(recorded, figures);
  const lines = formatGasDiff(diffs);
  console.log(`\n${SNAPSHOT_NAME}: ${lines.length === 0 ? "every figure matches" : "differences"}`);
  for (const line of lines) console.log(line);
  if (failed) console.log(`update it with \`npm run gas:snapshot\` if the change is intended, and commit it`);
  else if (diffs.some((d) => d.status === "drop")) console.log("gas went down: `npm run gas:snapshot` records it");
  return failed;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { check: { type: "boolean" }, write: { type: "boolean" } } });
  const operations = HUB_GAS_SCENARIOS.flatMap((s) => s.operations);
  const figures = await measureGas(HUB_GAS_SCENARIOS, deployTestProtocol);

  for (const row of table(operations, figures)) console.log(row);
  let failed = false;
  if (values.write) {
    writeGasSnapshot(SNAPSHOT_PATH, figures);
    console.log(`\nwrote ${SNAPSHOT_NAME}`);
  } else {
    failed = reportSnapshot(figures) && values.check === true;
  }
  for (const op of overBudget(operations, figures)) {
    console.log(
      `✗ ${op.name}: warm ${gas(figures[op.name]?.warm ?? 0)} gas is over its budget of ${gas(op.budget ?? 0)}`,
    );
    failed = true;
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();
