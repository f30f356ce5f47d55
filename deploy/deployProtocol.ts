import { type DeployClients, deployPlan, type PlanDeployment } from "./deployPlan.ts";
import { DEFAULT_PROTOCOL_PARAMS, PROTOCOL_PLAN, type ProtocolParams } from "./protocolPlan.ts";

export type { HubParams } from "../abi/index.ts";
export { type DeployClients, deployArtifact } from "./deployPlan.ts";
export { DEFAULT_PROTOCOL_PARAMS, OPG, type ProtocolParams } from "./protocolPlan.ts";

/** Addresses of a deployed protocol, and the block of its first deployment (where log scans may start). */
export type ProtocolDeployment = PlanDeployment<typeof PROTOCOL_PLAN>;

/**
 * Deploys the protocol plan (`PROTOCOL_PLAN`: OPGToken, ModelRegistry, NodeStaking, InferenceHub, EnclaveRegistry,
 * then `NodeStaking.setHub`; on chain 31337 also the INSECURE dev attestation adapter, allowed by the enclave
 * registry) from Hardhat artifacts with viem and returns the addresses; staking and enclave-registry ownership are
 * offered to `params.governance` when it is not the deployer. Used by tests, the relayer's local chain and
 * demo scripts alike; testnets deploy the same plan with Ignition (`deploy/modules/Protocol.ts`).
 */
export async function deployProtocol({
  walletClient,
  publicClient,
  params = DEFAULT_PROTOCOL_PARAMS,
}: DeployClients & { params?: ProtocolParams }): Promise<ProtocolDeployment> {
  return deployPlan({ walletClient, publicClient }, PROTOCOL_PLAN, params);
}
