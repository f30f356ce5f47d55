/** Deployment helpers shared by tests, the relayer's local chain, the CLI and demo scripts. */
export { type ContractArtifact, PROTOCOL_SOURCES, type ProtocolContractName, readArtifact } from "./artifacts.ts";
export {
  DEFAULT_PROTOCOL_PARAMS,
  type DeployClients,
  deployArtifact,
  deployProtocol,
  type HubParams,
  OPG,
  type ProtocolDeployment,
  type ProtocolParams,
} from "./deployProtocol.ts";
export {
  deployGroth16Verifier,
  deployTestCircuitVerifier,
  type VerifierArtifact,
  type VerifierDeployment,
} from "./deployVerifier.ts";
export { type RegisteredModel, registerCompiledModel, registerModel } from "./registerModel.ts";
