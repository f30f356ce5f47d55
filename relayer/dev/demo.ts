import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { formatUnits, type Hex } from "viem";
import { approve, request, waitForCommitment, waitForSettlement } from "../../sdk/index.ts";
import { argmax, loadCompiledModel, releaseProverThreads } from "../../zkml/index.ts";
import { RelayerError } from "../common/errors.ts";
import { openStore } from "../store/store.ts";
import { type LocalDeployment, localClients, MODEL_FIXTURES } from "./localNetwork.ts";

/** How often the demo polls for its requests' progress: it measures latencies in milliseconds. */
const POLL_INTERVAL_MS = 50;
/** How long the demo waits for one request to settle. */
const SETTLE_TIMEOUT_MS = 300_000;

/** One demo request's measurements. */
export type DemoRow = {
  requestId: Hex;
  input: number[];
  output: number[];
  commitLatencyMs: number;
  proveMs: number | null;
  commitToSettleMs: number;
  settleGas: bigint;
  burned: bigint;
};

/**
 * Sends `count` requests for the demo model to the embedded deployment (started by `opg relayer start`
 * with no RPC URL) and measures each: request mined → commitment mined, proving time (from the
 * relayer's store), commitment → settlement, settlement gas and OPG burned.
 */
export async function runDemo(opts: {
  dataDir: string;
  count: number;
  print: (line: string) => void;
}): Promise<DemoRow[]> {
  const file = join(opts.dataDir, "local", "deployment.json");
  if (!existsSync(file)) {
    throw new RelayerError(`no local deployment at ${file}`, { details: "start one first: npx opg relayer start" });
  }
  const dep = JSON.parse(readFileSync(file, "utf8")) as LocalDeployment;
  const clients = localClients(dep.rpcUrl, dep.chainId, dep.keys.requester, { pollingInterval: POLL_INTERVAL_MS });
  const { publicClient } = clients;
  const model = await loadCompiledModel(dep.modelDir, { executionProvider: "cpu" });
  const samples = (
    JSON.parse(readFileSync(join(MODEL_FIXTURES, "demo.samples.json"), "utf8")) as { inputs: number[][] }
  ).inputs;
  const meta = JSON.parse(readFileSync(join(MODEL_FIXTURES, "demo.meta.json"), "utf8")) as { labels?: string[] };
  await approve(clients, { hub: dep.hub, token: dep.token, amount: 2n ** 255n });
  const rows: DemoRow[] = [];
  try {
    for (let i = 0; i < opts.count; i++) {
      const input = samples[i % samples.length]!;
      const words = model.packInput(model.quantizeInput(input));
      const { requestId, receipt } = await request(clients, {
        hub: dep.hub,
        modelId: BigInt(dep.modelId),
        input: words,
      });
      const minedAt = Date.now();
      const wait = { hub: dep.hub, requestId, fromBlock: receipt.blockNumber, timeoutMs: SETTLE_TIMEOUT_MS };
      await waitForCommitment(publicClient, wait);
      const committedAt = Date.now();
      const { settled } = (await waitForSettlement(publicClient, wait)).logs;
      const settledAt = Date.now();
      const settleReceipt = await publicClient.getTransactionReceipt({ hash: settled.transactionHash });
      const row: DemoRow = {
        requestId,
        input,
        output: (await model.infer(model.quantizeInput(input))).outputFloat,
        commitLatencyMs: committedAt - minedAt,
        proveMs: relayerProveMs(opts.dataDir, requestId),
        commitToSettleMs: settledAt - committedAt,
        settleGas: settleReceipt.gasUsed,
        burned: settled.args.settlementFeeBurned,
      };
      rows.push(row);
      const label = meta.labels ? meta.labels[argmax(row.output)] : String(argmax(row.output));
      opts.print(
        `request ${i + 1}/${opts.count} ${requestId.slice(0, 10)}… → ${label}: commit ${row.commitLatencyMs} ms, ` +
          `proof ${row.proveMs ?? "?"} ms, settled after ${row.commitToSettleMs} ms, ` +
          `settle gas ${row.settleGas}, burned ${formatUnits(row.burned, 18)} OPG`,
      );
    }
  } finally {
    await model.close();
    await releaseProverThreads();
  }
  return rows;
}

function relayerProveMs(dataDir: string, requestId: string): number | null {
  const path = join(dataDir, "local", "relayer", "relayer.sqlite");
  if (!existsSync(path)) return null;
  const store = openStore(path);
  try {
    return store.getJob(requestId)?.proveMs ?? null;
  } finally {
    store.close();
  }
}
