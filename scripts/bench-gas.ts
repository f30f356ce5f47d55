/**
 * Gas per InferenceHub operation on the in-process Hardhat network, with the real test-circuit verifier
 * (3 public signals) and its committed fixture proof. Prints a Markdown table: the first call of each kind
 * (cold: first storage writes for the node/accounting slots) and a repeated call (steady state).
 *
 * Usage: `npm run bench:gas` (= `hardhat run scripts/bench-gas.ts`).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeAbiParameters, encodeFunctionData, type Hex, parseEventLogs } from "viem";
import { deployTestProtocol } from "../test/ts/contracts/protocolFixture.ts";

/** Targets from the settlement-layer specification (gas per transaction). */
const TARGETS: Record<string, number> = { request: 120_000, commit: 80_000, settle: 260_000 };
/** Rounds per operation: the first is cold, the later ones show the steady state. */
const ROUNDS = 3;

type Fixture = { input: string[]; output: string[]; proofBytes: Hex };

const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, "..", "test", "fixtures", "test-circuit", "proof-a.json"), "utf8"),
) as Fixture;

async function main(): Promise<void> {
  const p = await deployTestProtocol();
  const { hub, token, accounts, wait, modelId, testClient } = p;
  const { requester, node, other } = accounts;
  const input = fixture.input.map(BigInt);
  const output = fixture.output.map(BigInt);
  const gas: Record<string, bigint[]> = {};
  const record = (op: string, used: bigint) => {
    gas[op] ??= [];
    gas[op].push(used);
  };
  await wait(await token.write.approve([hub.address, 10n ** 30n], { account: requester.account }));
  const [, , total] = await hub.read.quote([modelId]);

  const makeRequest = async () => {
    const receipt = await wait(await hub.write.request([modelId, input, 0, 0, total], { account: requester.account }));
    record("request", receipt.gasUsed);
    const [event] = parseEventLogs({ abi: hub.abi, logs: receipt.logs, eventName: "Requested" });
    if (!event) throw new Error("Requested not emitted");
    return event.args;
  };

  for (let i = 0; i < ROUNDS; i++) {
    const { requestId, request } = await makeRequest();
    record(
      "commit",
      (await wait(await hub.write.commit([requestId, request, output], { account: node.account }))).gasUsed,
    );
    const settle = await hub.write.settle([requestId, request, output, fixture.proofBytes], { account: other.account });
    record("settle", (await wait(settle)).gasUsed);
    record(
      "withdrawEarnings",
      (await wait(await hub.write.withdrawEarnings([node.account.address], { account: node.account }))).gasUsed,
    );
    record("flushBurn", (await wait(await hub.write.flushBurn({ account: other.account }))).gasUsed);
  }

  const params = await hub.read.params();
  for (let i = 0; i < ROUNDS; i++) {
    const toRefund = await makeRequest();
    const toSlash = await makeRequest();
    await wait(await hub.write.commit([toSlash.requestId, toSlash.request, output], { account: node.account }));
    await testClient.increaseTime({ seconds: params.commitWindow + params.proofWindow + 1 });
    await testClient.mine({ blocks: 1 });
    record(
      "refund",
      (await wait(await hub.write.refund([toRefund.requestId, toRefund.request], { account: other.account }))).gasUsed,
    );
    record(
      "slash",
      (await wait(await hub.write.slash([toSlash.requestId, toSlash.request, output], { account: other.account })))
        .gasUsed,
    );
  }

  // The Groth16 check alone, as transactions (21,000 base included): snarkjs' verifier and the adapter over it.
  const signals = [...output, ...input];
  const words = decodeAbiParameters([{ type: "uint256[8]" }], fixture.proofBytes)[0];
  const groth16 = await p.viem.getContractAt("TestCircuitGroth16Verifier", p.addresses.groth16Verifier);
  const adapter = await p.viem.getContractAt("Groth16VerifierAdapter", p.addresses.adapter);
  const estimate = (to: Hex, data: Hex) => p.publicClient.estimateGas({ account: other.account, to, data });
  const pB = [
    [words[2], words[3]],
    [words[4], words[5]],
  ] as const;
  const groth16Call = encodeFunctionData({
    abi: groth16.abi,
    functionName: "verifyProof",
    args: [[words[0], words[1]], pB, [words[6], words[7]], signals as [bigint, bigint, bigint]],
  });
  record("snarkjs verifier alone (eth_estimateGas)", await estimate(groth16.address, groth16Call));
  const adapterCall = encodeFunctionData({
    abi: adapter.abi,
    functionName: "verifyProof",
    args: [fixture.proofBytes, signals],
  });
  record("verifier via adapter (eth_estimateGas)", await estimate(adapter.address, adapterCall));

  console.log("| operation | first call | steady state | target |");
  console.log("|---|---:|---:|---:|");
  for (const [op, values] of Object.entries(gas)) {
    const first = values[0] ?? 0n;
    const steady = values[values.length - 1] ?? 0n;
    const target = TARGETS[op];
    const verdict =
      target === undefined ? "–" : `≤ ${target.toLocaleString("en-US")} ${steady <= BigInt(target) ? "✓" : "✗"}`;
    console.log(`| ${op} | ${first.toLocaleString("en-US")} | ${steady.toLocaleString("en-US")} | ${verdict} |`);
  }
  await p.connection.close();
}

await main();
