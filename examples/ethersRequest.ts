/**
 * The example dApp script with ethers v6 instead of viem (`npm run example:ethers`): the typed TypeChain
 * contracts from `opg-haca/ethers`, against the local network of `npx opg relayer start`.
 *
 *   npm run example:ethers [-- --data-dir .opg/relayer]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { formatUnits, JsonRpcProvider, NonceManager, Wallet } from "ethers";
import { connectOpg, decodeOutput, encodeInput, type ModelManifest } from "../ethers/index.ts";

const RISK_LABELS = ["low", "medium", "high"];
const FEATURES = [0.62, -0.35, 0.18, 0.9, -0.71, 0.05, 0.44, -0.2];
/** Settled is the hub's status 3 (`RequestStatus.Settled`). */
const SETTLED = 3n;
const POLL_INTERVAL_MS = 200;
const TIMEOUT_MS = 300_000;

const { values } = parseArgs({ options: { "data-dir": { type: "string", default: ".opg/relayer" } } });
const json = JSON.parse(readFileSync(join(values["data-dir"]!, "local", "deployment.json"), "utf8"));
const manifest = JSON.parse(readFileSync(join(json.modelDir, "manifest.json"), "utf8")) as ModelManifest;
const provider = new JsonRpcProvider(json.rpcUrl, undefined, { staticNetwork: true });
// The nonce manager counts nonces locally: the provider's answer may lag the approval just mined.
const { hub, token, deployment } = connectOpg(json, new NonceManager(new Wallet(json.keys.requester, provider)));
const modelId = deployment.models[0]!.modelId;

const [, , total] = await hub.quote(modelId);
console.log(`quote: ${formatUnits(total, 18)} OPG`);
await (await token.approve(deployment.hub, total)).wait();
const receipt = await (await hub.request(modelId, encodeInput(manifest, FEATURES), 0, 0, total)).wait();
const requested = receipt!.logs.map((l) => hub.interface.parseLog(l)).find((e) => e?.name === "Requested");
const requestId: string = requested!.args.requestId;
console.log(`requested ${requestId}: gas ${receipt!.gasUsed}`);
const deadline = Date.now() + TIMEOUT_MS;
while ((await hub.requestState(requestId)).status !== SETTLED) {
  if (Date.now() > deadline) throw new Error(`request ${requestId} not settled within ${TIMEOUT_MS} ms`);
  await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
}
const [committed] = await hub.queryFilter(hub.filters.Committed(requestId), receipt!.blockNumber);
const [settled] = await hub.queryFilter(hub.filters.Settled(requestId), receipt!.blockNumber);
const output = decodeOutput(manifest, committed!.args.output, { labels: RISK_LABELS });
console.log(
  `settled: ${requestId} → ${output.label} risk, ${formatUnits(settled!.args.settlementFeeBurned, 18)} OPG burned`,
);
provider.destroy();
