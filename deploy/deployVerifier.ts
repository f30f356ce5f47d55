import type { Abi, Address } from "viem";
import { type ContractArtifact, readArtifact } from "./artifacts.ts";
import { type DeployClients, deployArtifact } from "./deployPlan.ts";

/**
 * A compiled verifier: `<modelDir>/batch-verifier.json` (the model compiler's batch verifier), `<modelDir>/verifier.json`
 * (snarkjs') or a Hardhat artifact.
 */
export type VerifierArtifact = ContractArtifact<Abi | readonly unknown[]>;

/** Addresses of a deployed verifier and its `IProofVerifier` adapter. */
export type VerifierDeployment = { groth16Verifier: Address; adapter: Address };

/**
 * Deploys a snarkjs-generated Groth16 verifier and a `Groth16VerifierAdapter` over it; the adapter's
 * address is what `ModelRegistry.register` takes. `signalCount` = output words + input words.
 */
export async function deployGroth16Verifier(
  clients: DeployClients,
  { verifier, signalCount }: { verifier: VerifierArtifact; signalCount: number },
): Promise<VerifierDeployment> {
  if (!Number.isInteger(signalCount) || signalCount < 1) {
    throw new Error(`signalCount must be a positive integer, got ${signalCount}`);
  }
  const groth16 = await deployArtifact(clients, verifier, [], "Groth16 verifier deployment");
  const adapter = await deployArtifact(
    clients,
    readArtifact("Groth16VerifierAdapter"),
    [groth16.address, BigInt(signalCount)],
    "Groth16VerifierAdapter deployment",
  );
  return { groth16Verifier: groth16.address, adapter: adapter.address };
}

/**
 * Deploys a model's generated batch verifier (`<modelDir>/batch-verifier.json`). It implements `IBatchProofVerifier`
 * and `IProofVerifier` itself, so its address is what `ModelRegistry.register` takes: no adapter.
 */
export async function deployBatchVerifier(
  clients: DeployClients,
  { verifier }: { verifier: VerifierArtifact },
): Promise<{ batchVerifier: Address }> {
  const deployed = await deployArtifact(clients, verifier, [], "batch verifier deployment");
  return { batchVerifier: deployed.address };
}

/** Deploys the repository's test-circuit verifier (3 public signals: y, x0, x1) with its adapter. */
export async function deployTestCircuitVerifier(clients: DeployClients): Promise<VerifierDeployment> {
  return deployGroth16Verifier(clients, {
    verifier: readArtifact("TestCircuitGroth16Verifier"),
    signalCount: 3,
  });
}
