import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { type Address, type Hex, keccak256, parseEventLogs, stringToBytes } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestStatus } from "../../../abi/index.ts";
import { insecureDevAttestation, registerEnclave } from "../../../deploy/registerTeeModel.ts";
import { localClients } from "../../../relayer/dev/localNetwork.ts";
import {
  DEV_ENCLAVE_KEY,
  DEV_ENCLAVE_PCRS,
  type LocalTeeDeployment,
  provisionLocalTee,
} from "../../../relayer/dev/localTee.ts";
import { ocrSample } from "../../../relayer/dev/teeSamples.ts";
import { openStore } from "../../../relayer/store/store.ts";
import {
  contentHash,
  decodeInlineTensor,
  encodeTensors,
  parseTeeManifest,
  request as sendRequest,
  type TeeManifest,
  tensorToBytes,
} from "../../../sdk/index.ts";
import { startTestNetwork, type TestNetwork, waitFor } from "./harness.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");
/**
 * Budget of one TEE settlement, all included (intrinsic 21,000 and calldata), for a node past its first
 * result: measured 77,908. A node's first result also writes its earnings slot from zero (≈ 95,000).
 */
const COMMIT_AND_SETTLE_GAS_BUDGET = 80_000n;

describe("TEE mode: the OCR text-direction classifier settled by commitAndSettle", () => {
  let net: TestNetwork;
  let tee: LocalTeeDeployment;
  let manifest: TeeManifest;
  let contentDir: string;
  let enclave: ChildProcess | undefined;

  beforeAll(async () => {
    net = await startTestNetwork();
    tee = await provisionLocalTee(net.deployment);
    manifest = parseTeeManifest(JSON.parse(readFileSync(tee.manifest, "utf8")));
    contentDir = mkdtempSync(join(tmpdir(), "opg-tee-content-"));
  });
  afterAll(async () => {
    enclave?.kill("SIGTERM");
    await net?.stop();
  });

  /** Writes a sample's tensor as a file and requests the model on it by reference; returns the request id. */
  async function requestSample(name: string, tensor: Float32Array, tamper = false): Promise<Hex> {
    const bytes = tensorToBytes(manifest.inputs[0]!, tensor);
    const path = join(contentDir, `${name}.f32`);
    const reference = { contentHash: contentHash(bytes), uri: pathToFileURL(path).toString() };
    if (tamper) bytes[100] = bytes[100]! ^ 1;
    writeFileSync(path, bytes);
    const requester = localClients(net.chain.url, net.deployment.chainId, net.deployment.keys.requester);
    const input = encodeTensors(manifest.inputs, { x: reference });
    const modelId = BigInt(tee.modelId);
    return (await sendRequest(requester, { hub: net.deployment.hub, modelId, input, maxTotalFee: 2n ** 96n }))
      .requestId;
  }

  function teeRelayer(signer: { kind: "dev"; privateKey: Hex } | { kind: "remote"; url: string }) {
    return net.runRelayer({
      logLevel: (process.env.TEE_TEST_LOG ?? "warn") as "warn",
      models: [],
      teeModels: [{ modelId: BigInt(tee.modelId), manifest: tee.manifest, signer }],
      tee: { allowFileUris: true, fetchTimeoutMs: 5_000 },
    });
  }

  async function hubRead<const fn extends "pendingBurn" | "nodeAccount">(
    functionName: fn,
    args: readonly Address[] = [],
  ) {
    return net.publicClient.readContract({ address: net.deployment.hub, abi: net.hubAbi, functionName, args } as never);
  }

  async function settle(requestId: Hex, node: Address) {
    await waitFor(async () => (await net.state(requestId)).status === RequestStatus.Settled, 60_000, "settlement");
    expect((await net.state(requestId)).node.toLowerCase()).toBe(node.toLowerCase());
    const logs = await net.publicClient.getContractEvents({
      address: net.deployment.hub,
      abi: net.hubAbi,
      eventName: "Settled",
      args: { requestId },
      fromBlock: 0n,
    });
    const receipt = await net.publicClient.getTransactionReceipt({ hash: logs[0]!.transactionHash });
    const committed = parseEventLogs({ abi: net.hubAbi, logs: receipt.logs, eventName: "Committed" });
    return { receipt, settled: logs[0]!, output: committed[0]!.args.output as readonly bigint[] };
  }

  /** Prints a receipt's gas split into intrinsic, calldata (EIP-2028 prices) and execution. */
  async function reportGas(what: string, receipt: { gasUsed: bigint; transactionHash: Hex }) {
    const tx = await net.publicClient.getTransaction({ hash: receipt.transactionHash });
    const bytes = Buffer.from(tx.input.slice(2), "hex");
    const zeros = bytes.filter((b) => b === 0).length;
    const calldata = 4 * zeros + 16 * (bytes.length - zeros);
    const execution = Number(receipt.gasUsed) - 21_000 - calldata;
    console.info(
      `commitAndSettle gas (${what}): ${receipt.gasUsed} = 21000 intrinsic + ${calldata} calldata (${bytes.length} bytes, ${zeros} zero) + ${execution} execution`,
    );
  }

  it("dev signer: request by reference → signed result → one commitAndSettle → settled, fee burned, node paid", async () => {
    const { relayer, config } = await teeRelayer({ kind: "dev", privateKey: DEV_ENCLAVE_KEY });
    const burnBefore = (await hubRead("pendingBurn")) as bigint;
    const [, earningsBefore] = (await hubRead("nodeAccount", [relayer.address])) as readonly [bigint, bigint];

    const upright = await requestSample("upright", ocrSample("Hello", { seed: 1 }).tensor);
    const first = await settle(upright, relayer.address);
    const rotated = await requestSample("rotated", ocrSample("Hello", { seed: 2, rotated: true }).tensor);
    const second = await settle(rotated, relayer.address);

    // The committed outputs are the real model's: upright reads 0°, the rotated line 180°.
    expect(decodeInlineTensor(manifest.outputs[0]!, [...first.output])[0]).toBeGreaterThan(0.9);
    expect(decodeInlineTensor(manifest.outputs[0]!, [...second.output])[1]).toBeGreaterThan(0.9);

    const fees = [first.settled.args, second.settled.args];
    const burned = fees.reduce((sum, f) => sum + f.settlementFeeBurned!, 0n);
    const paid = fees.reduce((sum, f) => sum + f.modelFee! + f.callbackFee!, 0n);
    expect(burned).toBeGreaterThan(0n);
    expect(((await hubRead("pendingBurn")) as bigint) - burnBefore).toBe(burned);
    const [, earningsAfter] = (await hubRead("nodeAccount", [relayer.address])) as readonly [bigint, bigint];
    expect(earningsAfter - earningsBefore).toBe(paid);

    // One transaction per request, straight from Requested to Settled.
    for (const { receipt } of [first, second]) expect(receipt.status).toBe("success");
    await reportGas("first result of a node (earnings slot written from zero)", first.receipt);
    await reportGas("later results", second.receipt);
    expect(second.receipt.gasUsed).toBeLessThanOrEqual(COMMIT_AND_SETTLE_GAS_BUDGET);
    const store = openStore(join(config.dataDir, "relayer.sqlite"));
    try {
      // The chain settles before the relayer reads the receipt and records it.
      await waitFor(() => store.getJob(upright)?.state === "settled", 30_000, "the relayer to record the settlement");
      const job = store.getJob(upright)!;
      expect(job.proofBytes).toMatch(/^0x[0-9a-f]{146}$/);
      expect(job.settleGas).toBe(first.receipt.gasUsed.toString());
    } finally {
      store.close();
    }
    await relayer.stop();
  });

  it("rejects content that does not match its hash without any transaction", async () => {
    const { relayer, config } = await teeRelayer({ kind: "dev", privateKey: DEV_ENCLAVE_KEY });
    const nonce = await net.publicClient.getTransactionCount({ address: relayer.address });
    const id = await requestSample("tampered", ocrSample("Hello", { seed: 5 }).tensor, true);
    const store = openStore(join(config.dataDir, "relayer.sqlite"));
    try {
      await waitFor(() => store.getJob(id)?.state === "rejected", 30_000, "rejection");
      expect(store.getJob(id)!.error).toMatch(/does not match its hash/);
    } finally {
      store.close();
    }
    expect((await net.state(id)).status).toBe(RequestStatus.Requested);
    expect(await net.publicClient.getTransactionCount({ address: relayer.address })).toBe(nonce);
    await relayer.stop();
  });

  it("catches a signer whose key the registry does not hold before sending: no gas spent", async () => {
    const rogueKey = keccak256(stringToBytes("an enclave key nobody attested"));
    const { relayer, config } = await teeRelayer({ kind: "dev", privateKey: rogueKey });
    const balance = await net.publicClient.getBalance({ address: relayer.address });
    const nonce = await net.publicClient.getTransactionCount({ address: relayer.address });
    const id = await requestSample("rogue", ocrSample("Hello", { seed: 6 }).tensor);
    const store = openStore(join(config.dataDir, "relayer.sqlite"));
    try {
      // The signer is asked three times (2 + 4 s apart: a rotated enclave may register a new key), then parked.
      await waitFor(() => store.getJob(id)?.state === "failed", 60_000, "the job to be parked");
      expect(store.getJob(id)!.error).toMatch(/^signerKeyInactive: enclave key 0x[0-9a-fA-F]{40} is not registered/);
      expect(store.getJob(id)!.commitTx).toBeNull();
    } finally {
      store.close();
    }
    expect(await net.publicClient.getTransactionCount({ address: relayer.address })).toBe(nonce);
    expect(await net.publicClient.getBalance({ address: relayer.address })).toBe(balance);
    expect((await net.state(id)).status).toBe(RequestStatus.Requested);
    await relayer.stop();
  });

  it("remote signer: an enclave process (test double) runs the model and signs; settled", async () => {
    const enclaveKey = keccak256(stringToBytes("enclave test double key"));
    enclave = spawn(
      process.execPath,
      ["--import", "tsx", join(ROOT, "test/ts/support/enclave/enclaveTestDouble.ts"), tee.manifest],
      { cwd: ROOT, env: { ...process.env, ENCLAVE_TEST_DOUBLE_KEY: enclaveKey }, stdio: ["ignore", "pipe", "inherit"] },
    );
    const [line] = await Promise.race([
      createInterface({ input: enclave.stdout! })
        [Symbol.asyncIterator]()
        .next()
        .then((r) => [r.value as string]),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("enclave double did not start")), 60_000)),
    ]);
    const { url, signer } = JSON.parse(line!) as { url: string; signer: Address };
    expect(signer).toBe(privateKeyToAccount(enclaveKey).address);
    // Its key is vouched for by the INSECURE dev adapter under the approved dev measurement.
    const deployer = localClients(net.chain.url, net.deployment.chainId, net.deployment.keys.deployer);
    const { timestamp } = await net.publicClient.getBlock({ blockTag: "latest" });
    const attestation = insecureDevAttestation({ signer, timestampMs: timestamp * 1000n, pcrs: DEV_ENCLAVE_PCRS });
    await registerEnclave(deployer, { enclaveRegistry: tee.enclaveRegistry, adapter: tee.devAdapter, attestation });

    const { relayer } = await teeRelayer({ kind: "remote", url });
    const id = await requestSample("remote", ocrSample("TEE on", { seed: 3 }).tensor);
    const { receipt, output } = await settle(id, relayer.address);
    expect(decodeInlineTensor(manifest.outputs[0]!, [...output])[0]).toBeGreaterThan(0.9);
    await reportGas("remote signer", receipt);
    expect(receipt.gasUsed).toBeLessThanOrEqual(COMMIT_AND_SETTLE_GAS_BUDGET);
    await relayer.stop();
  });
});
