import { join } from "node:path";
import { type Address, type Hex, keccak256, stringToBytes } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { enclaveRegistryAbi, nodeStakingAbi } from "../../abi/index.ts";
import {
  approveMeasurement,
  insecureDevAttestation,
  measurementOf,
  type Pcrs,
  registerEnclave,
  registerTeeModel,
} from "../../deploy/registerTeeModel.ts";
import { writeAndWait } from "../../sdk/actions/writeAndWait.ts";
import { LOCAL_MODEL_PRICE, localClients } from "./localNetwork.ts";

const ROOT = join(import.meta.dirname, "..", "..");
/** The TEE model the embedded setup serves: PaddleOCR's text-direction classifier. */
export const LOCAL_TEE_MANIFEST = join(ROOT, "models", "tee", "ppocr-cls", "manifest.json");

/**
 * INSECURE "enclave" key of the local setup: derived from a public string, held by the relayer's dev signer.
 * Only the dev adapter (chain 31337) vouches for it.
 */
export const DEV_ENCLAVE_KEY: Hex = keccak256(stringToBytes("OPG HACA INSECURE dev enclave key"));

/** Stand-in PCR0–2 of the dev "enclave" image: non-zero (the registry refuses all-zero debug PCRs), public. */
export const DEV_ENCLAVE_PCRS: Pcrs = [0, 1, 2].map((i) => {
  const a = keccak256(stringToBytes(`OPG HACA dev enclave PCR${i}`)).slice(2);
  return `0x${a}${a.slice(0, 32)}` as Hex;
}) as unknown as Pcrs;

/** What the local TEE provisioning adds to a deployment. */
export type LocalTeeDeployment = {
  enclaveRegistry: Address;
  devAdapter: Address;
  modelId: string;
  manifest: string;
  measurement: Hex;
  enclaveSigner: Address;
};

/**
 * On a local chain with the protocol deployed (the plan deploys the enclave registry and, on 31337, allows the
 * INSECURE dev adapter): registers the OCR classifier as a TEE model (owned by the deployer), approves the dev
 * image's measurement for it, registers the dev enclave key through the dev adapter (unless it is registered and
 * unexpired), and opts the staked nodes in to the model.
 */
export async function provisionLocalTee(opts: {
  rpcUrl: string;
  chainId: number;
  registry: Address;
  staking: Address;
  enclaveRegistry: Address;
  insecureDevAttestationAdapter?: Address;
  keys: { deployer: Hex; node: Hex; node2: Hex };
  manifestPath?: string;
}): Promise<LocalTeeDeployment> {
  const deployer = localClients(opts.rpcUrl, opts.chainId, opts.keys.deployer);
  const { enclaveRegistry } = opts;
  const devAdapter = opts.insecureDevAttestationAdapter;
  if (!devAdapter) throw new Error("the local deployment has no INSECURE dev attestation adapter (chain 31337 only)");
  const manifest = opts.manifestPath ?? LOCAL_TEE_MANIFEST;
  const { modelId } = await registerTeeModel(deployer, {
    registry: opts.registry,
    enclaveRegistry,
    manifestPath: manifest,
    price: LOCAL_MODEL_PRICE,
  });
  const measurement = measurementOf(DEV_ENCLAVE_PCRS);
  await approveMeasurement(deployer, { enclaveRegistry, modelId, measurement });
  const block = await deployer.publicClient.getBlock({ blockTag: "latest" });
  const enclaveSigner = privateKeyToAccount(DEV_ENCLAVE_KEY).address;
  const key = await deployer.publicClient.readContract({
    address: enclaveRegistry,
    abi: enclaveRegistryAbi,
    functionName: "enclaveKey",
    args: [enclaveSigner],
  });
  // A second TEE model on the same chain reuses the key (registering it again in the same second would revert).
  if (BigInt(key.measurement) === 0n || key.expiresAt <= block.timestamp) {
    const attestation = insecureDevAttestation({
      signer: enclaveSigner,
      timestampMs: block.timestamp * 1000n,
      pcrs: DEV_ENCLAVE_PCRS,
    });
    await registerEnclave(deployer, { enclaveRegistry, adapter: devAdapter, attestation });
  }
  for (const key of [opts.keys.node, opts.keys.node2]) {
    const node = localClients(opts.rpcUrl, opts.chainId, key);
    await writeAndWait(node, {
      contractName: "NodeStaking",
      address: opts.staking,
      abi: nodeStakingAbi,
      functionName: "optIn",
      args: [modelId],
    });
  }
  return { enclaveRegistry, devAdapter, modelId: modelId.toString(), manifest, measurement, enclaveSigner };
}
