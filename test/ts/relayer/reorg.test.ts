import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestStatus } from "../../../abi/index.ts";
import { openStore } from "../../../relayer/store/store.ts";
import { startTestNetwork, type TestNetwork, waitFor } from "./harness.ts";

describe("reorg", () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await startTestNetwork();
  });
  afterAll(async () => {
    await net?.stop();
  });

  it("re-commits and re-settles when the blocks holding its commitment are dropped", async () => {
    const id = await net.request([0.4, 0.3, -0.2, 0.1]);
    const checkpoint = await net.chain.checkpoint();
    const { relayer, config } = await net.runRelayer({ gas: { stuckAfterMs: 2_000, maxBumps: 5, bumpPercent: 25 } });
    await waitFor(async () => (await net.state(id)).status === RequestStatus.Settled, 120_000, "first settlement");
    const firstSettleBlock = await net.publicClient.getBlockNumber();

    // Drop every block after the request: the commitment and the settlement vanish (hardhat: evm_revert,
    // the chain gets shorter; anvil: anvil_reorg, new blocks at the same heights).
    const depth = firstSettleBlock - checkpoint.block;
    expect(depth).toBeGreaterThanOrEqual(2n);
    await net.chain.reorgTo(checkpoint);
    expect((await net.state(id)).status).toBe(RequestStatus.Requested);

    await waitFor(
      async () => (await net.state(id)).status === RequestStatus.Settled,
      120_000,
      "settlement after the reorg",
    );
    const st = await net.state(id);
    expect(st.node.toLowerCase()).toBe(relayer.address.toLowerCase());
    expect(await net.publicClient.getBlockNumber()).toBeLessThanOrEqual(
      firstSettleBlock + 2n + (net.chain.kind === "anvil" ? depth : 0n),
    );
    const store = openStore(join(config.dataDir, "relayer.sqlite"));
    try {
      await waitFor(() => store.getJob(id)?.state === "settled", 30_000, "the store to record the settlement");
    } finally {
      store.close();
    }
  });
});
