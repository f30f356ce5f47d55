import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { formatUnits, type Hex } from "viem";
import {
  approve,
  contentHash,
  decodeInlineTensor,
  encodeTensors,
  parseTeeManifest,
  request,
  tensorToBytes,
  waitForSettlement,
} from "../../sdk/index.ts";
import { RelayerError } from "../common/errors.ts";
import { type LocalDeployment, localClients } from "./localNetwork.ts";
import { demoOcrSamples } from "./teeSamples.ts";

/** How often the demo polls for its requests' progress: it measures latencies in milliseconds. */
const POLL_INTERVAL_MS = 50;
/** How long the demo waits for one request to settle. */
const SETTLE_TIMEOUT_MS = 120_000;

/** One TEE demo request's measurements. */
export type TeeDemoRow = {
  requestId: Hex;
  text: string;
  rotated: boolean;
  label: string;
  confidence: number;
  settleLatencyMs: number;
  settleGas: bigint;
  burned: bigint;
};

/**
 * Sends OCR text-direction requests to the embedded deployment's TEE model (started by `opg relayer start`):
 * each sample's tensor is written as a file and referenced by its file:// URI and hash; prints, per request,
 * request mined → settled (one `commitAndSettle`), its gas, the OPG burned, and the label with its confidence.
 */
export async function runTeeDemo(opts: {
  dataDir: string;
  count: number;
  print: (line: string) => void;
}): Promise<TeeDemoRow[]> {
  const file = join(opts.dataDir, "local", "deployment.json");
  if (!existsSync(file)) {
    throw new RelayerError(`no local deployment at ${file}`, { details: "start one first: npx opg relayer start" });
  }
  const dep = JSON.parse(readFileSync(file, "utf8")) as LocalDeployment;
  if (!dep.tee)
    throw new RelayerError(`the local deployment at ${file} serves no TEE model: restart opg relayer start`);
  const manifest = parseTeeManifest(JSON.parse(readFileSync(dep.tee.manifest, "utf8")));
  const [inputSpec, outputSpec] = [manifest.inputs[0]!, manifest.outputs[0]!];
  const clients = localClients(dep.rpcUrl, dep.chainId, dep.keys.requester, { pollingInterval: POLL_INTERVAL_MS });
  await approve(clients, { hub: dep.hub, token: dep.token, amount: 2n ** 255n });
  const inputsDir = join(opts.dataDir, "local", "tee-inputs");
  mkdirSync(inputsDir, { recursive: true });
  const samples = demoOcrSamples();
  const rows: TeeDemoRow[] = [];
  for (let i = 0; i < opts.count; i++) {
    const sample = samples[i % samples.length]!;
    const bytes = tensorToBytes(inputSpec, sample.tensor);
    const path = join(inputsDir, `sample-${i + 1}.f32`);
    writeFileSync(path, bytes);
    const input = encodeTensors(manifest.inputs, {
      [inputSpec.name]: { contentHash: contentHash(bytes), uri: pathToFileURL(path).toString() },
    });
    const { requestId, receipt } = await request(clients, { hub: dep.hub, modelId: BigInt(dep.tee.modelId), input });
    const minedAt = Date.now();
    const { logs, output } = await waitForSettlement(clients.publicClient, {
      hub: dep.hub,
      requestId,
      fromBlock: receipt.blockNumber,
      timeoutMs: SETTLE_TIMEOUT_MS,
      pollingIntervalMs: POLL_INTERVAL_MS,
    });
    const settled = logs.settled;
    const settleLatencyMs = Date.now() - minedAt;
    const settleReceipt = await clients.publicClient.getTransactionReceipt({ hash: settled.transactionHash });
    const probabilities = decodeInlineTensor(outputSpec, [...output]) as Float32Array;
    const best = probabilities[0]! >= probabilities[1]! ? 0 : 1;
    const row: TeeDemoRow = {
      requestId,
      text: sample.text,
      rotated: sample.rotated,
      label: outputSpec.labels?.[best] ?? String(best),
      confidence: probabilities[best]!,
      settleLatencyMs,
      settleGas: settleReceipt.gasUsed,
      burned: settled.args.settlementFeeBurned,
    };
    rows.push(row);
    opts.print(
      `request ${i + 1}/${opts.count} ${requestId.slice(0, 10)}… "${sample.text}"${sample.rotated ? " (drawn upside down)" : ""} → ` +
        `${row.label} (${(row.confidence * 100).toFixed(1)} %): settled after ${row.settleLatencyMs} ms, ` +
        `commitAndSettle gas ${row.settleGas}, burned ${formatUnits(row.burned, 18)} OPG`,
    );
  }
  return rows;
}
