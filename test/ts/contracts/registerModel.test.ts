import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keccak256, parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestStatus, testCircuitBatchVerifierAbi } from "../../../abi/index.ts";
import { readArtifact } from "../../../deploy/artifacts.ts";
import { registerCompiledModel } from "../../../deploy/registerModel.ts";
import { deployTestProtocol, TEST_CIRCUIT_DIR } from "../../../deploy/testProtocol.ts";

type Fixture = { input: string[]; output: string[]; proofBytes: `0x${string}` };

describe("registerCompiledModel", () => {
  let p: Awaited<ReturnType<typeof deployTestProtocol>>;
  /** A package compiled before the batch verifier: manifest.json + verifier.json (snarkjs'). */
  let legacyDir: string;
  /** A package as the model compiler writes it now: manifest.json, verifier.json and batch-verifier.json. */
  let modelDir: string;

  beforeAll(async () => {
    p = await deployTestProtocol();
    const snarkjs = readArtifact("TestCircuitGroth16Verifier");
    const batch = readArtifact("TestCircuitBatchVerifier");
    legacyDir = mkdtempSync(join(tmpdir(), "opg-model-"));
    modelDir = mkdtempSync(join(tmpdir(), "opg-model-"));
    for (const dir of [legacyDir, modelDir]) {
      writeFileSync(join(dir, "manifest.json"), JSON.stringify({ publicSignals: { inputWords: 2, outputWords: 1 } }));
      writeFileSync(join(dir, "verifier.json"), JSON.stringify({ abi: snarkjs.abi, bytecode: snarkjs.bytecode }));
    }
    writeFileSync(join(modelDir, "batch-verifier.json"), JSON.stringify({ abi: batch.abi, bytecode: batch.bytecode }));
  });

  afterAll(async () => {
    rmSync(legacyDir, { recursive: true, force: true });
    rmSync(modelDir, { recursive: true, force: true });
    await p?.connection.close();
  });

  /** Requests, commits and settles the committed `proof-b` fixture on `modelId`. */
  async function settleFixture(modelId: bigint) {
    const { accounts, hub, token, wait } = p;
    const fixture = JSON.parse(readFileSync(join(TEST_CIRCUIT_DIR, "proof-b.json"), "utf8")) as Fixture;
    const { requester, node } = accounts;
    await wait(await p.staking.write.optIn([modelId], { account: node.account }));
    const [, , total] = await hub.read.quote([modelId]);
    await wait(await token.write.approve([hub.address, total], { account: requester.account }));
    const receipt = await wait(
      await hub.write.request([modelId, fixture.input.map(BigInt), 0, 0, total], { account: requester.account }),
    );
    const [requested] = parseEventLogs({ abi: hub.abi, logs: receipt.logs, eventName: "Requested" });
    if (!requested) throw new Error("Requested not emitted");
    const { requestId, request } = requested.args;
    const output = fixture.output.map(BigInt);
    await wait(await hub.write.commit([requestId, request, output], { account: node.account }));
    await wait(
      await hub.write.settle([requestId, request, output, fixture.proofBytes], { account: requester.account }),
    );
    expect((await hub.read.requestState([requestId]))[0]).toBe(RequestStatus.Settled);
  }

  it("registers a compiled model's batch verifier itself, and the model settles a real proof", async () => {
    const { accounts, publicClient, registry } = p;
    const clients = { walletClient: accounts.other, publicClient };
    const model = await registerCompiledModel(clients, { registry: registry.address, modelDir, price: 1n });
    expect(model.verifierKind).toBe("batch");
    expect(model.adapter).toBeUndefined();
    const stored = await registry.read.getModel([model.modelId]);
    expect(stored.verifier.toLowerCase()).toBe(model.verifier.toLowerCase());
    const signalCount = await publicClient.readContract({
      address: model.verifier,
      abi: testCircuitBatchVerifierAbi,
      functionName: "publicSignalCount",
    });
    expect(signalCount).toBe(3n);
    await settleFixture(model.modelId);
  });

  it("deploys a package without a batch verifier behind an adapter, and the model settles a real proof", async () => {
    const { accounts, publicClient, registry } = p;
    const clients = { walletClient: accounts.other, publicClient };
    const model = await registerCompiledModel(clients, {
      registry: registry.address,
      modelDir: legacyDir,
      price: 1n,
    });
    expect(model.verifierKind).toBe("snarkjs");
    const stored = await registry.read.getModel([model.modelId]);
    expect(stored.verifier.toLowerCase()).toBe(model.adapter?.toLowerCase());
    expect(stored.owner.toLowerCase()).toBe(accounts.other.account.address.toLowerCase());
    expect(stored.manifestHash).toBe(keccak256(readFileSync(join(legacyDir, "manifest.json"))));
    expect([stored.inputWords, stored.outputWords]).toEqual([2, 1]);
    await settleFixture(model.modelId);
  });

  it("names the file when the manifest lacks word counts", async () => {
    const bad = mkdtempSync(join(tmpdir(), "opg-model-"));
    writeFileSync(join(bad, "manifest.json"), JSON.stringify({ publicSignals: { inputWords: 0 } }));
    const clients = { walletClient: p.accounts.other, publicClient: p.publicClient };
    await expect(
      registerCompiledModel(clients, { registry: p.registry.address, modelDir: bad, price: 0n }),
    ).rejects.toThrow(/manifest\.json/);
    rmSync(bad, { recursive: true, force: true });
  });
});
