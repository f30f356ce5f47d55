import type { TestProtocol } from "../../deploy/testProtocol.ts";
import type { GasFigureSet, GasFigures } from "./gasSnapshot.ts";
import type { GasOperation, GasScenario } from "./hubGasScenarios.ts";

/**
 * Runs each scenario on its own fresh deployment and returns the cold (first) and warm (last) gas of every
 * operation the scenarios declare, in declaration order. A scenario that records an operation it did not
 * declare, or leaves one unrecorded, is a bug in the bench and throws.
 */
export async function measureGas(
  scenarios: readonly GasScenario[],
  deploy: () => Promise<TestProtocol>,
): Promise<GasFigureSet> {
  const figures: Record<string, GasFigures> = {};
  for (const scenario of scenarios) {
    const calls = new Map<string, bigint[]>(scenario.operations.map((op) => [op.name, []]));
    const protocol = await deploy();
    try {
      await scenario.run(protocol, (operation, gas) => {
        const recorded = calls.get(operation);
        if (!recorded) throw new Error(`scenario ${scenario.name} recorded undeclared operation "${operation}"`);
        recorded.push(gas);
      });
    } finally {
      await protocol.connection.close();
    }
    for (const [operation, gas] of calls) {
      if (figures[operation]) throw new Error(`operation "${operation}" is declared by two scenarios`);
      const cold = gas[0];
      const warm = gas[gas.length - 1];
      if (cold === undefined || warm === undefined) {
        throw new Error(`scenario ${scenario.name} never recorded "${operation}"`);
      }
      figures[operation] = { cold: Number(cold), warm: Number(warm) };
    }
  }
  return figures;
}

/** Operations over their budget (warm gas above it). */
export function overBudget(operations: readonly GasOperation[], figures: GasFigureSet): GasOperation[] {
  return operations.filter((op) => op.budget !== undefined && (figures[op.name]?.warm ?? 0) > op.budget);
}
