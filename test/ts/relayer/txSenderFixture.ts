import { join } from "node:path";
import { type Address, createWalletClient, type Hex, http, parseEventLogs } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { type HubRequest, inferenceHubWithErrorsAbi, MockInferenceConsumerMode } from "../../../abi/index.ts";
import { readArtifact } from "../../../deploy/artifacts.ts";
import { createLogger } from "../../../relayer/common/logger.ts";
import { createProverPool } from "../../../relayer/prover/proverPool.ts";
import { type ChainClients, chainFor, createChainClients } from "../../../relayer/tx/chain.ts";
import { witnessInput } from "../../../zkml/index.ts";
import type { TestNetwork } from "./harness.ts";

/** OPG given to each test consumer contract: enough for many requests at the local model price. */
const CONSUMER_FUNDS = 1_000n * 10n ** 18n;

/** Chain clients of the network's node account (what the relayer would create). */
export function nodeClients(net: TestNetwork, key: Hex = net.deployment.keys.node): Promise<ChainClients> {
  return createChainClients({ rpcUrls: [net.chain.url], privateKey: key, pollingIntervalMs: 100 });
}

/** A quiet logger for senders under test. */
export const quietLog = () => createLogger("silent");

/**
 * Deploys a `MockInferenceConsumer` funded with OPG, in `mode`, and returns a function that makes a
 * request through it (callback limit and flags as given) and returns the id, the request and the
 * model's output for it.
 */
export async function deployConsumer(net: TestNetwork, mode: MockInferenceConsumerMode) {
  const chain = chainFor(net.deployment.chainId, [net.chain.url]);
  const requester = createWalletClient({
    chain,
    transport: http(net.chain.url),
    account: privateKeyToAccount(net.deployment.keys.requester),
  });
  const mock = readArtifact("MockInferenceConsumer");
  const wait = async (hash: Hex) => {
    const receipt = await net.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`fixture transaction ${hash} reverted`);
    return receipt;
  };
  const deployed = await wait(
    await requester.deployContract({ abi: mock.abi, bytecode: mock.bytecode, args: [net.deployment.hub] }),
  );
  const consumer = deployed.contractAddress as Address;
  await wait(
    await requester.writeContract({
      address: net.deployment.token,
      abi: net.tokenAbi,
      functionName: "transfer",
      args: [consumer, CONSUMER_FUNDS],
    }),
  );
  await wait(
    await requester.writeContract({ address: consumer, abi: mock.abi, functionName: "setMode", args: [mode] }),
  );

  return async function request(floats: number[], callbackGasLimit: number, callbackFlags: number) {
    const input = net.model.packInput(net.model.quantizeInput(floats));
    const receipt = await wait(
      await requester.writeContract({
        address: consumer,
        abi: mock.abi,
        functionName: "requestInference",
        args: [BigInt(net.deployment.modelId), input, callbackGasLimit, callbackFlags],
      }),
    );
    const [ev] = parseEventLogs({ abi: inferenceHubWithErrorsAbi, logs: receipt.logs, eventName: "Requested" });
    const { requestId, request } = ev!.args as { requestId: Hex; request: HubRequest };
    const { outputWords } = await net.model.infer(net.model.unpackInput([...request.input]));
    return { requestId, request, output: outputWords, consumer };
  };
}

/** A Groth16 proof of the network's model for `request` (what the relayer's prover produces). */
export async function proveRequest(net: TestNetwork, request: HubRequest): Promise<Hex> {
  const pool = createProverPool(1);
  try {
    const { files } = net.model.manifest;
    const result = await pool.prove({
      wasm: join(net.model.dir, files.wasm),
      zkey: join(net.model.dir, files.zkey),
      witnessInput: witnessInput([...request.input]),
    });
    return result.proofBytes;
  } finally {
    await pool.close();
  }
}

export { MockInferenceConsumerMode };

/** Gas settings for senders under test: quick to call a transaction stuck. */
export const TEST_GAS = { stuckAfterMs: 400, maxBumps: 2, bumpPercent: 25, maxFeePerGas: 3_000_000_000n } as const;

/**
 * Turns automine off and mines a block every `intervalMs`, each at `baseFee` when one is set (a fee
 * spike: `hardhat_setNextBlockBaseFeePerGas` before every block). `stop()` mines once more and turns
 * automine back on.
 */
export async function startBlockProducer(net: TestNetwork, intervalMs = 250) {
  let baseFee: bigint | undefined;
  let running = true;
  await net.rpc("evm_setAutomine", [false]);
  const loop = (async () => {
    while (running) {
      if (baseFee !== undefined) await net.rpc("hardhat_setNextBlockBaseFeePerGas", [`0x${baseFee.toString(16)}`]);
      await net.rpc("evm_mine");
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    /** Sets the base fee of every later block (`undefined`: let EIP-1559 move it). */
    setBaseFee(fee: bigint | undefined) {
      baseFee = fee;
    },
    async stop() {
      running = false;
      await loop;
      await net.rpc("evm_setAutomine", [true]);
      await net.rpc("evm_mine");
    },
  };
}

/** Sends until mined, retrying retryable failures the way the job loop does (a job retries its step). */
export async function sendLikeAJob(
  send: () => Promise<unknown>,
  isRetryable: (error: unknown) => boolean,
  timeoutMs = 60_000,
): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await send();
    } catch (error) {
      if (!isRetryable(error) || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
