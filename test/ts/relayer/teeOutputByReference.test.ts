import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Address, type Hex, keccak256, stringToBytes } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestStatus } from "../../../abi/index.ts";
import { DEV_ENCLAVE_KEY, type LocalTeeDeployment, provisionLocalTee } from "../../../relayer/dev/localTee.ts";
import { ocrSample } from "../../../relayer/dev/teeSamples.ts";
import { openStore } from "../../../relayer/store/store.ts";
import {
  decodeInlineTensor,
  decodeTensorReference,
  fetchTeeOutputs,
  parseTeeManifest,
  type TeeManifest,
  tensorToBytes,
} from "../../../sdk/index.ts";
import {
  type EnclaveDouble,
  freePort,
  registerDevKey,
  requestByReference,
  settledResult,
  startEnclaveDouble,
} from "../support/enclave/teeTestKit.ts";
import { startTestNetwork, type TestNetwork, waitFor } from "./harness.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");
/** The OCR classifier with its softmax returned by reference (a test fixture, registered as a second model). */
const OUTPUT_BY_REFERENCE_MANIFEST = join(ROOT, "test/ts/fixtures/tee/ppocr-cls-output-by-reference/manifest.json");

describe("TEE outputs by reference: published by the relayer, signed by hash, fetched and verified by the SDK", () => {
  let net: TestNetwork;
  let inline: LocalTeeDeployment;
  let byReference: LocalTeeDeployment;
  let manifests: { inline: TeeManifest; byReference: TeeManifest };
  let contentDir: string;
  const enclaves: EnclaveDouble[] = [];

  beforeAll(async () => {
    net = await startTestNetwork();
    inline = await provisionLocalTee(net.deployment);
    byReference = await provisionLocalTee({ ...net.deployment, manifestPath: OUTPUT_BY_REFERENCE_MANIFEST });
    const read = (path: string) => parseTeeManifest(JSON.parse(readFileSync(path, "utf8")));
    manifests = { inline: read(inline.manifest), byReference: read(byReference.manifest) };
    contentDir = mkdtempSync(join(tmpdir(), "opg-tee-content-"));
  });
  afterAll(async () => {
    for (const enclave of enclaves) await enclave.stop();
    await net?.stop();
  });

  const requestSample = (model: LocalTeeDeployment, name: string, tensor: Float32Array) =>
    requestByReference(net, { model, manifest: manifests.inline, dir: contentDir, name, tensor });
  const settledOutput = async (requestId: Hex, node: Address) => (await settledResult(net, requestId, node)).output;

  async function teeRelayer(
    signer: { kind: "dev"; privateKey: Hex } | { kind: "remote"; url: string },
    publish: { port: number; publicBaseUrl?: string },
  ) {
    return net.runRelayer({
      logLevel: (process.env.TEE_TEST_LOG ?? "warn") as "warn",
      models: [],
      teeModels: [
        { modelId: BigInt(inline.modelId), manifest: inline.manifest, signer },
        { modelId: BigInt(byReference.modelId), manifest: byReference.manifest, signer },
      ],
      metrics: { host: "127.0.0.1", port: publish.port, enabled: true },
      tee: {
        allowFileUris: true,
        fetchTimeoutMs: 5_000,
        contentStore: { publicBaseUrl: publish.publicBaseUrl },
      },
    });
  }

  /** Starts the enclave test double for the by-reference model with a key derived from `seed`, registered. */
  async function startEnclave(seed: string, env: Record<string, string> = {}): Promise<string> {
    const enclave = await startEnclaveDouble(byReference.manifest, keccak256(stringToBytes(seed)), { env });
    enclaves.push(enclave);
    await registerDevKey(net, byReference, enclave.signer);
    return enclave.url;
  }

  /** A relayer serving only the by-reference model through the enclave at `url`, publishing on a free port. */
  async function remoteRelayer(url: string) {
    const port = await freePort();
    const publicBaseUrl = `http://127.0.0.1:${port}`;
    const { relayer, config } = await net.runRelayer({
      logLevel: (process.env.TEE_TEST_LOG ?? "warn") as "warn",
      models: [],
      teeModels: [
        { modelId: BigInt(byReference.modelId), manifest: byReference.manifest, signer: { kind: "remote", url } },
      ],
      metrics: { host: "127.0.0.1", port, enabled: true },
      tee: { allowFileUris: true, fetchTimeoutMs: 5_000, contentStore: { publicBaseUrl } },
    });
    return { relayer, config, publicBaseUrl };
  }

  it("refuses to start a model with outputs by reference without tee.contentStore.publicBaseUrl", async () => {
    await expect(teeRelayer({ kind: "dev", privateKey: DEV_ENCLAVE_KEY }, { port: 0 })).rejects.toThrow(
      /returns softmax_0\.tmp_0 by reference: set tee\.contentStore\.publicBaseUrl/,
    );
  });

  it("dev signer: settled by reference, fetched from /content/<hash>, the same values as the inline model", async () => {
    const port = await freePort();
    const publicBaseUrl = `http://127.0.0.1:${port}`;
    const { relayer, config } = await teeRelayer({ kind: "dev", privateKey: DEV_ENCLAVE_KEY }, { port, publicBaseUrl });
    const sample = ocrSample("Hello", { seed: 11, rotated: true }).tensor;
    const [inlineId, referenceId] = [
      await requestSample(inline, "inline", sample),
      await requestSample(byReference, "by-reference", sample),
    ];
    const inlineValues = decodeInlineTensor(manifests.inline.outputs[0]!, [
      ...(await settledOutput(inlineId, relayer.address)),
    ]);
    const words = await settledOutput(referenceId, relayer.address);

    // The signed words carry the content's hash and the relayer's URL for it.
    const reference = decodeTensorReference(manifests.byReference.outputs[0]!, words);
    expect(reference.uri).toBe(`${publicBaseUrl}/content/${reference.contentHash}`);
    const res = await fetch(reference.uri);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toContain("immutable");
    const served = new Uint8Array(await res.arrayBuffer());
    expect(keccak256(served)).toBe(reference.contentHash);
    expect(served).toEqual(tensorToBytes(manifests.byReference.outputs[0]!, inlineValues));

    // The SDK fetches and verifies it: the real model's values, identical to the inline variant's (180°).
    const [values] = await fetchTeeOutputs(manifests.byReference, words);
    expect(values).toEqual(inlineValues);
    expect(values![1]).toBeGreaterThan(0.9);

    // A tampered file is refused by the server (500), and bytes that do not match are refused by the SDK.
    const stored = join(config.dataDir, "content", reference.contentHash);
    const tampered = new Uint8Array(readFileSync(stored));
    tampered[0] = tampered[0]! ^ 1;
    writeFileSync(stored, tampered);
    expect((await fetch(reference.uri)).status).toBe(500);
    const lyingServer = async () => new Response(tampered);
    await expect(fetchTeeOutputs(manifests.byReference, words, { fetch: lyingServer })).rejects.toThrow(
      /content-mismatch: softmax_0\.tmp_0: content at .* does not match its hash/,
    );
    expect((await fetch(`${publicBaseUrl}/content/not-a-hash`)).status).toBe(400);
    await relayer.stop();
  });

  it("remote signer: the enclave encodes the output under the relayer's content URL and returns its bytes", async () => {
    const url = await startEnclave("enclave test double key, outputs by reference");
    const { relayer, publicBaseUrl } = await remoteRelayer(url);
    const id = await requestSample(byReference, "remote", ocrSample("TEE on", { seed: 3 }).tensor);
    const words = await settledOutput(id, relayer.address);
    expect(decodeTensorReference(manifests.byReference.outputs[0]!, words).uri).toMatch(
      new RegExp(`^${publicBaseUrl}/content/0x[0-9a-f]{64}$`),
    );
    const [values] = await fetchTeeOutputs(manifests.byReference, words);
    expect(values![0]).toBeGreaterThan(0.9);
    await relayer.stop();
  });

  it("refuses an enclave whose returned content is not what it signed: nothing published, no transaction", async () => {
    const url = await startEnclave("a lying enclave test double key", { ENCLAVE_TEST_DOUBLE_LIE: "content" });
    const { relayer, config } = await remoteRelayer(url);
    const nonce = await net.publicClient.getTransactionCount({ address: relayer.address });
    const id = await requestSample(byReference, "lied-about", ocrSample("TEE on", { seed: 4 }).tensor);
    const store = openStore(join(config.dataDir, "relayer.sqlite"));
    try {
      // Not retryable: parked after five refusals in a row (backoff 1 + 2 + 4 + 8 s).
      await waitFor(() => store.getJob(id)?.state === "failed", 60_000, "the job to be parked");
      expect(store.getJob(id)!.error).toMatch(/softmax_0\.tmp_0: content at .* does not match its hash/);
    } finally {
      store.close();
    }
    expect(readdirSync(join(config.dataDir, "content"))).toEqual([]);
    expect(await net.publicClient.getTransactionCount({ address: relayer.address })).toBe(nonce);
    expect((await net.state(id)).status).toBe(RequestStatus.Requested);
    await relayer.stop();
  });
});
