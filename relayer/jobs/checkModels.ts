import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Address, keccak256, type PublicClient } from "viem";
import { inferenceHubAbi, modelRegistryAbi, VerificationMode } from "../../abi/index.ts";
import type { CompiledModel } from "../../zkml/index.ts";
import { RelayerError } from "../common/errors.ts";
import { withRetry } from "../common/retry.ts";

/**
 * Refuses to serve a model whose local package is not the one registered on chain: a node that
 * commits outputs of another model cannot prove them and loses its bond. Checks, per served model,
 * the registered manifest hash against `keccak256(manifest.json)`, the mode, and the word counts.
 */
export async function checkModelsMatchChain(
  publicClient: PublicClient,
  hub: Address,
  models: ReadonlyMap<string, CompiledModel>,
): Promise<void> {
  const registry = await withRetry(() =>
    publicClient.readContract({ address: hub, abi: inferenceHubAbi, functionName: "REGISTRY" }),
  );
  for (const [modelId, model] of models) {
    const onChain = await withRetry(() =>
      publicClient.readContract({
        address: registry,
        abi: modelRegistryAbi,
        functionName: "getModel",
        args: [BigInt(modelId)],
      }),
    );
    const manifestHash = keccak256(await readFile(join(model.dir, "manifest.json")));
    const { input, output } = model.manifest.publicSignals;
    const mismatches = [
      onChain.manifestHash !== manifestHash && `manifest hash ${onChain.manifestHash} on chain, ${manifestHash} here`,
      onChain.mode !== VerificationMode.ZK && `verification mode ${onChain.mode} on chain, ZK here`,
      onChain.inputWords !== input.words && `${onChain.inputWords} input words on chain, ${input.words} here`,
      onChain.outputWords !== output.words && `${onChain.outputWords} output words on chain, ${output.words} here`,
    ].filter((m): m is string => typeof m === "string");
    if (mismatches.length > 0) {
      throw new RelayerError(`model ${modelId} in ${model.dir} is not the model registered on chain`, {
        details: mismatches.join("; "),
      });
    }
  }
}
