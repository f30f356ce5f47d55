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
    const snapshot = await net.rpc("evm_snapshot");
    const { relayer, config } = await net.runRelayer({ gas: { stuckAfterMs: 2_000, maxBumps: 5, bumpPercent: 25 } });
    await waitFor(async () => (await net.state(id)).status === RequestStatus.Settled, 120_000, "first settlement");
    const firstSettleBlock = await net.publicClient.getBlockNumber();

    // Drop every block after the request: the commitment and the settlement vanish.
    expect(await net.rpc("evm_revert", [snapshot])).toBe(true);
    expect((await net.state(id)).status).toBe(RequestStatus.Requested);

    await waitFor(
      async () => (await net.state(id)).status === RequestStatus.Settled,
      120_000,
      "settlement after the reorg",
    );
    const st = await net.state(id);
    expect(st.node.toLowerCase()).toBe(relayer.address.toLowerCase());
    expect(await net.publicClient.getBlockNumber()).toBeLessThanOrEqual(firstSettleBlock + 2n);
    const store = openStore(join(config.dataDir, "relayer.sqlite"));
    try {
      await waitFor(() => store.getJob(id)?.state === "settled", 30_000, "the store to record the settlement");
    } finally {
      store.close();
    }
  });
});
