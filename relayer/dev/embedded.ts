import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RelayerConfig } from "../common/config.ts";
import type { Logger } from "../common/logger.ts";
import { type LocalChain, startLocalChain } from "./localChain.ts";
import {
  ensureCompiledModel,
  type LocalDeployment,
  localRelayerConfig,
  provisionLocalNetwork,
} from "./localNetwork.ts";
import { DEV_ENCLAVE_KEY, provisionLocalTee } from "./localTee.ts";

/** Port of the embedded chain: the usual local JSON-RPC port, so wallets and scripts find it. */
export const EMBEDDED_CHAIN_PORT = 8545;
/** The reference model served by the embedded setup. */
export const EMBEDDED_MODEL = "demo";

/** Where the embedded setup keeps its deployment and store. */
export function embeddedDir(dataDir: string): string {
  return join(dataDir, "local");
}

/**
 * Embedded default: starts a real `hardhat node` on loopback, deploys the protocol, registers the demo
 * model (compiled once into `.opg/models/demo`), stakes the node, provisions TEE mode (enclave registry,
 * INSECURE dev adapter and dev enclave key, the OCR text-direction classifier as a TEE model), and returns
 * a relayer config serving both models (the TEE one with the INSECURE dev signer).
 * The chain is fresh each time, so the previous embedded store is discarded.
 */
export async function startEmbedded(
  base: RelayerConfig,
  log: Logger,
  { port = EMBEDDED_CHAIN_PORT }: { port?: number } = {},
): Promise<{ chain: LocalChain; deployment: LocalDeployment; config: RelayerConfig }> {
  const dir = embeddedDir(base.dataDir);
  rmSync(dir, { recursive: true, force: true });
  log.info({ port }, "no RPC URL configured: starting a local hardhat node");
  const chain = await startLocalChain({ port });
  try {
    log.info({ model: EMBEDDED_MODEL }, "compiling the demo model (cached after the first run)");
    const modelDir = await ensureCompiledModel(EMBEDDED_MODEL);
    const deployment = await provisionLocalNetwork({
      rpcUrl: chain.url,
      modelDir,
      writeTo: join(dir, "deployment.json"),
    });
    deployment.tee = await provisionLocalTee(deployment);
    writeFileSync(join(dir, "deployment.json"), `${JSON.stringify(deployment, null, 2)}\n`);
    log.info(
      { hub: deployment.hub, modelId: deployment.modelId, teeModelId: deployment.tee.modelId, rpc: chain.url },
      "local protocol deployed (ZK demo model and TEE OCR classifier)",
    );
    // The operator's own settings (metrics, prover, gas, log level, dry run) carry over; chain, key,
    // hub and models come from the local deployment.
    const { rpcUrls, privateKey, hub, startBlock, models, finality, pollIntervalMs, ...operator } = base;
    const config = localRelayerConfig(deployment, {
      ...operator,
      // The OCR classifier in TEE mode, signed by the INSECURE dev signer (local chain only). The demo's
      // requester shares this machine, so its inputs are files.
      teeModels: [
        {
          modelId: BigInt(deployment.tee.modelId),
          manifest: deployment.tee.manifest,
          signer: { kind: "dev", privateKey: DEV_ENCLAVE_KEY },
        },
      ],
      tee: { ...operator.tee, allowFileUris: true, allowPrivateHosts: true },
      dataDir: join(dir, "relayer"),
      withdrawThreshold: base.withdrawThreshold === 0n ? 1n : base.withdrawThreshold,
    });
    return { chain, deployment, config };
  } catch (error) {
    await chain.stop();
    throw error;
  }
}
