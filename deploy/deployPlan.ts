import { type Abi, type Address, type ContractConstructorArgs, isAddressEqual } from "viem";
import { contractAbis } from "../abi/index.ts";
import { waitForSuccess, writeAndWait } from "../sdk/actions/writeAndWait.ts";
import type { SdkClients } from "../sdk/clients.ts";
import { type ContractArtifact, readArtifact } from "./artifacts.ts";
import { DEPLOYER, type DeployPlan, type EveryChainKey, LOCAL_CHAIN_ID, resolvePlanArg } from "./protocolPlan.ts";

/** Clients for deploying: the wallet must carry its account. */
export type DeployClients = SdkClients;

/**
 * Addresses of a plan's contracts by key (a `localChainOnly` one only on chain 31337), and the block of its first
 * deployment (where log scans may start).
 */
export type PlanDeployment<plan extends DeployPlan> = { [key in EveryChainKey<plan>]: Address } & {
  [key in Exclude<keyof plan["contracts"] & string, EveryChainKey<plan>>]?: Address;
} & { deployBlock: bigint };

/**
 * Deploys one contract from its artifact (constructor arguments typed by its ABI) and waits for the receipt;
 * throws naming `what` and the hash if it reverted or created no contract.
 */
export async function deployArtifact<const abi extends Abi | readonly unknown[]>(
  { walletClient, publicClient }: DeployClients,
  artifact: ContractArtifact<abi>,
  args: ContractConstructorArgs<abi>,
  what = "deployment",
): Promise<{ address: Address; blockNumber: bigint }> {
  const hash = await walletClient.deployContract({
    abi: artifact.abi as Abi,
    bytecode: artifact.bytecode,
    args: args as readonly unknown[],
    account: walletClient.account,
    chain: walletClient.chain,
  });
  const receipt = await waitForSuccess(publicClient, hash, what);
  if (!receipt.contractAddress) throw new Error(`${what} transaction ${hash} created no contract`);
  return { address: receipt.contractAddress, blockNumber: receipt.blockNumber };
}

/**
 * Deploys `plan` with viem: its contracts in order, then its calls, then (when `governance` is not the
 * deployer) its handover calls; `localChainOnly` contracts and calls only when the chain id is 31337. `params` override the plan's defaults by name; a parameter group (`hub`)
 * is replaced whole.
 */
export async function deployPlan<plan extends DeployPlan>(
  clients: DeployClients,
  plan: plan,
  params: Readonly<Record<string, unknown>> & { governance?: Address },
): Promise<PlanDeployment<plan>> {
  const deployer = clients.walletClient.account.address;
  const governance = params.governance ?? deployer;
  const addresses: Record<string, Address> = {};
  const resolve = (arg: DeployPlan["calls"][number]["args"][number]) =>
    resolvePlanArg<unknown>(plan, arg, {
      ref: (key) => addresses[key] ?? fail(`${plan.id}: ${key} is used before it is deployed`),
      param: (name, defaultValue) => {
        const value = params[name] ?? defaultValue;
        return value === DEPLOYER ? deployer : value;
      },
      account: (which) => (which === "deployer" ? deployer : governance),
      literal: (value) => value,
    });
  const local = (await clients.publicClient.getChainId()) === LOCAL_CHAIN_ID;
  let deployBlock: bigint | undefined;
  for (const [key, { contract, args, localChainOnly }] of Object.entries(plan.contracts)) {
    if (localChainOnly && !local) continue;
    // Plan arguments are checked against the ABI when viem encodes them, not by the type system.
    const artifact: ContractArtifact = readArtifact(contract);
    const deployed = await deployArtifact(clients, artifact, args.map(resolve), `${contract} deployment`);
    addresses[key] = deployed.address;
    deployBlock ??= deployed.blockNumber;
  }
  const calls = isAddressEqual(governance, deployer) ? plan.calls : [...plan.calls, ...plan.handover];
  for (const { on, functionName, args, localChainOnly } of calls) {
    if (localChainOnly && !local) continue;
    const contractName = plan.contracts[on]?.contract ?? fail(`${plan.id}: a call is made on unknown ${on}`);
    await writeAndWait(clients, {
      contractName,
      address: addresses[on]!,
      abi: contractAbis[contractName] as Abi,
      functionName,
      args: args.map(resolve),
    });
  }
  return { ...addresses, deployBlock: deployBlock ?? fail(`${plan.id} deploys no contract`) } as PlanDeployment<plan>;
}

function fail(message: string): never {
  throw new Error(message);
}
