import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AbiFunction,
  type Address,
  decodeFunctionData,
  getAbiItem,
  type Hex,
  keccak256,
  parseEventLogs,
  parseGwei,
  recoverTypedDataAddress,
  slice,
  stringToBytes,
  toFunctionSelector,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enclaveRegistryAbi, type HubRequest, inferenceHubWithErrorsAbi, RequestStatus } from "../../../abi/index.ts";
import { localClients } from "../../../relayer/dev/localNetwork.ts";
import { type LocalTeeDeployment, provisionLocalTee } from "../../../relayer/dev/localTee.ts";
import { ocrSample } from "../../../relayer/dev/teeSamples.ts";
import { openStore, type Store } from "../../../relayer/store/store.ts";
import { parseTeeManifest, refund, type TeeManifest, writeAndWait } from "../../../sdk/index.ts";
import { hashWords, teeResultTypedData } from "../../../tee/index.ts";
import {
  type EnclaveDouble,
  freePort,
  registerDevKey,
  requestByReference,
  settledResult,
  startEnclaveDouble,
} from "../support/enclave/teeTestKit.ts";
import { type FaultyProxy, startFaultyProxy } from "../support/faultyRpcProxy.ts";
import { startTestNetwork, type TestNetwork, waitFor } from "./harness.ts";

/** The selector of `commitAndSettle` as it appears in a JSON-RPC body's call data (hex without 0x). */
const COMMIT_AND_SETTLE_SELECTOR = toFunctionSelector(
  getAbiItem({ abi: inferenceHubWithErrorsAbi, name: "commitAndSettle" }) as AbiFunction,
).slice(2);

describe("TEE: the signing key is revoked after a result was signed and stored", () => {
  let net: TestNetwork;
  let tee: LocalTeeDeployment;
  let manifest: TeeManifest;
  let contentDir: string;
  let proxy: FaultyProxy;
  /**
   * While true every pre-flight `eth_call` of `commitAndSettle` answers 503: a signed result waits, stored, and no
   * transaction is signed or broadcast (holding the broadcast instead would let one out, already simulated, after
   * the key is revoked: a race this test must not depend on).
   */
  let holdSends = true;
  const enclaves: EnclaveDouble[] = [];

  beforeAll(async () => {
    net = await startTestNetwork();
    tee = await provisionLocalTee(net.deployment);
    manifest = parseTeeManifest(JSON.parse(readFileSync(tee.manifest, "utf8")));
    contentDir = mkdtempSync(join(tmpdir(), "opg-tee-content-"));
    proxy = await startFaultyProxy(net.chain.url, {
      schedule: (_n, methods, body) =>
        holdSends && methods.includes("eth_call") && body.includes(COMMIT_AND_SETTLE_SELECTOR) ? "5xx" : "none",
    });
  });
  afterAll(async () => {
    for (const enclave of enclaves) await enclave.stop();
    await proxy?.close();
    await net?.stop();
  });

  type TeeSigner = { kind: "dev"; privateKey: Hex } | { kind: "remote"; url: string };

  function relayerThroughProxy(signer: TeeSigner) {
    return net.runRelayer({
      logLevel: (process.env.TEE_TEST_LOG ?? "warn") as "warn",
      rpcUrls: [proxy.url],
      wsUrl: false,
      models: [],
      teeModels: [{ modelId: BigInt(tee.modelId), manifest: tee.manifest, signer }],
      tee: { allowFileUris: true, fetchTimeoutMs: 5_000 },
    });
  }

  /**
   * Starts a relayer with `signer` whose settlements are held back, and sends it a request (a sample drawn with
   * `seed`); returns the relayer, its nonce before, the request id and its store (close it).
   */
  async function heldRequest(signer: TeeSigner, seed: number) {
    holdSends = true;
    const { relayer, config } = await relayerThroughProxy(signer);
    const nonce = await net.publicClient.getTransactionCount({ address: relayer.address });
    const tensor = ocrSample("Hello", { seed }).tensor;
    const id = await requestByReference(net, { model: tee, manifest, dir: contentDir, name: `held-${seed}`, tensor });
    return { relayer, nonce, id, store: openStore(join(config.dataDir, "relayer.sqlite")) };
  }

  /** `heldRequest` served by the dev signer with a new registered key derived from `label`; returns its signer too. */
  async function heldDevRequest(label: string, seed: number) {
    const key = keccak256(stringToBytes(label));
    const signer = privateKeyToAccount(key).address;
    await registerDevKey(net, tee, signer);
    return { signer, ...(await heldRequest({ kind: "dev", privateKey: key }, seed)) };
  }

  /** Waits until the job is parked because `signer`'s key is revoked. */
  async function parkedForRevokedKey(store: Store, requestId: Hex, signer: Address): Promise<void> {
    await waitFor(() => store.getJob(requestId)?.state === "failed", 60_000, "the job to be parked");
    expect(store.getJob(requestId)!.error).toMatch(new RegExp(`^signerKeyInactive: enclave key ${signer} is revoked`));
  }

  async function revokeKey(signer: Address): Promise<void> {
    const deployer = localClients(net.chain.url, net.deployment.chainId, net.deployment.keys.deployer);
    await writeAndWait(deployer, {
      contractName: "EnclaveRegistry",
      address: tee.enclaveRegistry,
      abi: enclaveRegistryAbi,
      functionName: "revokeKey",
      args: [signer],
    });
  }

  /**
   * Leaves nothing servable for a later test's relayer (each reads every request from the hub's start and would
   * sign an open one too): moves past the request's commit deadline and refunds it.
   */
  async function refundPastDeadline(requestId: Hex): Promise<void> {
    const { deadline } = await net.state(requestId);
    const head = await net.publicClient.getBlock();
    await net.rpc("evm_increaseTime", [Number(deadline - head.timestamp) + 1]);
    await net.rpc("evm_mine");
    const anyone = localClients(net.chain.url, net.deployment.chainId, net.deployment.keys.deployer);
    await refund(anyone, { hub: net.deployment.hub, requestId });
    expect((await net.state(requestId)).status).toBe(RequestStatus.Refunded);
  }

  /** Waits until the relayer has persisted a signed result for the request (its transaction held back). */
  async function storedSignature(store: Store, requestId: Hex): Promise<Hex> {
    await waitFor(() => Boolean(store.getJob(requestId)?.proofBytes), 60_000, "a stored signed result");
    return store.getJob(requestId)!.proofBytes as Hex;
  }

  /** The key that signed the `commitAndSettle` of transaction `hash`. */
  async function settlementSigner(hash: Hex, requestId: Hex, node: Address): Promise<Address> {
    const tx = await net.publicClient.getTransaction({ hash });
    const { args } = decodeFunctionData({ abi: net.hubAbi, data: tx.input });
    const [, req, output, signature] = args as unknown as [Hex, HubRequest, readonly bigint[], Hex];
    const typed = teeResultTypedData(
      { chainId: net.deployment.chainId, verifier: req.verifier },
      {
        hub: net.deployment.hub,
        requestId,
        modelId: req.modelId,
        inputHash: hashWords(req.input),
        outputHash: hashWords(output),
        node,
        expiry: BigInt(slice(signature, 0, 8)),
      },
    );
    return recoverTypedDataAddress({ ...typed, signature: slice(signature, 8) });
  }

  async function metric(opsUrl: string, line: RegExp): Promise<number> {
    const text = await (await fetch(`${opsUrl}/metrics`)).text();
    return Number(line.exec(text)?.[1] ?? Number.NaN);
  }

  it("remote signer: the enclave restarts with a new registered key; the job is signed again and settles with it", async () => {
    const port = await freePort();
    const first = await startEnclaveDouble(tee.manifest, keccak256(stringToBytes("enclave key before the reboot")), {
      port,
    });
    enclaves.push(first);
    await registerDevKey(net, tee, first.signer);
    const { relayer, nonce, id, store } = await heldRequest({ kind: "remote", url: first.url }, 21);
    try {
      const before = await storedSignature(store, id);
      // The enclave reboots with a new key (same URL), which is registered; then the old key is revoked.
      await first.stop();
      const second = await startEnclaveDouble(tee.manifest, keccak256(stringToBytes("enclave key after the reboot")), {
        port,
      });
      enclaves.push(second);
      await registerDevKey(net, tee, second.signer);
      await revokeKey(first.signer);
      holdSends = false;

      const { hash } = await settledResult(net, id, relayer.address);
      expect(await settlementSigner(hash, id, relayer.address)).toBe(second.signer);
      // The chain settles before the relayer reads the receipt and records it.
      await waitFor(() => store.getJob(id)?.state === "settled", 30_000, "the relayer to record the settlement");
      expect(store.getJob(id)!.proofBytes).not.toBe(before);
      // One transaction, the settlement: nothing was sent with the revoked key.
      expect(await net.publicClient.getTransactionCount({ address: relayer.address })).toBe(nonce + 1);
      expect(await metric(relayer.operationsUrl!, /^opg_relayer_tee_key_refused_total (\d+)/m)).toBeGreaterThanOrEqual(
        1,
      );
    } finally {
      store.close();
      // Stopped even when an assertion fails: a relayer left running would serve the next test's request.
      await relayer.stop();
    }
  });

  it("a settlement broadcast before its key is revoked reverts on chain; nothing more is sent and the job is parked", async () => {
    const { signer, relayer, nonce, id, store } = await heldDevRequest(
      "a dev enclave key revoked while its settlement is pending",
      23,
    );
    try {
      await storedSignature(store, id);
      await net.rpc("evm_setAutomine", [false]);
      let revokeHash: Hex;
      try {
        holdSends = false;
        // Its pre-flight passes (the key is active) and the settlement waits in the mempool.
        const pending = () => net.publicClient.getTransactionCount({ address: relayer.address, blockTag: "pending" });
        await waitFor(async () => (await pending()) > nonce, 30_000, "the settlement in the mempool");
        // The revocation is mined ahead of it, in the same block (a higher tip): the race no pre-flight can see.
        const deployer = localClients(net.chain.url, net.deployment.chainId, net.deployment.keys.deployer);
        revokeHash = await deployer.walletClient.writeContract({
          address: tee.enclaveRegistry,
          abi: enclaveRegistryAbi,
          functionName: "revokeKey",
          args: [signer],
          account: deployer.walletClient.account,
          chain: deployer.walletClient.chain,
          maxPriorityFeePerGas: parseGwei("50"),
          maxFeePerGas: parseGwei("100"),
        });
        await net.rpc("evm_mine");
      } finally {
        await net.rpc("evm_setAutomine", [true]);
      }
      const revoked = await net.publicClient.getTransactionReceipt({ hash: revokeHash });
      expect(revoked.status).toBe("success");
      const block = await net.publicClient.getBlock({ blockNumber: revoked.blockNumber, includeTransactions: true });
      const settlement = block.transactions.find((t) => t.from.toLowerCase() === relayer.address.toLowerCase())!;
      expect(settlement.transactionIndex).toBeGreaterThan(revoked.transactionIndex);
      const reverted = await net.publicClient.getTransactionReceipt({ hash: settlement.hash });
      expect(reverted.status).toBe("reverted");
      expect(parseEventLogs({ abi: net.hubAbi, logs: reverted.logs })).toHaveLength(0);

      // The relayer reads the revert, finds the key refused at its next pre-flight, asks again, and parks the job.
      await parkedForRevokedKey(store, id, signer);
      // The reverted settlement is its only transaction: the stored signature was never sent again.
      expect(await net.publicClient.getTransactionCount({ address: relayer.address })).toBe(nonce + 1);
      expect((await net.state(id)).status).toBe(RequestStatus.Requested);
      await refundPastDeadline(id);
    } finally {
      store.close();
      await relayer.stop();
    }
  });

  it("dev signer with no new key: asked again a bounded number of times, then parked as signerKeyInactive, no transaction", async () => {
    const { signer, relayer, nonce, id, store } = await heldDevRequest("a dev enclave key that gets revoked", 22);
    try {
      await storedSignature(store, id);
      await revokeKey(signer);
      holdSends = false; // the chain is reachable again: only the relayer's own checks keep it from sending
      await parkedForRevokedKey(store, id, signer);
      expect(store.getJob(id)!.proofBytes).toBeNull();
      expect(await net.publicClient.getTransactionCount({ address: relayer.address })).toBe(nonce);
      expect((await net.state(id)).status).toBe(RequestStatus.Requested);
      const parked = /^opg_relayer_tee_parked_total\{reason="signerKeyInactive"\} (\d+)/m;
      expect(await metric(relayer.operationsUrl!, parked)).toBe(1);
      await refundPastDeadline(id);
    } finally {
      store.close();
      await relayer.stop();
    }
  });
});
