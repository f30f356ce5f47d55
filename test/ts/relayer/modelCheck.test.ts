import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNetwork, type TestNetwork } from "./harness.ts";

/** A node must not serve a model package other than the one registered (it could not prove its outputs). */
describe("model check at start-up", () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await startTestNetwork();
  });
  afterAll(async () => {
    await net?.stop();
  });

  it("refuses to start with a model directory whose manifest is not the registered one", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "opg-model-")), "tiny");
    cpSync(net.modelDir, dir, { recursive: true });
    const manifest = join(dir, "manifest.json");
    // Same model, other bytes: the registered hash no longer matches.
    writeFileSync(manifest, `${readFileSync(manifest, "utf8")}\n`);
    await expect(net.runRelayer({ models: [{ modelId: BigInt(net.deployment.modelId), dir }] })).rejects.toThrow(
      /is not the model registered on chain.*manifest hash/s,
    );
    // The registered package itself starts.
    const { relayer } = await net.runRelayer();
    expect(relayer.address).toMatch(/^0x/);
  });
});
