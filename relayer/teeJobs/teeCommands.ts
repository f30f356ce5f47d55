import { readFileSync } from "node:fs";
import type { Command } from "commander";
import {
  type Abi,
  type Address,
  createPublicClient,
  createWalletClient,
  encodeAbiParameters,
  type Hex,
  http,
  isAddress,
  isHex,
  parseUnits,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { enclaveRegistryAbi, insecureDevAttestationAdapterAbi } from "../../abi/index.ts";
import type { DeployClients } from "../../deploy/index.ts";
import {
  approveMeasurement,
  insecureDevAttestation,
  measurementOf,
  type Pcrs,
  registerEnclave,
  registerTeeModel,
} from "../../deploy/registerTeeModel.ts";
import { verifyNitroAttestation } from "../../tee/index.ts";
import { classifyError, RelayerError } from "../common/errors.ts";
import { chainFor } from "../tx/chain.ts";
import { DEV_SIGNER_CHAIN_ID } from "./devSigner.ts";

/** Errors `registerEnclave` can revert with: the registry's and the adapters'. */
const REGISTER_ABI = [...enclaveRegistryAbi, ...insecureDevAttestationAdapterAbi] as Abi;

function address(value: string, what: string): Address {
  if (!isAddress(value)) throw new RelayerError(`${what} must be a 0x-prefixed address, got "${value}"`);
  return value;
}

/** Clients for the account in OPG_PRIVATE_KEY (keys never come from files or arguments). */
async function clients(rpcUrl: string): Promise<DeployClients & { chainId: number }> {
  const key = process.env.OPG_PRIVATE_KEY;
  if (!key || !isHex(key)) throw new RelayerError("set OPG_PRIVATE_KEY to the sending account's key");
  const chainId = await createPublicClient({ transport: http(rpcUrl) }).getChainId();
  const chain = chainFor(chainId, [rpcUrl]);
  return {
    chainId,
    publicClient: createPublicClient({ chain, transport: http(rpcUrl) }),
    walletClient: createWalletClient({ chain, transport: http(rpcUrl), account: privateKeyToAccount(key) }),
  };
}

function parsePcrs(text: string): Pcrs {
  const pcrs = text.split(",").map((p) => p.trim());
  if (pcrs.length !== 3 || pcrs.some((p) => !/^0x[0-9a-fA-F]{96}$/.test(p))) {
    throw new RelayerError("--pcrs must be PCR0,PCR1,PCR2: three 48-byte 0x-hex values");
  }
  return pcrs as unknown as Pcrs;
}

/**
 * The attestation bytes for the adapter: the INSECURE dev encoding (local chain only), or an AWS Nitro document
 * verified here first (chain to the pinned AWS root, debug PCRs refused) with Automata's proof of it.
 */
function attestationBytes(o: RegisterOptions, chainId: number, at: bigint): { attestation: Hex; what: string } {
  if (o.devSigner) {
    if (chainId !== DEV_SIGNER_CHAIN_ID) {
      throw new RelayerError(`the INSECURE dev attestation works only on chain ${DEV_SIGNER_CHAIN_ID}, not ${chainId}`);
    }
    if (!o.pcrs) throw new RelayerError("--dev-signer needs --pcrs");
    const signer = address(o.devSigner, "--dev-signer");
    const pcrs = parsePcrs(o.pcrs);
    const attestation = insecureDevAttestation({ signer, timestampMs: at * 1000n, pcrs });
    return { attestation, what: `INSECURE dev attestation of ${signer}, measurement ${measurementOf(pcrs)}` };
  }
  if (!o.nitro || !o.automataProof)
    throw new RelayerError("give --dev-signer and --pcrs, or --nitro and --automata-proof");
  const doc = verifyNitroAttestation(new Uint8Array(readFileSync(o.nitro)), { at: Number(at) });
  if (!doc.signer) throw new RelayerError(`${o.nitro} names no secp256k1 signer (public_key or a 20-byte user_data)`);
  const proof = JSON.parse(readFileSync(o.automataProof, "utf8")) as {
    output: Hex;
    zkCoprocessor: number;
    proofBytes: Hex;
  };
  const attestation = encodeAbiParameters(
    [{ type: "bytes" }, { type: "uint8" }, { type: "bytes" }],
    [proof.output, proof.zkCoprocessor, proof.proofBytes],
  );
  return { attestation, what: `Nitro attestation of ${doc.signer}, measurement ${doc.measurement}` };
}

type RegisterOptions = {
  rpcUrl: string;
  enclaveRegistry: string;
  adapter: string;
  devSigner?: string;
  pcrs?: string;
  nitro?: string;
  automataProof?: string;
};

async function register(o: RegisterOptions): Promise<void> {
  const c = await clients(o.rpcUrl);
  const enclaveRegistry = address(o.enclaveRegistry, "--enclave-registry");
  const adapter = address(o.adapter, "--adapter");
  const { timestamp } = await c.publicClient.getBlock({ blockTag: "latest" });
  const { attestation, what } = attestationBytes(o, c.chainId, timestamp);
  console.error(`submitting ${what}`);
  // Never send a transaction known to fail: simulate first, so a refusal is named (e.g. EnclaveMeasurementUnknown).
  try {
    await c.publicClient.simulateContract({
      address: enclaveRegistry,
      abi: REGISTER_ABI,
      functionName: "registerEnclave",
      args: [adapter, attestation],
      account: c.walletClient.account,
    });
  } catch (error) {
    throw classifyError(error);
  }
  const key = await registerEnclave(c, { enclaveRegistry, adapter, attestation });
  console.log(`registered enclave key ${key.signer}, measurement ${key.measurement}, expires at ${key.expiresAt}`);
}

/** Adds `opg tee register`, `opg tee register-model` and `opg tee approve-measurement` to the `tee` group. */
export function registerTeeNodeCommands(program: Command): void {
  const tee = program.commands.find((c) => c.name() === "tee") ?? program.command("tee");
  tee
    .command("register")
    .description("register an enclave key in the EnclaveRegistry through an attestation adapter (key: OPG_PRIVATE_KEY)")
    .requiredOption("--rpc-url <url>", "JSON-RPC endpoint")
    .requiredOption("--enclave-registry <address>", "the EnclaveRegistry")
    .requiredOption("--adapter <address>", "an attestation adapter the registry allows")
    .option("--dev-signer <address>", "INSECURE dev adapter, chain 31337 only: the key to vouch for")
    .option("--pcrs <p0,p1,p2>", "with --dev-signer: the three 48-byte PCRs")
    .option("--nitro <file>", "an AWS Nitro attestation document (raw CBOR), verified here first")
    .option("--automata-proof <file>", "with --nitro: JSON {output, zkCoprocessor, proofBytes} from Automata's prover")
    .action(register);
  tee
    .command("register-model")
    .description("register a TEE model (mode TEE, verifier = the EnclaveRegistry) from its manifest")
    .requiredOption("--rpc-url <url>", "JSON-RPC endpoint")
    .requiredOption("--registry <address>", "the ModelRegistry")
    .requiredOption("--enclave-registry <address>", "the EnclaveRegistry (the model's verifier)")
    .requiredOption("--manifest <file>", "the TEE manifest (its keccak256 is registered)")
    .requiredOption("--price <opg>", "fee per inference in OPG, e.g. 2")
    .option("--manifest-uri <uri>", "where the manifest can be fetched")
    .action(
      async (o: {
        rpcUrl: string;
        registry: string;
        enclaveRegistry: string;
        manifest: string;
        price: string;
        manifestUri?: string;
      }) => {
        const { modelId, manifestHash } = await registerTeeModel(await clients(o.rpcUrl), {
          registry: address(o.registry, "--registry"),
          enclaveRegistry: address(o.enclaveRegistry, "--enclave-registry"),
          manifestPath: o.manifest,
          price: parseUnits(o.price, 18),
          manifestURI: o.manifestUri,
        });
        console.log(`registered TEE model ${modelId} (manifest ${manifestHash})`);
      },
    );
  tee
    .command("approve-measurement")
    .description("approve an enclave image's measurement for a model (model owner or governance)")
    .requiredOption("--rpc-url <url>", "JSON-RPC endpoint")
    .requiredOption("--enclave-registry <address>", "the EnclaveRegistry")
    .requiredOption("--model-id <id>", "the model")
    .requiredOption("--pcrs <p0,p1,p2>", "PCR0, PCR1, PCR2 of the image (48-byte 0x-hex each)")
    .action(async (o: { rpcUrl: string; enclaveRegistry: string; modelId: string; pcrs: string }) => {
      const measurement = measurementOf(parsePcrs(o.pcrs));
      await approveMeasurement(await clients(o.rpcUrl), {
        enclaveRegistry: address(o.enclaveRegistry, "--enclave-registry"),
        modelId: BigInt(o.modelId),
        measurement,
      });
      console.log(`approved measurement ${measurement} for model ${o.modelId}`);
    });
}
