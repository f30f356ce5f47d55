import { ignitionModule } from "../ignitionPlan.ts";
import { PROTOCOL_PLAN } from "../protocolPlan.ts";

/**
 * Hardhat Ignition module for the protocol, built from `PROTOCOL_PLAN` (deploy/protocolPlan.ts) like
 * `deployProtocol`: OPGToken, ModelRegistry, NodeStaking, InferenceHub, then `NodeStaking.setHub(hub)`. The
 * deployer owns both governance surfaces (transfer them with the two-step `transferOwnership`/`acceptOwnership`
 * afterwards). Parameters, all optional with the development defaults of `DEFAULT_PROTOCOL_PARAMS`:
 * `tokenRecipient` (default the deployer), `minStake`, `unbondDelay` and each `HubParams` field by its name.
 *
 * Usage: `npx hardhat ignition deploy deploy/modules/Protocol.ts --network sepolia --parameters params.json`
 */
export default ignitionModule(PROTOCOL_PLAN);
