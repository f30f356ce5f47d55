import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createPublicClient, createWalletClient, formatUnits, type Hex, http, parseEventLogs } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { readArtifact } from "../../deploy/artifacts.ts";
import { argmax, loadCompiledModel, releaseProverThreads } from "../../zkml/index.ts";
import { RelayerError } from "../common/errors.ts";
import { openStore } from "../store/store.ts";
import { chainFor } from "../tx/chain.ts";
import { type LocalDeployment, MODEL_FIXTURES } from "./localNetwork.ts";

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
  const chain = chainFor(dep.chainId, [dep.rpcUrl]);
  const publicClient = createPublicClient({ chain, transport: http(dep.rpcUrl), pollingInterval: 50 });
  const wallet = createWalletClient({
    chain,
    transport: http(dep.rpcUrl),
    account: privateKeyToAccount(dep.keys.requester),
  });
  const hubAbi = readArtifact("InferenceHub").abi;
  const tokenAbi = readArtifact("OPGToken").abi;
  const model = await loadCompiledModel(dep.modelDir, { executionProvider: "cpu" });
  const samples = (
    JSON.parse(readFileSync(join(MODEL_FIXTURES, "demo.samples.json"), "utf8")) as { inputs: number[][] }
  ).inputs;
  const meta = JSON.parse(readFileSync(join(MODEL_FIXTURES, "demo.meta.json"), "utf8")) as { labels?: string[] };
  const wait = async (hash: Hex) => publicClient.waitForTransactionReceipt({ hash });
  await wait(
    await wallet.writeContract({
      address: dep.token,
      abi: tokenAbi,
      functionName: "approve",
      args: [dep.hub, 2n ** 255n],
    }),
  );
  const rows: DemoRow[] = [];
  try {
    for (let i = 0; i < opts.count; i++) {
      const input = samples[i % samples.length]!;
      const words = model.packInput(model.quantizeInput(input));
      const sent = await wallet.writeContract({
        address: dep.hub,
        abi: hubAbi,
        functionName: "request",
        args: [BigInt(dep.modelId), words, 0, 0, 2n ** 96n],
      });
      const receipt = await wait(sent);
      const minedAt = Date.now();
      const [ev] = parseEventLogs({ abi: hubAbi, logs: receipt.logs, eventName: "Requested" });
      const requestId = (ev!.args as { requestId: Hex }).requestId;
      await waitForEvent(publicClient, dep.hub, hubAbi, "Committed", requestId, receipt.blockNumber);
      const committedAt = Date.now();
      const settled = await waitForEvent(publicClient, dep.hub, hubAbi, "Settled", requestId, receipt.blockNumber);
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
        burned: (settled.args as { settlementFeeBurned: bigint }).settlementFeeBurned,
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

async function waitForEvent(
  client: ReturnType<typeof createPublicClient>,
  hub: Hex,
  abi: ReturnType<typeof readArtifact>["abi"],
  eventName: "Committed" | "Settled",
  requestId: Hex,
  fromBlock: bigint,
) {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const logs = await client.getLogs({ address: hub, fromBlock });
    const match = parseEventLogs({ abi, logs, eventName }).find(
      (l) => (l.args as { requestId: Hex }).requestId === requestId,
    );
    if (match) return match;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new RelayerError(
    `no ${eventName} event for ${requestId} within ${SETTLE_TIMEOUT_MS} ms: is the relayer running?`,
  );
}
