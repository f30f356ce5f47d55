import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestStatus } from "../../../abi/index.ts";
import { openStore } from "../../../relayer/store/store.ts";
import { TEST_NODE } from "../support/testNode.ts";
import { startTestNetwork, type TestNetwork, waitFor } from "./harness.ts";

describe(`relayer lifecycle on a real ${TEST_NODE} node`, () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await startTestNetwork();
  });
  afterAll(async () => {
    await net?.stop();
  });

  it("commits, proves, settles and withdraws; rejects malformed input without blocking others or paying for it", async () => {
    const { relayer, config } = await net.runRelayer({ withdrawThreshold: 1n });
    const good = await net.request([0.25, -0.5, 0.75, 0.1]);
    // Word count and field range pass the hub's checks, but stray high bits make it unpackable.
    const bad = await net.requestWords(
      Array.from({ length: net.model.manifest.publicSignals.input.words }, () => 2n ** 252n),
    );
    const good2 = await net.request([-0.3, 0.2, 0.9, -0.8]);

    for (const id of [good, good2]) {
      await waitFor(async () => (await net.state(id)).status === RequestStatus.Settled, 120_000, `settlement of ${id}`);
    }
    const st = await net.state(good);
    expect(st.node.toLowerCase()).toBe(relayer.address.toLowerCase());
    // Committed output equals the model's own inference.
    const store = openStore(join(config.dataDir, "relayer.sqlite"));
    try {
      const job = store.getJob(good)!;
      const expected = (await net.model.infer(net.model.quantizeInput([0.25, -0.5, 0.75, 0.1]))).outputWords;
      expect(job.outputJson).toContain(`${expected[0]}n`);
      await waitFor(() => store.getJob(bad)?.state === "rejected", 30_000, "rejection of the malformed request");
      expect(store.getJob(bad)!.error).toMatch(/malformed input/);
    } finally {
      store.close();
    }
    expect((await net.state(bad)).status).toBe(RequestStatus.Requested);

    // Earnings are withdrawn by the relayer (threshold 1 wei) to its own address.
    await waitFor(
      async () => {
        const [, earnings] = (await net.publicClient.readContract({
          address: net.deployment.hub,
          abi: net.hubAbi,
          functionName: "nodeAccount",
          args: [relayer.address],
        })) as readonly [bigint, bigint];
        return earnings === 0n;
      },
      60_000,
      "earnings withdrawal",
    );
    const balance = (await net.publicClient.readContract({
      address: net.deployment.token,
      abi: net.tokenAbi,
      functionName: "balanceOf",
      args: [relayer.address],
    })) as bigint;
    expect(balance).toBeGreaterThan(0n);

    // The node spends no gas on a request it rejected: past the commit deadline it sends no refund (the
    // refund is permissionless: the requester or anyone calls it), and the job stays final.
    const nonceBefore = await net.publicClient.getTransactionCount({ address: relayer.address });
    await net.rpc("evm_increaseTime", [3600]);
    await net.rpc("evm_mine");
    // Twenty polls: the old pipeline sent the refund on its first poll past the deadline.
    await new Promise((r) => setTimeout(r, 20 * config.pollIntervalMs));
    expect(await net.publicClient.getTransactionCount({ address: relayer.address })).toBe(nonceBefore);
    expect((await net.state(bad)).status).toBe(RequestStatus.Requested);
    const after = openStore(join(config.dataDir, "relayer.sqlite"));
    try {
      expect(after.getJob(bad)!.state).toBe("rejected");
    } finally {
      after.close();
    }

    const metrics = await (await fetch(`${relayer.operationsUrl}/metrics`)).text();
    expect(metrics).toMatch(/opg_relayer_jobs\{state="settled"\} 2/);
    expect(metrics).toMatch(/opg_relayer_proving_seconds_count 2/);
    const health = (await (await fetch(`${relayer.operationsUrl}/healthz`)).json()) as { rpc: boolean };
    expect(health.rpc).toBe(true);
  });
});
