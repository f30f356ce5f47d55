import { ignitionModule } from "../ignitionPlan.ts";
import { PROTOCOL_PLAN } from "../protocolPlan.ts";

/**
 * Hardhat Ignition module for the protocol, built from `PROTOCOL_PLAN` (deploy/protocolPlan.ts) like
 * `deployProtocol`: OPGToken, ModelRegistry, NodeStaking, InferenceHub, EnclaveRegistry, then
 * `NodeStaking.setHub(hub)` (never the local chain's INSECURE dev attestation adapter; attestation adapters for a real
 * network come from `./AutomataNitroAdapter.ts`). The deployer owns the three governance surfaces (transfer them
 * with the two-step `transferOwnership`/`acceptOwnership` afterwards). Parameters, all optional with the development defaults of `DEFAULT_PROTOCOL_PARAMS`:
 * `tokenRecipient` (default the deployer), `minStake`, `unbondDelay`, each `HubParams` field by its name,
 * `maxAttestationAge` and `keyTtl` (seconds).
 *
 * Usage: `npx hardhat ignition deploy deploy/modules/Protocol.ts --network sepolia --parameters params.json`
 */
export default ignitionModule(PROTOCOL_PLAN);
