import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Address, type Hex, keccak256, parseEventLogs } from "viem";
import { z } from "zod";
import { modelRegistryAbi, VerificationMode } from "../abi/index.ts";
import { writeAndWait } from "../sdk/actions/writeAndWait.ts";
import { EventMissingError } from "../sdk/errors.ts";
import type { DeployClients } from "./deployPlan.ts";
import { deployBatchVerifier, deployGroth16Verifier, type VerifierArtifact } from "./deployVerifier.ts";

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

/** The file the model compiler writes the batch verifier to (`ARTIFACT_FILES.batchVerifierJson`). */
const BATCH_VERIFIER_FILE = "batch-verifier.json";
/** snarkjs' verifier (`ARTIFACT_FILES.verifierJson`): registered behind an adapter when a package has no batch verifier. */
const SNARKJS_VERIFIER_FILE = "verifier.json";

/**
 * The verifier to deploy for a model: the compiler's batch verifier (registered as is), or a snarkjs verifier
 * (registered behind a `Groth16VerifierAdapter`, for packages compiled before the batch verifier existed).
 */
export type ModelVerifier =
  | { kind: "batch"; artifact: VerifierArtifact }
  | { kind: "snarkjs"; artifact: VerifierArtifact };

/** A registered model and the contracts deployed for it. */
export type RegisteredModel = {
  modelId: bigint;
  /** The address the registry holds as the model's verifier: the batch verifier, or the adapter. */
  verifier: Address;
  verifierKind: ModelVerifier["kind"];
  /** The snarkjs verifier behind the adapter (`snarkjs` kind only). */
  groth16Verifier?: Address;
  /** The adapter (`snarkjs` kind only). */
  adapter?: Address;
  /** `keccak256` of the manifest file's bytes, as stored on chain. */
  manifestHash: Hex;
};

/**
 * Deploys a compiled model's verifier and registers it in the ModelRegistry with the manifest's word counts; the
 * caller becomes the model owner. The verifier is the package's generated batch verifier
 * (`<modelDir>/batch-verifier.json`, one contract that serves `settle` and `settleBatch`); a package without one
 * (compiled before it existed) gets its snarkjs verifier (`verifier.json`) behind a `Groth16VerifierAdapter`.
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
  const batchPath = join(opts.modelDir, BATCH_VERIFIER_FILE);
  const kind = existsSync(batchPath) ? "batch" : "snarkjs";
  const verifierPath = kind === "batch" ? batchPath : join(opts.modelDir, SNARKJS_VERIFIER_FILE);
  const verifier = VerifierJson.safeParse(JSON.parse(readFileSync(verifierPath, "utf8")));
  if (!verifier.success) throw new Error(`${verifierPath}: ${verifier.error.message}`);
  const { inputWords, outputWords } = manifest.data.publicSignals;
  return registerModel(clients, {
    registry: opts.registry,
    verifier: { kind, artifact: verifier.data as VerifierArtifact },
    inputWords,
    outputWords,
    manifestHash: keccak256(manifestBytes),
    manifestURI: opts.manifestURI ?? `file://${manifestPath}`,
    price: opts.price,
  });
}

/**
 * Deploys `verifier` (a batch verifier as is, a snarkjs verifier behind an adapter) and registers a ZK model with
 * these terms. The registry checks that the verifier's `publicSignalCount()` is `inputWords + outputWords`.
 */
export async function registerModel(
  clients: DeployClients,
  opts: {
    registry: Address;
    verifier: ModelVerifier;
    inputWords: number;
    outputWords: number;
    manifestHash: Hex;
    manifestURI: string;
    price: bigint;
  },
): Promise<RegisteredModel> {
  const deployed = await deployModelVerifier(clients, opts.verifier, opts.inputWords + opts.outputWords);
  const receipt = await writeAndWait(clients, {
    contractName: "ModelRegistry",
    address: opts.registry,
    abi: modelRegistryAbi,
    functionName: "register",
    args: [
      VerificationMode.ZK,
      deployed.verifier,
      opts.manifestHash,
      opts.manifestURI,
      opts.inputWords,
      opts.outputWords,
      opts.price,
    ],
  });
  const [event] = parseEventLogs({ abi: modelRegistryAbi, logs: receipt.logs, eventName: "ModelRegistered" });
  if (!event) throw new EventMissingError("ModelRegistered", receipt.transactionHash);
  return { ...deployed, modelId: event.args.modelId, manifestHash: opts.manifestHash };
}

async function deployModelVerifier(
  clients: DeployClients,
  verifier: ModelVerifier,
  signalCount: number,
): Promise<Pick<RegisteredModel, "verifier" | "verifierKind" | "groth16Verifier" | "adapter">> {
  if (verifier.kind === "batch") {
    const { batchVerifier } = await deployBatchVerifier(clients, { verifier: verifier.artifact });
    return { verifier: batchVerifier, verifierKind: "batch" };
  }
  const { groth16Verifier, adapter } = await deployGroth16Verifier(clients, {
    verifier: verifier.artifact,
    signalCount,
  });
  return { verifier: adapter, verifierKind: "snarkjs", groth16Verifier, adapter };
}
