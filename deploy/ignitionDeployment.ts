import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Address } from "viem";
import { type OpgDeployment, parseDeployment } from "../sdk/deployment.ts";
import ProtocolModule from "./modules/Protocol.ts";

/** Where deployment JSONs are written, one per chain: `deployments/<chainId>.json`. */
export const DEPLOYMENTS_DIR = join(import.meta.dirname, "..", "deployments");

/** What `ignition.deploy(ProtocolModule)` returns, as far as the deployment JSON needs it. */
type ProtocolContracts = Record<"token" | "registry" | "staking" | "hub", { address: Address }>;

/** The parts of a Hardhat network connection the deploy uses (`await network.connect()`). */
export type IgnitionConnection = {
  ignition: {
    deploy(
      module: typeof ProtocolModule,
      options?: { parameters?: Record<string, Record<string, unknown>> | string; deploymentId?: string },
    ): Promise<ProtocolContracts>;
  };
  viem: { getPublicClient(): Promise<{ getChainId(): Promise<number>; getBlockNumber(): Promise<bigint> }> };
};

/** The deployment JSON as written: numbers as decimal strings. */
export function serializeDeployment(deployment: OpgDeployment): string {
  const { startBlock, models, ...rest } = deployment;
  const json = {
    ...rest,
    startBlock: startBlock.toString(),
    models: models.map((m) => ({ ...m, modelId: m.modelId.toString() })),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/**
 * Deploys the protocol with the Ignition module (`deploy/modules/Protocol.ts`) on the connection's network
 * and writes `<outDir>/<chainId>.json`: addresses, chain id, start block and model ids, read by the SDK
 * (`createOpgClient({ deployment })`) and the relayer (`opg relayer start --deployment <file>`). Ignition
 * resumes a finished deployment without sending anything; the start block and models of an existing file
 * for the same hub are kept, so re-running is safe.
 */
export async function deployProtocolWithIgnition(
  connection: IgnitionConnection,
  opts: { parameters?: Record<string, Record<string, unknown>> | string; outDir?: string } = {},
): Promise<{ deployment: OpgDeployment; file: string }> {
  const publicClient = await connection.viem.getPublicClient();
  const [chainId, before] = await Promise.all([publicClient.getChainId(), publicClient.getBlockNumber()]);
  const { token, registry, staking, hub } = await connection.ignition.deploy(ProtocolModule, {
    parameters: opts.parameters,
  });
  const outDir = opts.outDir ?? DEPLOYMENTS_DIR;
  const file = join(outDir, `${chainId}.json`);
  const previous = existsSync(file) ? parseDeployment(JSON.parse(readFileSync(file, "utf8"))) : undefined;
  const same = previous?.hub.toLowerCase() === hub.address.toLowerCase() ? previous : undefined;
  const deployment = parseDeployment({
    chainId,
    hub: hub.address,
    token: token.address,
    registry: registry.address,
    staking: staking.address,
    // The block before the first deployment transaction: a safe lower bound for log scans.
    startBlock: (same?.startBlock ?? before).toString(),
    models: (same?.models ?? []).map((m) => ({ ...m, modelId: m.modelId.toString() })),
  });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(file, serializeDeployment(deployment));
  return { deployment, file };
}
