import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestStatus } from "../../../abi/index.ts";
import { openStore } from "../../../relayer/store/store.ts";
import { startTestNetwork, type TestNetwork, waitFor } from "./harness.ts";

describe("dry run", () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await startTestNetwork();
  });
  afterAll(async () => {
    await net?.stop();
  });

  it("infers and passes the commitment's pre-flight but sends no transaction", async () => {
    const id = await net.request([0.1, 0.9, -0.3, 0.4]);
    const { relayer, config } = await net.runRelayer({ dryRun: true });
    const nonceBefore = await net.publicClient.getTransactionCount({ address: relayer.address });
    const store = openStore(join(config.dataDir, "relayer.sqlite"));
    try {
      await waitFor(() => store.getJob(id)?.state === "simulated", 60_000, "the dry-run outcome");
      expect(store.getJob(id)!.outputJson).toMatch(/n"\]$/);
    } finally {
      store.close();
    }
    expect((await net.state(id)).status).toBe(RequestStatus.Requested);
    expect(await net.publicClient.getTransactionCount({ address: relayer.address })).toBe(nonceBefore);
  });
});
