/** Deployment helpers shared by tests, the relayer's local chain, the CLI and demo scripts. */
export { type ContractArtifact, PROTOCOL_SOURCES, type ProtocolContractName, readArtifact } from "./artifacts.ts";
export { type DeployClients, deployArtifact, deployPlan, type PlanDeployment } from "./deployPlan.ts";
export { deployProtocol, type HubParams, type ProtocolDeployment } from "./deployProtocol.ts";
export {
  deployBatchVerifier,
  deployGroth16Verifier,
  deployTestCircuitVerifier,
  type VerifierArtifact,
  type VerifierDeployment,
} from "./deployVerifier.ts";
export {
  DEFAULT_PROTOCOL_PARAMS,
  DEPLOYER,
  type DeployPlan,
  GOVERNANCE,
  OPG,
  type PlanArg,
  type PlanCall,
  PROTOCOL_PLAN,
  type ProtocolParams,
} from "./protocolPlan.ts";
export { type ModelVerifier, type RegisteredModel, registerCompiledModel, registerModel } from "./registerModel.ts";
