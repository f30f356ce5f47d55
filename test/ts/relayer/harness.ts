import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeFunctionData, type Hex } from "viem";
import { inferenceHubWithErrorsAbi, opgTokenAbi } from "../../../abi/index.ts";
import type { RelayerConfig, RelayerConfigInput } from "../../../relayer/common/config.ts";
import { createLogger } from "../../../relayer/common/logger.ts";
import {
  ensureCompiledModel,
  type LocalDeployment,
  localClients,
  localRelayerConfig,
  provisionLocalNetwork,
} from "../../../relayer/dev/localNetwork.ts";
import { sendRequestBurst } from "../../../relayer/dev/requestBurst.ts";
import { type Relayer, startRelayer } from "../../../relayer/relayer.ts";
import { approve, getRequestState, request as sendRequest } from "../../../sdk/index.ts";
import { loadCompiledModel } from "../../../zkml/index.ts";
import { startTestNode, type TestNode } from "../support/testNode.ts";

/**
 * A local chain (`hardhat node`, or anvil with `OPG_TEST_NODE=anvil`) with the protocol deployed and the
 * tiny model registered, plus request helpers.
 */
export async function startTestNetwork() {
  const chain: TestNode = await startTestNode();
  const modelDir = await ensureCompiledModel("tiny");
  const deployment: LocalDeployment = await provisionLocalNetwork({ rpcUrl: chain.url, modelDir });
  const model = await loadCompiledModel(modelDir, { executionProvider: "cpu" });
  const requester = localClients(chain.url, deployment.chainId, deployment.keys.requester, { pollingInterval: 100 });
  const { publicClient } = requester;
  const hubAbi = inferenceHubWithErrorsAbi;
  const tokenAbi = opgTokenAbi;
  await approve(requester, { hub: deployment.hub, token: deployment.token, amount: 2n ** 255n });

  /** Sends a request with raw input words (use `model.packInput` for valid ones); returns its id. */
  async function requestWords(input: bigint[]): Promise<Hex> {
    const modelId = BigInt(deployment.modelId);
    return (await sendRequest(requester, { hub: deployment.hub, modelId, input, maxTotalFee: 2n ** 96n })).requestId;
  }

  /** Sends a request for a float input of the model's domain. */
  function request(floats: number[]): Promise<Hex> {
    return requestWords(model.packInput(model.quantizeInput(floats)));
  }

  /**
   * Sends `n` valid requests and mines them in one block (automine off meanwhile, and after it too with
   * `keepAutomineOff`); returns their ids.
   */
  async function requestBurst(n: number, opts: { keepAutomineOff?: boolean } = {}): Promise<Hex[]> {
    const inputs = Array.from({ length: n }, (_, i) =>
      model.packInput(model.quantizeInput([Math.sin(i), Math.cos(i), -0.5 + i / (2 * n), 0.25])),
    );
    const modelId = BigInt(deployment.modelId);
    return (await sendRequestBurst({ clients: requester, hub: deployment.hub, modelId, inputs, ...opts })).ids;
  }

  /** `requestState(id)` as { status, deadline, node }. */
  async function state(requestId: Hex) {
    const { status, deadline, node } = await getRequestState(publicClient, { hub: deployment.hub, requestId });
    return { status, deadline, node };
  }

  /** A relayer config for this network; `dataDir` defaults to a fresh temp dir. */
  function relayerConfig(overrides: Partial<RelayerConfigInput> = {}): RelayerConfig {
    return localRelayerConfig(deployment, {
      dataDir: mkdtempSync(join(tmpdir(), "opg-relayer-")),
      metrics: { host: "127.0.0.1", port: 0, enabled: true },
      executionProvider: "cpu",
      logLevel: "warn",
      ...overrides,
    });
  }

  const rpc = chain.rpc;

  const relayers: Relayer[] = [];
  /** Starts an in-process relayer on this network; `stop()` stops it. */
  async function runRelayer(overrides: Partial<RelayerConfigInput> = {}, level = "warn") {
    const config = relayerConfig(overrides);
    const relayer = await startRelayer(config, createLogger(level));
    relayers.push(relayer);
    return { relayer, config };
  }

  return {
    chain,
    deployment,
    model,
    modelDir,
    publicClient,
    hubAbi,
    tokenAbi,
    request,
    requestWords,
    requestBurst,
    state,
    relayerConfig,
    rpc,
    runRelayer,
    /** Stops the relayers started here, then the chain. */
    async stop() {
      for (const r of relayers) await r.stop();
      await model.close();
      await chain.stop();
    },
  };
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export type TestNetwork = Awaited<ReturnType<typeof startTestNetwork>>;

const ROOT = join(import.meta.dirname, "..", "..", "..");

/**
 * A relayer config for `net` written to a file in its data dir, without the key (which a real operator
 * passes in the environment), for `opg relayer start` run as a child process.
 */
export function writeRelayerConfigFile(
  net: TestNetwork,
  overrides: Partial<RelayerConfigInput> = {},
): { file: string; dataDir: string; privateKey: string } {
  const { privateKey, ...config } = net.relayerConfig(overrides);
  const file = join(config.dataDir, "config.json");
  writeFileSync(
    file,
    JSON.stringify(config, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
  );
  return { file, dataDir: config.dataDir, privateKey: privateKey! };
}

/** Runs `opg relayer start --config <file>` as a real child process (so it can be signalled or SIGKILLed). */
export function spawnRelayerProcess(configFile: string, privateKey: string): ChildProcess {
  return spawn(process.execPath, [join(ROOT, "bin", "opg.mjs"), "relayer", "start", "--config", configFile], {
    cwd: ROOT,
    env: { ...process.env, OPG_PRIVATE_KEY: privateKey, OPG_LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

/** A mined transaction that reverted, with its decoded hub call (or the selector when it is not a hub call). */
export type RevertedTx = { hash: Hex; block: bigint; call: string; requestId?: string };

/**
 * Every reverted transaction `from` any of `senders` sent, read block by block: a reverted transaction emits no
 * log, so scanning the hub's logs would never find one.
 */
export async function revertedFrom(net: TestNetwork, senders: readonly string[]): Promise<RevertedTx[]> {
  const from = senders.map((s) => s.toLowerCase());
  const head = await net.publicClient.getBlockNumber();
  const reverted: RevertedTx[] = [];
  for (let n = 0n; n <= head; n++) {
    const block = await net.publicClient.getBlock({ blockNumber: n, includeTransactions: true });
    for (const tx of block.transactions) {
      if (!from.includes(tx.from.toLowerCase())) continue;
      const receipt = await net.publicClient.getTransactionReceipt({ hash: tx.hash });
      if (receipt.status === "success") continue;
      let call = tx.input.slice(0, 10);
      let requestId: string | undefined;
      try {
        const decoded = decodeFunctionData({ abi: inferenceHubWithErrorsAbi, data: tx.input });
        call = decoded.functionName;
        if (decoded.functionName === "commit" || decoded.functionName === "settle") requestId = decoded.args[0];
      } catch {
        // not a hub call: reported by its selector
      }
      reverted.push({ hash: tx.hash, block: n, call, requestId });
    }
  }
  return reverted;
}
