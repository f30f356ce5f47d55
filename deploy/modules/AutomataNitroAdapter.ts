import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import ProtocolModule from "./Protocol.ts";

/**
 * Hardhat Ignition module: the protocol (`./Protocol.ts`), then an `AutomataNitroAdapter` over Automata's AWS Nitro
 * attestation verifier on this network, allowed by the enclave registry (the deployer still governs it there).
 * Parameter `automataNitroVerifier` (required), Automata's deployed verifier:
 * - Base: 0x5d1B5BEd5365942421afD473c121abEAc138A3E1
 * - Base Sepolia: 0x352D171d7c1A72704EE21544547A6B2d2eCf993d (in `deploy/parameters/testnet.json`)
 * Automata's verifier exists on those chains only; elsewhere the adapter's constructor refuses an address without code.
 *
 * Usage: `npx hardhat ignition deploy deploy/modules/AutomataNitroAdapter.ts --network baseSepolia
 * --parameters deploy/parameters/testnet.json`
 */
export default buildModule("AutomataNitroAdapter", (m) => {
  const protocol = m.useModule(ProtocolModule);
  const automataNitroAdapter = m.contract("AutomataNitroAdapter", [m.getParameter<string>("automataNitroVerifier")]);
  m.call(protocol.enclaveRegistry, "setAdapterAllowed", [automataNitroAdapter, true]);
  return { ...protocol, automataNitroAdapter };
});
