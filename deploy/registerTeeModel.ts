import { readFileSync } from "node:fs";
import { type Address, concatHex, encodeAbiParameters, type Hex, keccak256, parseEventLogs, size } from "viem";
import { enclaveRegistryAbi, modelRegistryAbi, VerificationMode } from "../abi/index.ts";
import { writeAndWait } from "../sdk/actions/writeAndWait.ts";
import { EventMissingError } from "../sdk/errors.ts";
import { parseTeeManifest, teeManifestHash } from "../sdk/index.ts";
import type { DeployClients } from "./deployPlan.ts";

/** Three 48-byte PCRs (0x-hex, 96 digits each): PCR0, PCR1, PCR2. */
export type Pcrs = readonly [Hex, Hex, Hex];

/** A PCR split as `IAttestationAdapter.Pcr48` (head: bytes 0–31, tail: bytes 32–47). */
function pcr48(pcr: Hex): { head: Hex; tail: Hex } {
  if (size(pcr) !== 48) throw new Error(`a PCR is 48 bytes, got ${size(pcr)}: ${pcr}`);
  return { head: `0x${pcr.slice(2, 66)}`, tail: `0x${pcr.slice(66)}` };
}

/** `IEnclaveRegistry.measurementOf`: keccak256(PCR0 ‖ PCR1 ‖ PCR2). */
export function measurementOf(pcrs: Pcrs): Hex {
  for (const p of pcrs) pcr48(p);
  return keccak256(concatHex([...pcrs]));
}

/**
 * The INSECURE dev adapter's attestation: `abi.encode(address signer, uint64 timestampMs, Pcr48[3] pcrs)`
 * (`IInsecureDevAttestationAdapter`). It proves nothing; the adapter works on chain 31337 only.
 */
export function insecureDevAttestation(opts: { signer: Address; timestampMs: bigint; pcrs: Pcrs }): Hex {
  return encodeAbiParameters(
    [
      { type: "address" },
      { type: "uint64" },
      {
        type: "tuple[3]",
        components: [
          { name: "head", type: "bytes32" },
          { name: "tail", type: "bytes16" },
        ],
      },
    ],
    [opts.signer, opts.timestampMs, opts.pcrs.map(pcr48) as never],
  );
}

/**
 * Registers a TEE model: `ModelRegistry.register(TEE, enclaveRegistry, keccak256(manifest file), uri,
 * words.input, words.output, price)`; the caller becomes its owner. The manifest is validated first.
 */
export async function registerTeeModel(
  clients: DeployClients,
  opts: { registry: Address; enclaveRegistry: Address; manifestPath: string; price: bigint; manifestURI?: string },
): Promise<{ modelId: bigint; manifestHash: Hex }> {
  const bytes = new Uint8Array(readFileSync(opts.manifestPath));
  const manifest = parseTeeManifest(JSON.parse(new TextDecoder().decode(bytes)));
  const manifestHash = teeManifestHash(bytes);
  const receipt = await writeAndWait(clients, {
    contractName: "ModelRegistry",
    address: opts.registry,
    abi: modelRegistryAbi,
    functionName: "register",
    args: [
      VerificationMode.TEE,
      opts.enclaveRegistry,
      manifestHash,
      opts.manifestURI ?? `file://${opts.manifestPath}`,
      manifest.words.input,
      manifest.words.output,
      opts.price,
    ],
  });
  const [event] = parseEventLogs({ abi: modelRegistryAbi, logs: receipt.logs, eventName: "ModelRegistered" });
  if (!event) throw new EventMissingError("ModelRegistered", receipt.transactionHash);
  return { modelId: event.args.modelId, manifestHash };
}

/** Approves an enclave image's measurement for a model (the model's owner or governance). */
export async function approveMeasurement(
  clients: DeployClients,
  opts: { enclaveRegistry: Address; modelId: bigint; measurement: Hex },
): Promise<void> {
  await writeAndWait(clients, {
    contractName: "EnclaveRegistry",
    address: opts.enclaveRegistry,
    abi: enclaveRegistryAbi,
    functionName: "approveMeasurement",
    args: [opts.modelId, opts.measurement],
  });
}

/** Submits an attestation through an allowed adapter; returns the key and measurement the registry bound. */
export async function registerEnclave(
  clients: DeployClients,
  opts: { enclaveRegistry: Address; adapter: Address; attestation: Hex },
): Promise<{ signer: Address; measurement: Hex; expiresAt: bigint }> {
  const receipt = await writeAndWait(clients, {
    contractName: "EnclaveRegistry",
    address: opts.enclaveRegistry,
    abi: enclaveRegistryAbi,
    functionName: "registerEnclave",
    args: [opts.adapter, opts.attestation],
  });
  const [event] = parseEventLogs({ abi: enclaveRegistryAbi, logs: receipt.logs, eventName: "KeyRegistered" });
  if (!event) throw new EventMissingError("KeyRegistered", receipt.transactionHash);
  return { signer: event.args.signer, measurement: event.args.measurement, expiresAt: event.args.expiresAt };
}
