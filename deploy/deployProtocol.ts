import type { Abi, Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from "viem";
import { type ContractArtifact, readArtifact } from "./artifacts.ts";

/** One OPG in wei (18 decimals). */
export const OPG = 10n ** 18n;

/** The hub's governance parameters, as in `IInferenceHub.HubParams`. */
export type HubParams = {
  baseSettlementFee: bigint;
  settlementFeeBps: number;
  slashCompensationBps: number;
  commitWindow: number;
  proofWindow: number;
  maxCallbackGas: number;
  requestBond: bigint;
  /** Receives the non-compensation part of slashed bonds; the zero address burns it. */
  slashRemainderRecipient: Address;
};

/** Deployment parameters. */
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
  hub: HubParams;
};

/** Addresses of a deployed protocol. */
export type ProtocolDeployment = {
  token: Address;
  registry: Address;
  staking: Address;
  hub: Address;
  /** Block of the first deployment transaction (where log scans may start). */
  deployBlock: bigint;
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
    requestBond: 10n * OPG,
    slashRemainderRecipient: "0x0000000000000000000000000000000000000000" as Address,
  }),
});

/** Clients for deploying: the wallet must carry its account. */
export type DeployClients = {
  walletClient: WalletClient<Transport, Chain | undefined, Account>;
  publicClient: PublicClient;
};

/** Deploys one contract from its artifact and waits for the receipt; throws if it has no address. */
export async function deployArtifact(
  { walletClient, publicClient }: DeployClients,
  artifact: ContractArtifact,
  args: readonly unknown[],
): Promise<{ address: Address; blockNumber: bigint }> {
  const hash = await walletClient.deployContract({
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    args,
    account: walletClient.account,
    chain: walletClient.chain,
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success" || !receipt.contractAddress) {
    throw new Error(`deployment transaction ${hash} failed (status ${receipt.status})`);
  }
  return { address: receipt.contractAddress, blockNumber: receipt.blockNumber };
}

async function send(
  { walletClient, publicClient }: DeployClients,
  address: Address,
  abi: Abi,
  functionName: string,
  args: readonly unknown[],
): Promise<Hex> {
  const hash = await walletClient.writeContract({
    address,
    abi,
    functionName,
    args,
    account: walletClient.account,
    chain: walletClient.chain,
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${functionName} transaction ${hash} reverted`);
  return hash;
}

/**
 * Deploys OPGToken, ModelRegistry, NodeStaking and InferenceHub from Hardhat artifacts, wires the
 * staking contract to the hub, and returns the addresses. Used by tests, the relayer's local chain and
 * demo scripts alike.
 */
export async function deployProtocol({
  walletClient,
  publicClient,
  params = DEFAULT_PROTOCOL_PARAMS,
}: DeployClients & { params?: ProtocolParams }): Promise<ProtocolDeployment> {
  const clients = { walletClient, publicClient };
  const deployer = walletClient.account.address;
  const governance = params.governance ?? deployer;
  const token = await deployArtifact(clients, readArtifact("OPGToken"), [params.tokenRecipient ?? deployer]);
  const registry = await deployArtifact(clients, readArtifact("ModelRegistry"), []);
  const stakingArtifact = readArtifact("NodeStaking");
  const staking = await deployArtifact(clients, stakingArtifact, [
    token.address,
    registry.address,
    deployer,
    params.minStake,
    params.unbondDelay,
  ]);
  const hub = await deployArtifact(clients, readArtifact("InferenceHub"), [
    token.address,
    registry.address,
    staking.address,
    governance,
    params.hub,
  ]);
  await send(clients, staking.address, stakingArtifact.abi, "setHub", [hub.address]);
  if (governance.toLowerCase() !== deployer.toLowerCase()) {
    await send(clients, staking.address, stakingArtifact.abi, "transferOwnership", [governance]);
  }
  return {
    token: token.address,
    registry: registry.address,
    staking: staking.address,
    hub: hub.address,
    deployBlock: token.blockNumber,
  };
}
