import { join } from "node:path";
import { createWalletClient, http, parseEventLogs } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferenceHubWithErrorsAbi, RequestStatus } from "../../../abi/index.ts";
import { openStore } from "../../../relayer/store/store.ts";
import { chainFor } from "../../../relayer/tx/chain.ts";
import { startTestNetwork, type TestNetwork, waitFor } from "./harness.ts";

/** A node declines requests it would serve at a loss, without sending any transaction. */
describe("operator fee policy", () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await startTestNetwork();
  });
  afterAll(async () => {
    await net?.stop();
  });

  it("declines a fee below its minimum and callback gas above its maximum; serves the rest", async () => {
    const [modelFee] = await net.publicClient.readContract({
      address: net.deployment.hub,
      abi: inferenceHubWithErrorsAbi,
      functionName: "quote",
      args: [BigInt(net.deployment.modelId)],
    });
    const requester = createWalletClient({
      chain: chainFor(net.deployment.chainId, [net.chain.url]),
      transport: http(net.chain.url),
      account: privateKeyToAccount(net.deployment.keys.requester),
    });
    const input = net.model.packInput(net.model.quantizeInput([0.1, 0.2, 0.3, 0.4]));
    const hash = await requester.writeContract({
      address: net.deployment.hub,
      abi: inferenceHubWithErrorsAbi,
      functionName: "request",
      // A callback on commit with 400k gas: more than this node provisions.
      args: [BigInt(net.deployment.modelId), input, 400_000, 1, 2n ** 96n],
    });
    const receipt = await net.publicClient.waitForTransactionReceipt({ hash });
    const [ev] = parseEventLogs({ abi: inferenceHubWithErrorsAbi, logs: receipt.logs, eventName: "Requested" });
    const heavyCallback = ev!.args.requestId;

    // A node asking more than the model's price, provisioning 100k of callback gas, declines both.
    const picky = await net.runRelayer({
      policy: { minModelFee: modelFee + 1n, maxCallbackGas: 100_000 },
    });
    const plain = await net.request([0.5, -0.5, 0.25, 0]);
    const store = openStore(join(picky.config.dataDir, "relayer.sqlite"));
    try {
      await waitFor(() => store.getJob(plain)?.state === "declined", 30_000, "the low fee to be declined");
      await waitFor(() => store.getJob(heavyCallback)?.state === "declined", 30_000, "the callback to be declined");
      expect(store.getJob(plain)!.error).toMatch(/below the node's minimum/);
      expect(store.getJob(heavyCallback)!.error).toMatch(/callback gas limit 400000/);
    } finally {
      store.close();
    }
    expect(await net.publicClient.getTransactionCount({ address: picky.relayer.address })).toBe(
      await net.publicClient.getTransactionCount({ address: picky.relayer.address, blockTag: "pending" }),
    );
    expect((await net.state(plain)).status).toBe(RequestStatus.Requested);
    const metrics = await (await fetch(`${picky.relayer.operationsUrl}/metrics`)).text();
    expect(metrics).toMatch(/opg_relayer_declined_total\{reason="fee"\} 1/);
    await picky.relayer.stop();

    // A node with default terms serves the plain request.
    const fair = await net.runRelayer();
    await waitFor(async () => (await net.state(plain)).status === RequestStatus.Settled, 120_000, "settlement");
    await fair.relayer.stop();
  });

  it("sends nothing while the base fee is above its fee cap, and serves the request once it falls", async () => {
    const gwei = 1_000_000_000n;
    await net.rpc("hardhat_setNextBlockBaseFeePerGas", [`0x${(100n * gwei).toString(16)}`]);
    await net.rpc("evm_mine");
    const { relayer, config } = await net.runRelayer({ gas: { maxFeePerGas: 50n * gwei } });
    const nonceBefore = await net.publicClient.getTransactionCount({ address: relayer.address });
    const id = await net.request([0.3, 0.3, -0.3, 0.1]);
    await new Promise((r) => setTimeout(r, 20 * config.pollIntervalMs));
    expect((await net.state(id)).status).toBe(RequestStatus.Requested);
    expect(await net.publicClient.getTransactionCount({ address: relayer.address, blockTag: "pending" })).toBe(
      nonceBefore,
    );
    const metrics = await (await fetch(`${relayer.operationsUrl}/metrics`)).text();
    expect(metrics).toMatch(/opg_relayer_deferred_total\{reason="baseFeeAboveCap"\} [1-9]/);

    await net.rpc("hardhat_setNextBlockBaseFeePerGas", [`0x${gwei.toString(16)}`]);
    await net.rpc("evm_mine");
    await waitFor(async () => (await net.state(id)).status === RequestStatus.Settled, 120_000, "settlement");
  });
});
