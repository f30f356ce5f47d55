import { type Address, isAddressEqual, type PublicClient } from "viem";
import { inferenceHubAbi, modelRegistryAbi, VerificationMode } from "../../abi/index.ts";
import { contentUri } from "../../sdk/index.ts";
import type { Common } from "../common/common.ts";
import { RelayerError } from "../common/errors.ts";
import { withRetry } from "../common/retry.ts";
import { CONTENT_PATH } from "../ops/server.ts";
import { createDevSigner } from "./devSigner.ts";
import { loadTeeModel, type TeeModel } from "./loadTeeModel.ts";
import type { ServedTeeModel } from "./processTeeJob.ts";
import { createRemoteSigner } from "./remoteSigner.ts";

/**
 * Refuses to serve a TEE model whose manifest is not the one registered: the registered manifest hash, mode
 * TEE, word counts, and a verifier with code (the enclave registry results are signed for).
 */
async function checkRegistered(publicClient: PublicClient, registry: Address, modelId: bigint, model: TeeModel) {
  const onChain = await withRetry(() =>
    publicClient.readContract({ address: registry, abi: modelRegistryAbi, functionName: "getModel", args: [modelId] }),
  );
  const { words } = model.manifest;
  const mismatches = [
    onChain.manifestHash !== model.manifestHash &&
      `manifest hash ${onChain.manifestHash} on chain, ${model.manifestHash} here`,
    onChain.mode !== VerificationMode.TEE && `verification mode ${onChain.mode} on chain, TEE here`,
    onChain.inputWords !== words.input && `${onChain.inputWords} input words on chain, ${words.input} here`,
    onChain.outputWords !== words.output && `${onChain.outputWords} output words on chain, ${words.output} here`,
  ].filter((m): m is string => typeof m === "string");
  if (mismatches.length > 0) {
    throw new RelayerError(`TEE model ${modelId} (${model.manifestPath}) is not the model registered on chain`, {
      details: mismatches.join("; "),
    });
  }
  const code = await withRetry(() => publicClient.getCode({ address: onChain.verifier }));
  if (!code || code === "0x" || isAddressEqual(onChain.verifier, "0x0000000000000000000000000000000000000000")) {
    throw new RelayerError(`TEE model ${modelId}: its verifier ${onChain.verifier} has no code`);
  }
}

/** The URL prefix of published output content: `<tee.contentStore.publicBaseUrl>/content/`. */
export function contentBaseUrlOf(publicBaseUrl: string): string {
  return `${publicBaseUrl}${CONTENT_PATH}`;
}

/**
 * Refuses a model with outputs by reference that this node cannot publish: no public base URL, no operations
 * server to serve `/content/<hash>`, or URIs longer than the manifest allows.
 */
function checkCanPublish(config: Common["config"], modelId: bigint, model: TeeModel): void {
  const referenced = model.manifest.outputs.filter((o) => o.encoding.kind === "reference");
  if (referenced.length === 0) return;
  const what = `TEE model ${modelId} (${model.manifestPath}) returns ${referenced.map((o) => o.name).join(", ")} by reference`;
  const { publicBaseUrl } = config.tee.contentStore;
  if (publicBaseUrl === undefined) {
    throw new RelayerError(`${what}: set tee.contentStore.publicBaseUrl`, {
      details:
        "the public URL of this node's operations server, under which it publishes output content at /content/<hash>",
    });
  }
  if (!config.metrics.enabled) {
    throw new RelayerError(`${what}: enable the operations server (metrics.enabled), which serves /content/<hash>`);
  }
  const uriBytes = new TextEncoder().encode(contentUri(contentBaseUrlOf(publicBaseUrl), `0x${"0".repeat(64)}`)).length;
  for (const spec of referenced) {
    if (spec.encoding.kind === "reference" && uriBytes > spec.encoding.maxUriBytes) {
      throw new RelayerError(`${what}: tee.contentStore.publicBaseUrl is too long for ${spec.name}`, {
        details: `its content URIs take ${uriBytes} bytes, the manifest allows ${spec.encoding.maxUriBytes}`,
      });
    }
  }
}

/**
 * Loads every configured TEE model (manifest, ONNX sha256, graph), checks it against its registration, and
 * starts its signer. Each model and signer is closed at shutdown.
 */
export async function openTeeModels(
  common: Common,
  chain: { publicClient: PublicClient; hub: Address },
): Promise<Map<string, ServedTeeModel>> {
  const served = new Map<string, ServedTeeModel>();
  if (common.config.teeModels.length === 0) return served;
  const { publicClient, hub } = chain;
  const chainId = await withRetry(() => publicClient.getChainId());
  const registry = await withRetry(() =>
    publicClient.readContract({ address: hub, abi: inferenceHubAbi, functionName: "REGISTRY" }),
  );
  for (const m of common.config.teeModels) {
    const model = await loadTeeModel(m.manifest, { executionProvider: common.config.executionProvider });
    common.onShutdown(`TEE model ${m.modelId}`, () => model.close());
    await checkRegistered(publicClient, registry, m.modelId, model);
    checkCanPublish(common.config, m.modelId, model);
    const log = common.log.child({ module: "tee", modelId: m.modelId.toString() });
    const signer =
      m.signer.kind === "dev"
        ? createDevSigner({
            model,
            privateKey: (m.signer.privateKey ?? common.config.teeDevSignerKey) as `0x${string}`,
            chainId,
            log,
          })
        : createRemoteSigner({ url: m.signer.url });
    common.onShutdown(`TEE signer ${m.modelId}`, () => signer.close());
    served.set(m.modelId.toString(), { model, signer });
    log.info({ manifest: model.manifestPath, ep: model.executionProvider, signer: signer.kind }, "TEE model loaded");
  }
  return served;
}
