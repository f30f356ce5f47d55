import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { DEFAULT_PROTOCOL_PARAMS } from "../deployProtocol.ts";

const DEFAULTS = DEFAULT_PROTOCOL_PARAMS;

/**
 * Hardhat Ignition module for the protocol: OPGToken, ModelRegistry, NodeStaking, InferenceHub, then
 * `NodeStaking.setHub(hub)`. The deployer owns both governance surfaces (transfer them with the two-step
 * `transferOwnership`/`acceptOwnership` afterwards). Parameters (all optional, development defaults):
 * `tokenRecipient`, `minStake`, `unbondDelay`, `baseSettlementFee`, `settlementFeeBps`, `slashCompensationBps`,
 * `commitWindow`, `proofWindow`, `maxCallbackGas`, `requestBond`, `slashRemainderRecipient`.
 *
 * Usage: `npx hardhat ignition deploy deploy/modules/Protocol.ts --network sepolia --parameters params.json`
 */
export default buildModule("Protocol", (m) => {
  const deployer = m.getAccount(0);
  const token = m.contract("OPGToken", [m.getParameter("tokenRecipient", deployer)]);
  const registry = m.contract("ModelRegistry", []);
  const staking = m.contract("NodeStaking", [
    token,
    registry,
    deployer,
    m.getParameter("minStake", DEFAULTS.minStake),
    m.getParameter("unbondDelay", DEFAULTS.unbondDelay),
  ]);
  const hubParams = {
    baseSettlementFee: m.getParameter("baseSettlementFee", DEFAULTS.hub.baseSettlementFee),
    settlementFeeBps: m.getParameter("settlementFeeBps", DEFAULTS.hub.settlementFeeBps),
    slashCompensationBps: m.getParameter("slashCompensationBps", DEFAULTS.hub.slashCompensationBps),
    commitWindow: m.getParameter("commitWindow", DEFAULTS.hub.commitWindow),
    proofWindow: m.getParameter("proofWindow", DEFAULTS.hub.proofWindow),
    maxCallbackGas: m.getParameter("maxCallbackGas", DEFAULTS.hub.maxCallbackGas),
    requestBond: m.getParameter("requestBond", DEFAULTS.hub.requestBond),
    slashRemainderRecipient: m.getParameter("slashRemainderRecipient", DEFAULTS.hub.slashRemainderRecipient),
  };
  const hub = m.contract("InferenceHub", [token, registry, staking, deployer, hubParams]);
  m.call(staking, "setHub", [hub]);
  return { token, registry, staking, hub };
});
