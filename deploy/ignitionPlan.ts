import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type {
  ArgumentType,
  IgnitionModuleBuilder,
  ModuleParameterType,
  NamedArtifactContractDeploymentFuture,
} from "@nomicfoundation/ignition-core";
import {
  DEPLOYER,
  type DeployPlan,
  type EveryChainKey,
  type ParamValue,
  type PlanArg,
  resolvePlanArg,
} from "./protocolPlan.ts";

/** The futures an Ignition module built from `plan` returns, typed by contract name (for `ignition.deploy`). */
export type PlanFutures<plan extends DeployPlan> = {
  [key in EveryChainKey<plan>]: NamedArtifactContractDeploymentFuture<plan["contracts"][key]["contract"]>;
};

/** Plan arguments as Ignition values: parameters become module parameters, refs futures, accounts account 0. */
function ignitionArgs(m: IgnitionModuleBuilder, plan: DeployPlan, futures: Record<string, ArgumentType>) {
  const parameterDefault = (value: ParamValue): ModuleParameterType =>
    value === DEPLOYER ? m.getAccount(0) : (value as Exclude<ParamValue, typeof DEPLOYER>);
  return (arg: PlanArg): ArgumentType =>
    resolvePlanArg<ArgumentType>(plan, arg, {
      ref: (key) => futures[key] ?? fail(`${plan.id}: ${key} is used before it is deployed`),
      // A parameter group is a struct whose members are parameters of their own, named as in the group.
      param: (name, defaultValue) =>
        isGroup(defaultValue)
          ? Object.fromEntries(
              Object.entries(defaultValue).map(([k, v]) => [k, m.getParameter(k, parameterDefault(v))]),
            )
          : m.getParameter(name, parameterDefault(defaultValue)),
      // Ignition cannot branch on a parameter, so the deployer stays the owner and `handover` is not run.
      account: () => m.getAccount(0),
      literal: (value) => value,
    });
}

/**
 * A Hardhat Ignition module deploying `plan`: its contracts in order with their arguments, then its calls. Parts
 * marked `localChainOnly` are left out: the module cannot branch on the chain, and it deploys real networks, where
 * they must never exist (the INSECURE dev attestation adapter refuses any chain but 31337 anyway).
 * Every parameter of the plan's defaults is a module parameter of the same name (a group's members by their
 * own names); governance is the deployer, to be handed over afterwards with the two-step `transferOwnership`.
 */
export function ignitionModule<const plan extends DeployPlan>(plan: plan) {
  return buildModule(plan.id, (m) => {
    const futures: Record<string, NamedArtifactContractDeploymentFuture<string>> = {};
    const resolve = ignitionArgs(m, plan, futures);
    for (const [key, { contract, args, localChainOnly }] of Object.entries(plan.contracts)) {
      if (!localChainOnly) futures[key] = m.contract(contract, args.map(resolve));
    }
    for (const { on, functionName, args, localChainOnly } of plan.calls) {
      if (localChainOnly) continue;
      m.call(futures[on] ?? fail(`${plan.id}: a call is made on unknown ${on}`), functionName, args.map(resolve));
    }
    return futures as PlanFutures<plan>;
  });
}

function isGroup(value: DeployPlan["defaults"][string]): value is Readonly<Record<string, ParamValue>> {
  return typeof value === "object" && value !== DEPLOYER;
}

function fail(message: string): never {
  throw new Error(message);
}
