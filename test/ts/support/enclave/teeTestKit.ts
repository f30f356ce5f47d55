import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { type Address, type Hex, parseEventLogs } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { expect } from "vitest";
import { RequestStatus } from "../../../../abi/index.ts";
import { insecureDevAttestation, registerEnclave } from "../../../../deploy/registerTeeModel.ts";
import { localClients } from "../../../../relayer/dev/localNetwork.ts";
import { DEV_ENCLAVE_PCRS, type LocalTeeDeployment } from "../../../../relayer/dev/localTee.ts";
import { contentHash, encodeTensors, request, type TeeManifest, tensorToBytes } from "../../../../sdk/index.ts";
import { type TestNetwork, waitFor } from "../../relayer/harness.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..", "..");
/** How long the enclave test double may take to load onnxruntime and the model on a busy 2-core machine. */
const ENCLAVE_START_TIMEOUT_MS = 60_000;

/** A free loopback port (for a server that must listen where a URL given beforehand says). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Registers `signer` in the enclave registry through the INSECURE dev adapter, under the approved dev measurement. */
export async function registerDevKey(net: TestNetwork, tee: LocalTeeDeployment, signer: Address): Promise<void> {
  const deployer = localClients(net.chain.url, net.deployment.chainId, net.deployment.keys.deployer);
  const { timestamp } = await net.publicClient.getBlock({ blockTag: "latest" });
  const attestation = insecureDevAttestation({ signer, timestampMs: timestamp * 1000n, pcrs: DEV_ENCLAVE_PCRS });
  await registerEnclave(deployer, { enclaveRegistry: tee.enclaveRegistry, adapter: tee.devAdapter, attestation });
}

/** A running enclave test double (test/ts/support/enclave/enclaveTestDouble.ts). */
export type EnclaveDouble = { url: string; signer: Address; child: ChildProcess; stop(): Promise<void> };

/**
 * Starts the enclave test double for `manifest` with `key` (on `port`, or a free one) and waits for its URL.
 * `env` adds variables (e.g. ENCLAVE_TEST_DOUBLE_LIE).
 */
export async function startEnclaveDouble(
  manifest: string,
  key: Hex,
  opts: { port?: number; env?: Record<string, string> } = {},
): Promise<EnclaveDouble> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(ROOT, "test/ts/support/enclave/enclaveTestDouble.ts"), manifest, String(opts.port ?? 0)],
    {
      cwd: ROOT,
      env: { ...process.env, ...opts.env, ENCLAVE_TEST_DOUBLE_KEY: key },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const first = createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error("the enclave test double did not start")), ENCLAVE_START_TIMEOUT_MS).unref(),
  );
  const { value } = await Promise.race([first, timeout]);
  const { url, signer } = JSON.parse(value as string) as { url: string; signer: Address };
  expect(signer).toBe(privateKeyToAccount(key).address);
  return {
    url,
    signer,
    child,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Writes `tensor` (the model's input) to a file under `dir` and requests `model` on it by reference. */
export async function requestByReference(
  net: TestNetwork,
  opts: { model: LocalTeeDeployment; manifest: TeeManifest; dir: string; name: string; tensor: Float32Array },
): Promise<Hex> {
  const bytes = tensorToBytes(opts.manifest.inputs[0]!, opts.tensor);
  const path = join(opts.dir, `${opts.name}.f32`);
  writeFileSync(path, bytes);
  const input = encodeTensors(opts.manifest.inputs, {
    [opts.manifest.inputs[0]!.name]: { contentHash: contentHash(bytes), uri: pathToFileURL(path).toString() },
  });
  const requester = localClients(net.chain.url, net.deployment.chainId, net.deployment.keys.requester);
  const modelId = BigInt(opts.model.modelId);
  return (await request(requester, { hub: net.deployment.hub, modelId, input, maxTotalFee: 2n ** 96n })).requestId;
}

/** Waits for the request to settle (paying `node`) in one successful transaction; returns its output and hash. */
export async function settledResult(
  net: TestNetwork,
  requestId: Hex,
  node: Address,
): Promise<{ output: readonly bigint[]; hash: Hex }> {
  await waitFor(async () => (await net.state(requestId)).status === RequestStatus.Settled, 90_000, "settlement");
  expect((await net.state(requestId)).node.toLowerCase()).toBe(node.toLowerCase());
  const [settled] = await net.publicClient.getContractEvents({
    address: net.deployment.hub,
    abi: net.hubAbi,
    eventName: "Settled",
    args: { requestId },
    fromBlock: 0n,
  });
  const receipt = await net.publicClient.getTransactionReceipt({ hash: settled!.transactionHash });
  expect(receipt.status).toBe("success");
  const [committed] = parseEventLogs({ abi: net.hubAbi, logs: receipt.logs, eventName: "Committed" });
  return { output: committed!.args.output as readonly bigint[], hash: receipt.transactionHash };
}
