/**
 * Example dApp script (`npm run example:sdk`): asks the demo risk model for a borrower's risk tier through
 * the SDK and follows the request to its settlement, printing each status and what it cost.
 *
 * Start the local network and relayer first, in another terminal: `npx opg relayer start`. It writes
 * `<dataDir>/local/deployment.json` (addresses, chain, model id, development keys), which this reads.
 *
 *   npm run example:sdk [-- --data-dir .opg/relayer]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createPublicClient, createWalletClient, formatUnits, type Hex, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createOpgClient, decodeOutput, encodeInput, type ModelManifest, OpgError } from "../sdk/index.ts";

/** The demo model's classes, in output order (models/fixtures/demo.meta.json). */
const RISK_LABELS = ["low", "medium", "high"];
/** One borrower's 8 market features, normalised to [-1, 1] (a sample of the demo model's test set). */
const FEATURES = [0.62, -0.35, 0.18, 0.9, -0.71, 0.05, 0.44, -0.2];
/** The local chain mines at once: poll often to show the commitment latency. */
const POLL_INTERVAL_MS = 100;

type LocalDeploymentFile = { rpcUrl: string; chainId: number; modelDir: string; keys: { requester: Hex } };

const opg = (wei: bigint) => `${formatUnits(wei, 18)} OPG`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { "data-dir": { type: "string", default: ".opg/relayer" } } });
  const file = join(values["data-dir"]!, "local", "deployment.json");
  let json: LocalDeploymentFile & Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new OpgError(`no local deployment at ${file}`, { details: "start one first: npx opg relayer start" });
  }
  const manifest = JSON.parse(readFileSync(join(json.modelDir, "manifest.json"), "utf8")) as ModelManifest;
  const transport = http(json.rpcUrl);
  const client = createOpgClient({
    publicClient: createPublicClient({ transport, pollingInterval: POLL_INTERVAL_MS }),
    walletClient: createWalletClient({ transport, account: privateKeyToAccount(json.keys.requester) }),
    deployment: json,
  });

  const quote = await client.quote();
  console.log(
    `quote: model fee ${opg(quote.modelFee)} + settlement fee ${opg(quote.settlementFee)} = ${opg(quote.total)}`,
  );
  const sent = await client.request({ input: encodeInput(manifest, FEATURES) });
  console.log(
    `requested ${sent.requestId} (paid by ${sent.payment}): gas ${sent.receipt.gasUsed}, ` +
      `escrowed ${opg(sent.request.modelFee + sent.request.settlementFee + sent.request.callbackFee)}`,
  );
  const onStatus = ({ status }: { status: string }) => console.log(`status: ${status}`);
  const committed = await client.waitForCommitment({
    requestId: sent.requestId,
    fromBlock: sent.receipt.blockNumber,
    onStatus,
  });
  const optimistic = decodeOutput(manifest, committed.output, { labels: RISK_LABELS });
  console.log(
    `committed by ${committed.node}: risk ${optimistic.label} (provisional, proof due by ${committed.proofDeadline})`,
  );
  const settled = await client.waitForSettlement({
    requestId: sent.requestId,
    fromBlock: sent.receipt.blockNumber,
    onStatus,
    onReorg: (r) => console.log(`reorg dropped the ${r.dropped}: waiting for it again`),
  });
  const settleReceipt = await client.publicClient.getTransactionReceipt({ hash: settled.logs.settled.transactionHash });
  const final = decodeOutput(manifest, settled.output, { labels: RISK_LABELS });
  console.log(`output: ${final.floats.map((f) => f.toFixed(3)).join(", ")} → risk ${final.label}`);
  console.log(
    `costs: fee ${opg(settled.logs.settled.args.modelFee)} to the node, ${opg(settled.logs.settled.args.settlementFeeBurned)} burned; ` +
      `gas: request ${sent.receipt.gasUsed}, settle ${settleReceipt.gasUsed} (paid by the node)`,
  );
  console.log(`settled: ${sent.requestId} → ${final.label} risk, proven on chain`);
}

main().catch((error: unknown) => {
  console.error(`example:sdk: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
