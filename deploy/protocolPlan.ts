import type { Address } from "viem";
import type { HubParams } from "../abi/index.ts";
import type { ProtocolContractName } from "./artifacts.ts";

/** One OPG in wei (18 decimals). */
export const OPG = 10n ** 18n;

/** The deploying account, wherever a plan names it. */
export const DEPLOYER = { account: "deployer" } as const;
/**
 * The account that governs the deployed protocol: `ProtocolParams.governance` for `deployProtocol`; the
 * deployer in the Ignition module (which cannot branch on a parameter; hand over afterwards there).
 */
export const GOVERNANCE = { account: "governance" } as const;

/** Value of a plan parameter. */
export type ParamValue = bigint | number | string | boolean | typeof DEPLOYER;

/**
 * A constructor or call argument in a plan: a literal, the address of a contract deployed earlier in the
 * plan (`{ ref }`), a parameter (`{ param }`; a parameter group such as `hub` is passed as a struct of its
 * members) or an account.
 */
export type PlanArg =
  | ParamValue
  | { readonly ref: string }
  | { readonly param: string }
  | typeof DEPLOYER
  | typeof GOVERNANCE;

/** Hardhat's local chain: the only chain on which `localChainOnly` parts of a plan are deployed. */
export const LOCAL_CHAIN_ID = 31337;

/**
 * A call on a contract of the plan, made after every contract is deployed. `localChainOnly` calls are made by
 * `deployPlan` on chain 31337 only and never by the Ignition module (which deploys real networks).
 */
export type PlanCall = {
  readonly on: string;
  readonly functionName: string;
  readonly args: readonly PlanArg[];
  readonly localChainOnly?: true;
};

/** A contract of a plan; `localChainOnly` as for `PlanCall` (e.g. the INSECURE dev attestation adapter). */
export type PlanContract = {
  readonly contract: ProtocolContractName;
  readonly args: readonly PlanArg[];
  readonly localChainOnly?: true;
};

/**
 * A deployment both deployers are built from: `deployProtocol` (viem: tests, local chains, the demo) and
 * the Ignition module (testnets). Contracts deploy in key order.
 */
export type DeployPlan = {
  /** The Ignition module id. */
  readonly id: string;
  /** Parameter defaults; a nested object is a group whose members are parameters of their own. */
  readonly defaults: Readonly<Record<string, ParamValue | Readonly<Record<string, ParamValue>>>>;
  readonly contracts: Readonly<Record<string, PlanContract>>;
  readonly calls: readonly PlanCall[];
  /** Calls that hand governance from the deployer to `GOVERNANCE`, made only when the two differ. */
  readonly handover: readonly PlanCall[];
};

/** Deployment parameters of the protocol. */
export type ProtocolParams = {
  /** Owner of the hub and staking parameters; defaults to the deployer. Staking ownership is offered by
   * `transferOwnership` (two-step) when it differs from the deployer. */
  governance?: Address;
  /** Receives the whole OPG supply; defaults to the deployer. */
  tokenRecipient?: Address;
  /** Minimum active stake for a node to commit, in OPG wei. */
  minStake: bigint;
  /** Unbonding delay in seconds. */
  unbondDelay: bigint;
  /** The hub's governance parameters, as in `IInferenceHub.HubParams`. */
  hub: HubParams;
  /** Oldest TEE attestation the enclave registry accepts at registration, in seconds. */
  maxAttestationAge: bigint;
  /** An enclave key's life from its attestation's time, in seconds (> `maxAttestationAge`). */
  keyTtl: bigint;
};

/** Development defaults: short windows so local chains and tests move fast. */
export const DEFAULT_PROTOCOL_PARAMS: ProtocolParams = Object.freeze({
  minStake: 1_000n * OPG,
  unbondDelay: 7n * 24n * 3600n,
  hub: Object.freeze({
    baseSettlementFee: OPG / 10n,
    settlementFeeBps: 500,
    slashCompensationBps: 5_000,
    commitWindow: 600,
    proofWindow: 3_600,
    maxCallbackGas: 500_000,
    // 1,000 OPG gwei per callback gas unit = 10^-6 OPG per gas: a 200k-gas callback costs 0.2 OPG.
    callbackGasPrice: 1_000,
    requestBond: 10n * OPG,
    slashRemainderRecipient: "0x0000000000000000000000000000000000000000",
  }),
  // An hour covers proving the attestation with Automata's ZK route; a key is re-attested daily.
  maxAttestationAge: 3_600n,
  keyTtl: 86_400n,
});

const param = (name: Exclude<keyof ProtocolParams, "governance">) => ({ param: name }) as const;
/** A contract deployed earlier in the plan (checked when the plan runs: a later one is an error). */
const ref = <key extends string>(contractKey: key) => ({ ref: contractKey }) as const;

/** The protocol's contracts in deploy order, with their constructor arguments. */
const PROTOCOL_CONTRACTS = {
  token: { contract: "OPGToken", args: [param("tokenRecipient")] },
  registry: { contract: "ModelRegistry", args: [] },
  // The deployer owns staking until the hub is wired in (`setHub`), then hands it over.
  staking: {
    contract: "NodeStaking",
    args: [ref("token"), ref("registry"), DEPLOYER, param("minStake"), param("unbondDelay")],
  },
  hub: { contract: "InferenceHub", args: [ref("token"), ref("registry"), ref("staking"), GOVERNANCE, param("hub")] },
  // The deployer owns the enclave registry until the local chain's dev adapter is allowed, then hands it over.
  enclaveRegistry: {
    contract: "EnclaveRegistry",
    args: [DEPLOYER, ref("registry"), param("maxAttestationAge"), param("keyTtl")],
  },
  // INSECURE (no attestation at all): local chain only, for the demo and tests without an enclave.
  insecureDevAttestationAdapter: { contract: "InsecureDevAttestationAdapter", args: [], localChainOnly: true },
} as const;

/**
 * The protocol: OPGToken, ModelRegistry, NodeStaking, InferenceHub, EnclaveRegistry, then `NodeStaking.setHub(hub)`;
 * on the local chain (31337) only, the INSECURE dev attestation adapter, allowed by the enclave registry. Adding a
 * contract, argument, call or parameter here changes `deployProtocol` and the Ignition module alike. The Automata
 * Nitro adapter is deployed per network by `deploy/modules/AutomataNitroAdapter.ts`.
 */
export const PROTOCOL_PLAN = {
  id: "Protocol",
  defaults: { tokenRecipient: DEPLOYER, ...DEFAULT_PROTOCOL_PARAMS },
  contracts: PROTOCOL_CONTRACTS,
  calls: [
    { on: "staking", functionName: "setHub", args: [ref("hub")] },
    {
      on: "enclaveRegistry",
      functionName: "setAdapterAllowed",
      args: [ref("insecureDevAttestationAdapter"), true],
      localChainOnly: true,
    },
  ],
  handover: [
    { on: "staking", functionName: "transferOwnership", args: [GOVERNANCE] },
    { on: "enclaveRegistry", functionName: "transferOwnership", args: [GOVERNANCE] },
  ],
} as const satisfies DeployPlan;

/** Keys of `plan`'s contracts that every chain gets (not `localChainOnly`). */
export type EveryChainKey<plan extends DeployPlan> = {
  [key in keyof plan["contracts"] & string]: plan["contracts"][key] extends { localChainOnly: true } ? never : key;
}[keyof plan["contracts"] & string];

/** Key of a contract in the protocol plan. */
export type ProtocolContractKey = keyof typeof PROTOCOL_CONTRACTS;

/** How an interpreter turns each kind of plan argument into its own values (addresses, Ignition futures…). */
export type PlanArgResolver<T> = {
  ref(contractKey: string): T;
  param(name: string, defaultValue: DeployPlan["defaults"][string]): T;
  account(which: "deployer" | "governance"): T;
  literal(value: Exclude<ParamValue, typeof DEPLOYER>): T;
};

/** Resolves one plan argument with `resolver`; throws naming a parameter the plan has no default for. */
export function resolvePlanArg<T>(plan: DeployPlan, arg: PlanArg, resolver: PlanArgResolver<T>): T {
  if (typeof arg !== "object") return resolver.literal(arg);
  if ("ref" in arg) return resolver.ref(arg.ref);
  if ("account" in arg) return resolver.account(arg.account);
  const defaultValue = plan.defaults[arg.param];
  if (defaultValue === undefined) throw new Error(`plan ${plan.id} has no default for parameter ${arg.param}`);
  return resolver.param(arg.param, defaultValue);
}
