import { encodeFunctionData, type Hex, parseEventLogs, RpcRequestError } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferenceHubWithErrorsAbi as hubAbi, RequestStatus } from "../../../abi/index.ts";
import { classifyError } from "../../../relayer/common/errors.ts";
import { withRetry } from "../../../relayer/common/retry.ts";
import {
  CALLBACK_GAS_RESERVE,
  createTxSender,
  hubGasLimit,
  type TxAlert,
  type TxRequest,
} from "../../../relayer/tx/chain.ts";
import { startTestNetwork, type TestNetwork } from "./harness.ts";
import {
  deployConsumer,
  MockInferenceConsumerMode,
  nodeClients,
  proveRequest,
  quietLog,
  TEST_GAS,
} from "./txSenderFixture.ts";

const BOTH_CALLBACKS = 1 | 2;

describe("gas limits when the node cannot estimate", () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await startTestNetwork();
  });
  afterAll(async () => {
    await net?.stop();
  });

  /** A hub call as the job builds it, with the explicit limit of `hubGasLimit`. */
  function hubCall(
    op: "commit" | "settle",
    r: Awaited<ReturnType<Awaited<ReturnType<typeof deployConsumer>>>>,
    proof?: Hex,
  ): TxRequest {
    const { request, output, requestId } = r;
    return {
      address: net.deployment.hub,
      abi: hubAbi,
      functionName: op,
      args: op === "commit" ? [requestId, request, output] : [requestId, request, output, proof],
      label: op,
      key: `${op}:${requestId}`,
      fallbackGasLimit: hubGasLimit({
        op,
        callbackGasLimit: request.callbackGasLimit,
        callbackFlags: request.callbackFlags,
        signals: output.length + request.input.length,
      }),
    };
  }

  it("commits and settles before the deadline although eth_estimateGas refuses (callback out of gas)", async () => {
    const request = await deployConsumer(net, MockInferenceConsumerMode.BurnGas);
    const r = await request([0.3, -0.2, 0.1, 0.4], 200_000, BOTH_CALLBACKS);
    const alerts: TxAlert[] = [];
    const clients = await nodeClients(net);
    const sender = createTxSender({
      clients,
      log: quietLog(),
      gas: TEST_GAS,
      dryRun: false,
      onAlert: (a) => alerts.push(a),
    });
    // The node refuses the estimate (what used to be retried until the proof deadline).
    const data = encodeFunctionData({ abi: hubAbi, functionName: "commit", args: [r.requestId, r.request, r.output] });
    await expect(
      clients.publicClient.estimateGas({ account: clients.account, to: net.deployment.hub, data }),
    ).rejects.toThrow(/runs out of gas/);

    const committed = await sender.send(hubCall("commit", r));
    if ("dryRun" in committed) throw new Error("not a dry run");
    expect(committed.receipt.status).toBe("success");
    const sentCommit = await net.publicClient.getTransaction({ hash: committed.hash });
    expect(sentCommit.gas).toBe(hubCall("commit", r).fallbackGasLimit);
    const commitEvents = parseEventLogs({ abi: hubAbi, logs: committed.receipt.logs, eventName: "CallbackCompleted" });
    expect(commitEvents.map((e) => e.args.success)).toEqual([false]); // the consumer burned its gas; the hub went on

    const settled = await sender.send(hubCall("settle", r, await proveRequest(net, r.request)));
    if ("dryRun" in settled) throw new Error("not a dry run");
    expect(settled.receipt.status).toBe("success");
    expect((await net.state(r.requestId)).status).toBe(RequestStatus.Settled);
    expect(alerts.filter((a) => a.kind === "estimateFailed").map((a) => a.label)).toEqual(["commit", "settle"]);
  });

  it("hubGasLimit covers what the hub needs with a callback, without a large surplus", async () => {
    const reserve = await net.publicClient.readContract({
      address: net.deployment.hub,
      abi: hubAbi,
      functionName: "CALLBACK_GAS_RESERVE",
    });
    expect(reserve).toBe(CALLBACK_GAS_RESERVE);
    const clients = await nodeClients(net);
    const request = await deployConsumer(net, MockInferenceConsumerMode.BurnGas);
    /** Least gas at which the call succeeds (binary search over eth_call, what estimation would do). */
    async function leastGas(tx: TxRequest): Promise<bigint> {
      const data = encodeFunctionData({ abi: tx.abi, functionName: tx.functionName, args: tx.args });
      const ok = (gas: bigint) =>
        clients.publicClient.call({ account: clients.account, to: tx.address, data, gas }).then(
          () => true,
          () => false,
        );
      let [lo, hi] = [21_000n, 8_000_000n];
      while (hi - lo > 256n) {
        const mid = (lo + hi) / 2n;
        if (await ok(mid)) hi = mid;
        else lo = mid;
      }
      return hi;
    }
    for (const [limit, flags] of [
      [0, 0],
      [100_000, BOTH_CALLBACKS],
      [500_000, BOTH_CALLBACKS],
    ] as const) {
      const r = await request([0.1, 0.1, 0.1, 0.1], limit, flags);
      const sender = createTxSender({ clients, log: quietLog(), gas: TEST_GAS, dryRun: false });
      for (const op of ["commit", "settle"] as const) {
        const tx = hubCall(op, r, op === "settle" ? await proveRequest(net, r.request) : undefined);
        const least = await leastGas(tx);
        expect(tx.fallbackGasLimit!).toBeGreaterThanOrEqual(least);
        expect(tx.fallbackGasLimit!).toBeLessThan(least + 120_000n);
        await sender.send(tx);
      }
    }
  });

  it("does not retry -32000 refusals that no retry can fix", async () => {
    const clients = await nodeClients(net);
    const request = await deployConsumer(net, MockInferenceConsumerMode.BurnGas);
    const r = await request([0.5, 0.5, 0.5, 0.5], 100_000, BOTH_CALLBACKS);
    const data = encodeFunctionData({ abi: hubAbi, functionName: "commit", args: [r.requestId, r.request, r.output] });
    let attempts = 0;
    const estimate = withRetry(
      () => {
        attempts++;
        return clients.publicClient.estimateGas({ account: clients.account, to: net.deployment.hub, data });
      },
      { baseDelayMs: 1 },
    );
    await expect(estimate).rejects.toMatchObject({ retryable: false });
    expect(attempts).toBe(1);

    const refusal = (message: string) =>
      classifyError(new RpcRequestError({ body: {}, error: { code: -32000, message }, url: net.chain.url }));
    for (const message of [
      "insufficient funds for gas * price + value",
      "nonce too low",
      "intrinsic gas too low",
      "exceeds block gas limit",
      "execution reverted",
      "Sender doesn't have enough funds to send tx. The max upfront cost is: 1 and the sender's balance is: 0.",
      "Transaction requires at least 21000 gas but got 20000",
    ]) {
      expect({ message, retryable: refusal(message).retryable }).toEqual({ message, retryable: false });
    }
    for (const message of ["header not found", "server busy", "replacement transaction underpriced"]) {
      expect({ message, retryable: refusal(message).retryable }).toEqual({ message, retryable: true });
    }
  });
});
