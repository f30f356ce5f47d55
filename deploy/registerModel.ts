import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Address, type Hex, keccak256, parseEventLogs } from "viem";
import { z } from "zod";
import { modelRegistryAbi, VerificationMode } from "../abi/index.ts";
import { writeAndWait } from "../sdk/actions/writeAndWait.ts";
import { EventMissingError } from "../sdk/errors.ts";
import type { DeployClients } from "./deployPlan.ts";
import { deployGroth16Verifier, type VerifierArtifact } from "./deployVerifier.ts";

/** The parts of `<modelDir>/manifest.json` registration needs (the model compiler writes the full manifest). */
const RegistrationManifest = z.object({
  publicSignals: z.object({
    inputWords: z.number().int().positive(),
    outputWords: z.number().int().positive(),
  }),
});

const VerifierJson = z.object({
  abi: z.array(z.unknown()),
  bytecode: z.string().regex(/^0x[0-9a-fA-F]+$/),
});

/** A registered model and the contracts deployed for it. */
export type RegisteredModel = {
  modelId: bigint;
  groth16Verifier: Address;
  adapter: Address;
  /** `keccak256` of the manifest file's bytes, as stored on chain. */
  manifestHash: Hex;
};

/**
 * Deploys a compiled model's snarkjs verifier (`<modelDir>/verifier.json`) behind a `Groth16VerifierAdapter`
 * and registers it in the ModelRegistry with the manifest's word counts; the caller becomes the model owner.
 * `manifestHash` is `keccak256` of `manifest.json`'s bytes. Throws naming the file or field that is wrong.
 */
export async function registerCompiledModel(
  clients: DeployClients,
  opts: { registry: Address; modelDir: string; price: bigint; manifestURI?: string },
): Promise<RegisteredModel> {
  const manifestPath = join(opts.modelDir, "manifest.json");
  const manifestBytes = readFileSync(manifestPath);
  const manifest = RegistrationManifest.safeParse(JSON.parse(manifestBytes.toString("utf8")));
  if (!manifest.success) throw new Error(`${manifestPath}: ${manifest.error.message}`);
  const verifierPath = join(opts.modelDir, "verifier.json");
  const verifier = VerifierJson.safeParse(JSON.parse(readFileSync(verifierPath, "utf8")));
  if (!verifier.success) throw new Error(`${verifierPath}: ${verifier.error.message}`);
  const { inputWords, outputWords } = manifest.data.publicSignals;
  return registerModel(clients, {
    registry: opts.registry,
    verifier: verifier.data as VerifierArtifact,
    inputWords,
    outputWords,
    manifestHash: keccak256(manifestBytes),
    manifestURI: opts.manifestURI ?? `file://${manifestPath}`,
    price: opts.price,
  });
}

/** Deploys `verifier` behind an adapter and registers a ZK model with these terms. */
export async function registerModel(
  clients: DeployClients,
  opts: {
    registry: Address;
    verifier: VerifierArtifact;
    inputWords: number;
    outputWords: number;
    manifestHash: Hex;
    manifestURI: string;
    price: bigint;
  },
): Promise<RegisteredModel> {
  const { groth16Verifier, adapter } = await deployGroth16Verifier(clients, {
    verifier: opts.verifier,
    signalCount: opts.inputWords + opts.outputWords,
  });
  const receipt = await writeAndWait(clients, {
    contractName: "ModelRegistry",
    address: opts.registry,
    abi: modelRegistryAbi,
    functionName: "register",
    args: [
      VerificationMode.ZK,
      adapter,
      opts.manifestHash,
      opts.manifestURI,
      opts.inputWords,
      opts.outputWords,
      opts.price,
    ],
  });
  const [event] = parseEventLogs({ abi: modelRegistryAbi, logs: receipt.logs, eventName: "ModelRegistered" });
  if (!event) throw new EventMissingError("ModelRegistered", receipt.transactionHash);
  return { modelId: event.args.modelId, groth16Verifier, adapter, manifestHash: opts.manifestHash };
}
