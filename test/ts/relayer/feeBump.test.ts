import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestStatus } from "../../../abi/index.ts";
import { openStore } from "../../../relayer/store/store.ts";
import { startTestNetwork, type TestNetwork, waitFor } from "./harness.ts";

describe("stuck transactions", () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await startTestNetwork();
  });
  afterAll(async () => {
    await net?.stop();
  });

  it("replaces a commitment that is not mined with one paying higher fees, same nonce", async () => {
    const id = await net.request([0.2, 0.2, -0.2, 0.2]);
    const fees = await net.publicClient.estimateFeesPerGas();
    await net.rpc("evm_setAutomine", [false]);
    const { config } = await net.runRelayer({ gas: { stuckAfterMs: 600, maxBumps: 10, bumpPercent: 25 } }, "silent");
    const store = openStore(join(config.dataDir, "relayer.sqlite"));
    try {
      await waitFor(() => store.getJob(id)?.commitTx != null, 60_000, "the first commitment to be sent");
      const first = store.getJob(id)!.commitTx!;
      await waitFor(() => store.getJob(id)?.commitTx !== first, 60_000, "a replacement");
      const replacement = store.getJob(id)!.commitTx! as `0x${string}`;
      await net.rpc("evm_mine");
      await net.rpc("evm_setAutomine", [true]);
      await waitFor(async () => (await net.state(id)).status === RequestStatus.Settled, 120_000, "settlement");

      const mined = await net.publicClient.getTransaction({ hash: replacement });
      const original = await net.publicClient.getTransaction({ hash: first as `0x${string}` }).catch(() => undefined);
      expect(mined.blockNumber).not.toBeNull();
      expect(mined.maxFeePerGas!).toBeGreaterThan((fees.maxFeePerGas * 125n) / 100n);
      // The original was replaced, not mined beside it.
      expect(original?.blockNumber ?? null).toBeNull();
    } finally {
      store.close();
    }
  });
});
