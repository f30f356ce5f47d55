/**
 * Gas per settled inference and per commitment through the hub at batch sizes N = 1 … 64, beside single `commit` and
 * `settle`, for the test circuit (3 public signals, its generated batch verifier, committed proofs) and for the
 * MNIST-shaped 784-56-10 model (14 public signals: 13 input words + 1 output word), compiled here with 8-bit
 * activations and weights and 4-bit inputs (cached in `.opg/models/mnist-8-8-4`) and proven once with snarkjs.
 * Every figure is a mined transaction's `gasUsed` (21,000 and calldata included) divided by the requests it
 * committed or settled, on the in-process Hardhat network (solc 0.8.28, 10,000 optimizer runs, EVM cancun).
 *
 *   npm run bench:batch [-- --sizes 1,2,4,8,16,32,64] [--skip-mnist]
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as snarkjs from "snarkjs";
import { concat, encodeFunctionData, type Hex, parseEventLogs } from "viem";
import { decodeSettleBatch, testCircuitBatchVerifierAbi } from "../abi/index.ts";
import type { DeployClients } from "../deploy/deployProtocol.ts";
import { registerCompiledModel } from "../deploy/registerModel.ts";
import { deployTestProtocol, settleBatchArgs, TEST_CIRCUIT_DIR, type TestProtocol } from "../deploy/testProtocol.ts";
import {
  compileModel,
  encodeProof,
  loadCompiledModel,
  MANIFEST_VERSION,
  releaseProverThreads,
  witnessInput,
} from "../zkml/index.ts";

const ROOT = join(import.meta.dirname, "..");
const MNIST_DIR = join(ROOT, ".opg", "models", "mnist-8-8-4");
const { values: args } = parseArgs({
  options: { sizes: { type: "string", default: "1,2,4,8,16,32,64" }, "skip-mnist": { type: "boolean" } },
});
const SIZES = args.sizes!.split(",").map(Number);
/** The batch size whose settlement is broken down (the target size). */
const BREAKDOWN_AT = 32;

/** One provable request shape: input and output words and a proof of them, on a registered model. */
type Workload = { name: string; signals: number; modelId: bigint; input: bigint[]; output: bigint[]; proof: Hex };

const gas = (n: number | bigint) => Math.round(Number(n)).toLocaleString("en-US");

/** The test circuit's first committed batch proof, on a model registered with its generated batch verifier. */
async function testCircuitWorkload(p: TestProtocol): Promise<Workload> {
  const fixture = JSON.parse(readFileSync(join(TEST_CIRCUIT_DIR, "batch-proofs.json"), "utf8"));
  const signals = (fixture.publicSignals as string[]).slice(0, 3).map(BigInt);
  const model = await registerTestCircuit(p);
  return {
    name: "test circuit",
    signals: 3,
    modelId: model,
    output: [signals[0]!],
    input: [signals[1]!, signals[2]!],
    proof: `0x${(fixture.proofs as string).slice(2, 2 + 512)}`,
  };
}

/** Registers the test circuit as a model verified by its committed generated batch verifier. */
async function registerTestCircuit(p: TestProtocol): Promise<bigint> {
  const { registry, wait } = p;
  const artifact = await p.viem.deployContract("TestCircuitBatchVerifier");
  const receipt = await wait(
    await registry.write.register([
      0,
      artifact.address,
      `0x${"11".repeat(32)}`,
      "test://affine-batch",
      2,
      1,
      2n * 10n ** 18n,
    ]),
  );
  const [event] = parseEventLogs({ abi: registry.abi, logs: receipt.logs, eventName: "ModelRegistered" });
  return event!.args.modelId;
}

/** Compiles (once) and registers the MNIST-shaped model; proves one sample input. */
async function mnistWorkload(p: TestProtocol): Promise<Workload> {
  const manifestPath = join(MNIST_DIR, "manifest.json");
  const fresh = existsSync(manifestPath) && JSON.parse(readFileSync(manifestPath, "utf8")).version === MANIFEST_VERSION;
  if (!fresh) {
    await compileModel(join(ROOT, "models", "fixtures", "mnist.onnx"), {
      outDir: MNIST_DIR,
      calibration: JSON.parse(readFileSync(join(ROOT, "models", "fixtures", "mnist.calibration.json"), "utf8")).inputs,
      activationBits: 8,
      weightBits: 8,
      inputBits: 4,
    });
  }
  const clients = { walletClient: p.accounts.deployer, publicClient: p.publicClient } as unknown as DeployClients;
  const registered = await registerCompiledModel(clients, {
    registry: p.registry.address,
    modelDir: MNIST_DIR,
    price: 2n * 10n ** 18n,
  });
  const model = await loadCompiledModel(MNIST_DIR, { executionProvider: "cpu" });
  const sample = JSON.parse(readFileSync(join(ROOT, "models", "fixtures", "mnist.sample.json"), "utf8")).input;
  const input = model.packInput(model.quantizeInput(sample));
  const { files } = model.manifest;
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(
    witnessInput(input),
    join(MNIST_DIR, files.wasm),
    join(MNIST_DIR, files.zkey),
  );
  await model.close();
  await releaseProverThreads();
  const signals = (publicSignals as string[]).map(BigInt);
  const outputWords = signals.length - input.length;
  return {
    name: "MNIST-shaped 784-56-10",
    signals: signals.length,
    modelId: registered.modelId,
    output: signals.slice(0, outputWords),
    input,
    proof: encodeProof(proof),
  };
}

/** N requests of the workload's input; returns each request's id and struct as `Requested` emitted them. */
async function requests(p: TestProtocol, w: Workload, n: number) {
  const { hub, wait, accounts } = p;
  const [, , total] = await hub.read.quote([w.modelId]);
  const made = [];
  for (let i = 0; i < n; i++) {
    const receipt = await wait(
      await hub.write.request([w.modelId, w.input, 0, 0, total], { account: accounts.requester.account }),
    );
    const [event] = parseEventLogs({ abi: hub.abi, logs: receipt.logs, eventName: "Requested" });
    made.push({ requestId: event!.args.requestId, request: event!.args.request });
  }
  return made;
}

/** Gas per item of commitBatch then settleBatch at size n (and of single commit and settle at n = 0). */
async function measure(
  p: TestProtocol,
  w: Workload,
  n: number,
): Promise<{ commit: number; settle: number; settleTx?: Hex; args?: readonly [Hex, number, number, Hex] }> {
  const { hub, wait, accounts } = p;
  const node = { account: accounts.node.account };
  const other = { account: accounts.other.account };
  const made = await requests(p, w, Math.max(n, 1));
  if (n === 0) {
    const [{ requestId, request }] = made as [(typeof made)[number]];
    const commit = await wait(await hub.write.commit([requestId, request, w.output], node));
    const settle = await wait(await hub.write.settle([requestId, request, w.output, w.proof], other));
    return { commit: Number(commit.gasUsed), settle: Number(settle.gasUsed) };
  }
  const commitItems = made.map((m) => ({ requestId: m.requestId, request: m.request, output: w.output }));
  const commit = await wait(await hub.write.commitBatch([commitItems], node));
  const settleItems = commitItems.map((m) => ({ ...m, proof: w.proof }));
  const args = settleBatchArgs(commit, settleItems);
  const settle = await wait(await hub.write.settleBatch(args, other));
  return {
    commit: Number(commit.gasUsed) / n,
    settle: Number(settle.gasUsed) / n,
    settleTx: settle.transactionHash,
    args,
  };
}

/** Calldata gas of `bytes` (EIP-2028: 16 per non-zero byte, 4 per zero byte). */
function calldataGas(bytes: Hex): number {
  let total = 0;
  for (let i = 2; i < bytes.length; i += 2) total += bytes.slice(i, i + 2) === "00" ? 4 : 16;
  return total;
}

/**
 * Where one settled inference's gas goes in a mined `settleBatch` of n: calldata priced from the transaction's
 * bytes (proof, signals, requestId and terms, the call's head), the verifier's execution from a transaction that
 * sends the same proofs and signals to `verifyProofBatch` directly (minus its intrinsic gas and calldata), the
 * hub's execution as the rest.
 */
async function breakdown(
  p: TestProtocol,
  w: Workload,
  n: number,
  settleTx: Hex,
  args: readonly [Hex, number, number, Hex],
) {
  const { publicClient, accounts, wait } = p;
  const [verifier, outputWords, inputWords, items] = args;
  const tx = await publicClient.getTransaction({ hash: settleTx });
  const receipt = await publicClient.getTransactionReceipt({ hash: settleTx });
  const decoded = decodeSettleBatch(outputWords, inputWords, items);
  const itemBytes = (items.length - 2) / 2 / n;
  const part = { proof: 0, signals: 0, terms: 0 };
  for (let i = 0; i < n; i++) {
    const item = `0x${items.slice(2 + 2 * i * itemBytes, 2 + 2 * (i + 1) * itemBytes)}` as Hex;
    part.proof += calldataGas(decoded[i]!.proof);
    part.terms += calldataGas(`0x${item.slice(2, 2 + 2 * 132)}`);
    part.signals += calldataGas(`0x${item.slice(2 + 2 * 132, 2 + 2 * (itemBytes - 256))}`);
  }
  const head = calldataGas(tx.input) - part.proof - part.signals - part.terms;
  const data = encodeFunctionData({
    abi: testCircuitBatchVerifierAbi, // every generated batch verifier has this `verifyProofBatch`
    functionName: "verifyProofBatch",
    args: [concat(decoded.map((d) => d.proof)), decoded.flatMap((d) => [...d.output, ...d.input])],
  });
  const direct = await wait(await accounts.other.sendTransaction({ to: verifier, data }));
  const verifierExec = Number(direct.gasUsed) - 21_000 - calldataGas(data);
  const rows: [string, number][] = [
    ["batch verifier execution (its own transaction, minus intrinsic gas and calldata)", verifierExec / n],
    ["calldata: the 256-byte proof", part.proof / n],
    [`calldata: the ${w.signals} signals`, part.signals / n],
    ["calldata: requestId and the packed terms (132 bytes)", part.terms / n],
    ["calldata: the call's selector and head, ÷ n", head / n],
    ["intrinsic 21,000 ÷ n", 21_000 / n],
  ];
  const hub = Number(receipt.gasUsed) / n - rows.reduce((sum, [, g]) => sum + g, 0);
  rows.push(["hub execution, net of the binding's refund (the rest)", hub]);
  console.log(`
where a settled inference's gas goes at N = ${n} (${w.name})
`);
  console.log("| part | gas per request |\n|---|---:|");
  for (const [name, g] of rows) console.log(`| ${name} | ${gas(g)} |`);
  console.log(`| **total** | **${gas(Number(receipt.gasUsed) / n)}** |`);
}

async function run(p: TestProtocol, w: Workload): Promise<void> {
  const { staking, wait, accounts, token, hub } = p;
  await wait(await staking.write.optIn([w.modelId], { account: accounts.node.account }));
  await wait(await token.write.approve([hub.address, 10n ** 30n], { account: accounts.requester.account }));
  // Warm the node's and the hub's slots once, so every row is steady state.
  await measure(p, w, 0);
  const single = await measure(p, w, 0);
  console.log(`\n${w.name} (${w.signals} public signals)\n`);
  console.log("| N | gas per commitment | gas per settled inference | settle vs single |");
  console.log("|---:|---:|---:|---:|");
  console.log(`| single call | ${gas(single.commit)} | ${gas(single.settle)} | 100 % |`);
  let split: (() => Promise<void>) | undefined;
  for (const n of SIZES) {
    const r = await measure(p, w, n);
    const pct = ((100 * r.settle) / single.settle).toFixed(0);
    console.log(`| ${n} | ${gas(r.commit)} | ${gas(r.settle)} | ${pct} % |`);
    if (n === BREAKDOWN_AT) split = () => breakdown(p, w, n, r.settleTx!, r.args!);
  }
  await split?.();
}

const protocol = await deployTestProtocol();
try {
  // The node's stake bounds how many bonds it can lock at once: 64 bonds of the default 10 OPG fit its 10,000.
  await run(protocol, await testCircuitWorkload(protocol));
  if (!args["skip-mnist"]) await run(protocol, await mnistWorkload(protocol));
} finally {
  await protocol.connection.close();
}
console.log(
  "\nfloor per proof with today's precompiles: one pairing pair 34,000 + two ECMUL 12,000 + 256 proof bytes of calldata ≈ 4,100 = ≈ 50,100",
);
process.exit(0);
