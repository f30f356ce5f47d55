/**
 * Deploys the protocol with Hardhat Ignition and writes `deployments/<chainId>.json` for the SDK and the
 * relayer. Governance is the deployer; hand it over afterwards (two-step `transferOwnership`).
 *
 *   npx hardhat run scripts/deploy.ts --network sepolia        # parameters: deploy/parameters/testnet.json
 *   OPG_DEPLOY_PARAMETERS=my.json npx hardhat run scripts/deploy.ts --network baseSepolia
 *
 * Then verify each contract: `npx hardhat ignition verify chain-<chainId>` or `npx hardhat verify`.
 */
import { join } from "node:path";
import { network } from "hardhat";
import { deployProtocolWithIgnition, type IgnitionConnection } from "../deploy/ignitionDeployment.ts";

const PARAMETERS =
  process.env.OPG_DEPLOY_PARAMETERS ?? join(import.meta.dirname, "..", "deploy", "parameters", "testnet.json");

const connection = await network.connect();
const { deployment, file } = await deployProtocolWithIgnition(connection as unknown as IgnitionConnection, {
  parameters: PARAMETERS,
});
console.log(`deployed on chain ${deployment.chainId}: hub ${deployment.hub}; wrote ${file}`);
await connection.close();
