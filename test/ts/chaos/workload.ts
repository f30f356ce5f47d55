import { type Address, createWalletClient, type Hex, http, type WalletClient } from "viem";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { inferenceHubWithErrorsAbi, MockInferenceConsumerMode, mockInferenceConsumerAbi } from "../../../abi/index.ts";
import { readArtifact } from "../../../deploy/artifacts.ts";
import { registerCompiledModel } from "../../../deploy/registerModel.ts";
import { LOCAL_DEV_MNEMONIC } from "../../../relayer/dev/localChain.ts";
import { LOCAL_MODEL_PRICE } from "../../../relayer/dev/localNetwork.ts";
import { chainFor } from "../../../relayer/tx/chain.ts";
import type { TestNetwork } from "../relayer/harness.ts";
import { between } from "./prng.ts";

/** OPG each extra requester and each consumer contract receives: far more than the run spends. */
const ACTOR_FUNDS = 2_000n * 10n ** 18n;
/** Dev accounts (after deployer 0, node 1, requester 2, node2 3) that act as the extra requesters. */
const EXTRA_REQUESTER_INDICES = [4, 5];
/** Callback gas the relayers provision in the chaos run; `heavyCallback` requests ask for more. */
export const CHAOS_MAX_CALLBACK_GAS = 300_000;
/** Both callbacks (on commit and on settle). */
const BOTH_CALLBACKS = 3;

/**
 * What a request of the workload is. `plain` and the three consumer kinds must be settled; the rest are
 * left for nobody: malformed input (rejected), a model no relayer serves, a callback above every relayer's
 * maximum (declined). Those are refunded once their commit window is over.
 */
export type RequestKind =
  | "plain"
  | "consumerRecord"
  | "consumerRevert"
  | "consumerBurnGas"
  | "malformed"
  | "unservedModel"
  | "heavyCallback";

/** Share of each kind in the workload (cumulative draw, in this order). */
const KIND_WEIGHTS: [RequestKind, number][] = [
  ["plain", 0.55],
  ["consumerRecord", 0.12],
  ["consumerRevert", 0.08],
  ["consumerBurnGas", 0.08],
  ["malformed", 0.06],
  ["unservedModel", 0.06],
  ["heavyCallback", 0.05],
];

/** Kinds a relayer serves: each must end settled. */
export const SERVED_KINDS: ReadonlySet<RequestKind> = new Set([
  "plain",
  "consumerRecord",
  "consumerRevert",
  "consumerBurnGas",
]);

/** Expected share of served requests in the workload (progress is measured against it). */
export const SERVED_SHARE = KIND_WEIGHTS.filter(([k]) => SERVED_KINDS.has(k)).reduce((sum, [, w]) => sum + w, 0);

function devKey(index: number): Hex {
  const key = mnemonicToAccount(LOCAL_DEV_MNEMONIC, { addressIndex: index }).getHdKey().privateKey!;
  return `0x${Buffer.from(key).toString("hex")}`;
}

/**
 * The chaos run's requesters on `net`: three EOAs, four `MockInferenceConsumer`s (recording, reverting,
 * gas-burning, and one asking for more callback gas than relayers provision) and a second registered
 * model that no relayer serves.
 */
export async function createWorkload(net: TestNetwork) {
  const chain = chainFor(net.deployment.chainId, [net.chain.url]);
  const wallet = (key: Hex) =>
    createWalletClient({ chain, transport: http(net.chain.url), account: privateKeyToAccount(key) });
  const deployer = wallet(net.deployment.keys.deployer);
  const wait = async (hash: Hex) => {
    const receipt = await net.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`workload set-up transaction ${hash} reverted`);
    return receipt;
  };
  const token = { address: net.deployment.token, abi: net.tokenAbi } as const;
  const requesters: WalletClient[] = [wallet(net.deployment.keys.requester)];
  for (const index of EXTRA_REQUESTER_INDICES) {
    const w = wallet(devKey(index));
    await wait(
      await deployer.writeContract({ ...token, functionName: "transfer", args: [w.account!.address, ACTOR_FUNDS] }),
    );
    await wait(
      await w.writeContract({
        ...token,
        functionName: "approve",
        args: [net.deployment.hub, 2n ** 255n],
        chain,
        account: w.account!,
      }),
    );
    requesters.push(w);
  }
  const unserved = await registerCompiledModel(
    { walletClient: deployer, publicClient: net.publicClient },
    { registry: net.deployment.registry, modelDir: net.modelDir, price: LOCAL_MODEL_PRICE },
  );
  const mock = readArtifact("MockInferenceConsumer");
  const consumers = {} as Record<"record" | "revert" | "burnGas", Address>;
  for (const [name, mode] of [
    ["record", MockInferenceConsumerMode.Record],
    ["revert", MockInferenceConsumerMode.Revert],
    ["burnGas", MockInferenceConsumerMode.BurnGas],
  ] as const) {
    const deployed = await wait(
      await deployer.deployContract({ abi: mock.abi, bytecode: mock.bytecode, args: [net.deployment.hub] }),
    );
    const address = deployed.contractAddress!;
    await wait(await deployer.writeContract({ ...token, functionName: "transfer", args: [address, ACTOR_FUNDS] }));
    await wait(await deployer.writeContract({ address, abi: mock.abi, functionName: "setMode", args: [mode] }));
    consumers[name] = address;
  }
  const modelId = BigInt(net.deployment.modelId);
  const words = net.model.manifest.publicSignals.input.words;

  /** A valid input drawn from `random`. */
  const input = (random: () => number) =>
    net.model.packInput(net.model.quantizeInput(Array.from({ length: 4 }, () => random() * 2 - 1)));

  function pick(random: () => number): RequestKind {
    let x = random();
    for (const [kind, w] of KIND_WEIGHTS) {
      if (x < w) return kind;
      x -= w;
    }
    return "plain";
  }

  /** Sends one request of `kind` from a requester drawn from `random`; resolves once it is mined. */
  async function send(kind: RequestKind, random: () => number): Promise<void> {
    const from = requesters[between(random, 0, requesters.length - 1)]!;
    const hub = { address: net.deployment.hub, abi: inferenceHubWithErrorsAbi, chain, account: from.account! } as const;
    const viaConsumer = (consumer: Address, gas: number) =>
      from.writeContract({
        address: consumer,
        abi: mockInferenceConsumerAbi,
        functionName: "requestInference",
        args: [modelId, input(random), gas, BOTH_CALLBACKS],
        chain,
        account: from.account!,
      });
    let hash: Hex;
    switch (kind) {
      case "plain":
        hash = await from.writeContract({
          ...hub,
          functionName: "request",
          args: [modelId, input(random), 0, 0, 2n ** 96n],
        });
        break;
      case "malformed":
        // Word count and field range pass the hub's checks, but stray high bits make it unpackable.
        hash = await from.writeContract({
          ...hub,
          functionName: "request",
          args: [modelId, Array.from({ length: words }, () => 2n ** 252n), 0, 0, 2n ** 96n],
        });
        break;
      case "unservedModel":
        hash = await from.writeContract({
          ...hub,
          functionName: "request",
          args: [unserved.modelId, input(random), 0, 0, 2n ** 96n],
        });
        break;
      case "consumerRecord":
        hash = await viaConsumer(consumers.record, 100_000);
        break;
      case "consumerRevert":
        hash = await viaConsumer(consumers.revert, 100_000);
        break;
      case "consumerBurnGas":
        hash = await viaConsumer(consumers.burnGas, 150_000);
        break;
      case "heavyCallback":
        hash = await viaConsumer(consumers.record, CHAOS_MAX_CALLBACK_GAS + 100_000);
        break;
    }
    await net.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  }

  return { requesters, consumers, unservedModelId: unserved.modelId, pick, send };
}

/** The workload of a chaos run. */
export type Workload = Awaited<ReturnType<typeof createWorkload>>;
