import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type Address, bytesToHex, createPublicClient, createWalletClient, type Hex, http } from "viem";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { nodeStakingAbi, opgTokenAbi } from "../../abi/index.ts";
import { type DeployClients, deployProtocol, OPG } from "../../deploy/deployProtocol.ts";
import { registerCompiledModel } from "../../deploy/registerModel.ts";
import { writeAndWait } from "../../sdk/actions/writeAndWait.ts";
import { compileModel, MANIFEST_VERSION } from "../../zkml/index.ts";
import { parseConfig, type RelayerConfig, type RelayerConfigInput } from "../common/config.ts";
import { chainFor } from "../tx/chain.ts";
import { LOCAL_DEV_MNEMONIC } from "./localChain.ts";
import type { LocalTeeDeployment } from "./localTee.ts";

const ROOT = join(import.meta.dirname, "..", "..");
/** Reference models (written by `npm run build:models`). */
export const MODEL_FIXTURES = join(ROOT, "models", "fixtures");
/** Where compiled reference models are cached between runs. */
export const MODEL_CACHE = join(ROOT, ".opg", "models");

/** Price per inference of the locally registered model. */
export const LOCAL_MODEL_PRICE = 2n * OPG;
/** OPG the node stakes and the requester receives on a local chain. */
const NODE_STAKE = 10_000n * OPG;
const REQUESTER_FUNDS = 10_000n * OPG;

/** Roles of the local development accounts (indices into Hardhat's default accounts). */
const ACCOUNT_INDEX = { deployer: 0, node: 1, requester: 2, node2: 3 } as const;

/** Private key of a local development account. */
export function devKey(role: keyof typeof ACCOUNT_INDEX): Hex {
  const key = mnemonicToAccount(LOCAL_DEV_MNEMONIC, { addressIndex: ACCOUNT_INDEX[role] }).getHdKey().privateKey;
  return bytesToHex(key!);
}

/** What a local deployment writes to `<dataDir>/deployment.json` for `opg demo` and tests. */
export type LocalDeployment = {
  rpcUrl: string;
  chainId: number;
  token: Address;
  registry: Address;
  staking: Address;
  hub: Address;
  enclaveRegistry: Address;
  /** The INSECURE dev attestation adapter (the plan deploys it on chain 31337 only). */
  insecureDevAttestationAdapter?: Address;
  deployBlock: string;
  /** The same as `deployBlock`, under the name every deployment JSON uses (`sdk/deployment.ts`). */
  startBlock: string;
  modelId: string;
  models: { modelId: string }[];
  modelDir: string;
  keys: { deployer: Hex; node: Hex; requester: Hex; node2: Hex };
  /** The TEE model and enclave registry, when provisioned (`provisionLocalTee`). */
  tee?: LocalTeeDeployment;
};

/** Compiles a reference model (`tiny`, `demo`) into the cache unless a compiled copy is already there. */
export async function ensureCompiledModel(name: string): Promise<string> {
  const outDir = join(MODEL_CACHE, name);
  // A package from an older compiler (other manifest version) is rebuilt, not reused.
  const manifestPath = join(outDir, "manifest.json");
  if (existsSync(manifestPath) && JSON.parse(readFileSync(manifestPath, "utf8")).version === MANIFEST_VERSION) {
    return outDir;
  }
  const onnx = join(MODEL_FIXTURES, `${name}.onnx`);
  if (!existsSync(onnx)) throw new Error(`reference model ${onnx} is missing: run \`npm run build:models\``);
  const calibrationFile = join(MODEL_FIXTURES, `${name}.calibration.json`);
  const calibration = existsSync(calibrationFile)
    ? (JSON.parse(readFileSync(calibrationFile, "utf8")) as { inputs: number[][] }).inputs
    : undefined;
  await compileModel(onnx, { outDir, calibration });
  return outDir;
}

/** Read and write clients on a local chain for one development account's key. */
export function localClients(
  rpcUrl: string,
  chainId: number,
  key: Hex,
  { pollingInterval }: { pollingInterval?: number } = {},
): DeployClients {
  const chain = chainFor(chainId, [rpcUrl]);
  const transport = http(rpcUrl);
  return {
    publicClient: createPublicClient({ chain, transport, pollingInterval }),
    walletClient: createWalletClient({ chain, transport, account: privateKeyToAccount(key) }),
  };
}

/**
 * On a fresh local chain: deploys the protocol, registers the compiled model in `modelDir`, funds the
 * requester, and stakes + opts in the node accounts. Returns (and optionally writes) the deployment.
 */
export async function provisionLocalNetwork(opts: {
  rpcUrl: string;
  modelDir: string;
  writeTo?: string;
}): Promise<LocalDeployment> {
  const probe = createPublicClient({ transport: http(opts.rpcUrl) });
  const chainId = await probe.getChainId();
  const keys = {
    deployer: devKey("deployer"),
    node: devKey("node"),
    requester: devKey("requester"),
    node2: devKey("node2"),
  };
  const deployer = localClients(opts.rpcUrl, chainId, keys.deployer);
  const addresses = await deployProtocol(deployer);
  const { modelId } = await registerCompiledModel(deployer, {
    registry: addresses.registry,
    modelDir: opts.modelDir,
    price: LOCAL_MODEL_PRICE,
  });
  const token = { contractName: "OPGToken", address: addresses.token, abi: opgTokenAbi } as const;
  const staking = { contractName: "NodeStaking", address: addresses.staking, abi: nodeStakingAbi } as const;
  const requester = privateKeyToAccount(keys.requester).address;
  await writeAndWait(deployer, { ...token, functionName: "transfer", args: [requester, REQUESTER_FUNDS] });
  for (const role of ["node", "node2"] as const) {
    const node = localClients(opts.rpcUrl, chainId, keys[role]);
    const nodeAddress = node.walletClient.account.address;
    await writeAndWait(deployer, { ...token, functionName: "transfer", args: [nodeAddress, NODE_STAKE] });
    await writeAndWait(node, { ...token, functionName: "approve", args: [addresses.staking, NODE_STAKE] });
    await writeAndWait(node, { ...staking, functionName: "stake", args: [NODE_STAKE] });
    await writeAndWait(node, { ...staking, functionName: "optIn", args: [modelId] });
  }
  const deployment: LocalDeployment = {
    rpcUrl: opts.rpcUrl,
    chainId,
    ...addresses,
    deployBlock: addresses.deployBlock.toString(),
    startBlock: addresses.deployBlock.toString(),
    modelId: modelId.toString(),
    models: [{ modelId: modelId.toString() }],
    modelDir: opts.modelDir,
    keys,
  };
  if (opts.writeTo) {
    await mkdir(dirname(opts.writeTo), { recursive: true });
    await writeFile(opts.writeTo, `${JSON.stringify(deployment, null, 2)}\n`);
  }
  return deployment;
}

/**
 * A relayer config serving `dep`'s model as its node account. A local hardhat node mines each
 * transaction at once and never reorganizes on its own, so `confirmations: 0`.
 */
export function localRelayerConfig(dep: LocalDeployment, overrides: Partial<RelayerConfigInput> = {}): RelayerConfig {
  return parseConfig({
    rpcUrls: [dep.rpcUrl],
    privateKey: dep.keys.node,
    hub: dep.hub,
    startBlock: dep.deployBlock,
    models: [{ modelId: dep.modelId, dir: dep.modelDir }],
    finality: { mode: "confirmations", confirmations: 0 },
    pollIntervalMs: 100,
    ...overrides,
  });
}
