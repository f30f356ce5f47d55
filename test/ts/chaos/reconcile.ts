import { join } from "node:path";
import {
  type Address,
  createWalletClient,
  decodeFunctionData,
  type Hex,
  http,
  type PublicClient,
  parseEventLogs,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { decodeSettleBatch, type HubRequest, inferenceHubWithErrorsAbi, RequestStatus } from "../../../abi/index.ts";
import { openStore } from "../../../relayer/store/store.ts";
import { chainFor } from "../../../relayer/tx/chain.ts";
import type { TestNetwork } from "../relayer/harness.ts";
import { CHAOS_MAX_CALLBACK_GAS, type RequestKind, SERVED_KINDS } from "./workload.ts";

const abi = inferenceHubWithErrorsAbi;
/** `verifyProof(bytes,uint256[])` of the model's verifier (`IProofVerifier`): reverts on an invalid proof. */
const verifierAbi = [
  {
    type: "function",
    name: "verifyProof",
    stateMutability: "view",
    inputs: [
      { name: "proof", type: "bytes" },
      { name: "publicSignals", type: "uint256[]" },
    ],
    outputs: [],
  },
] as const;

type HubEvent = ReturnType<typeof parseEventLogs<typeof abi>>[number];

/** Everything the chain says about the hub, from its logs. */
async function hubEvents(publicClient: PublicClient, hub: Address, fromBlock: bigint) {
  const logs = await publicClient.getLogs({ address: hub, fromBlock, toBlock: "latest" });
  const events = parseEventLogs({ abi, logs });
  const of = <name extends HubEvent["eventName"]>(name: name) =>
    events.filter((e): e is Extract<HubEvent, { eventName: name }> => e.eventName === name);
  return { all: events, of };
}

/** The workload kind a request on chain was sent as (from its content). */
export function kindOf(req: HubRequest, servedModelId: bigint): RequestKind | "other" {
  if (req.modelId !== servedModelId) return "unservedModel";
  if (req.input.length > 0 && req.input.every((w) => w === 2n ** 252n)) return "malformed";
  if (req.callbackFlags !== 0 && req.callbackGasLimit > CHAOS_MAX_CALLBACK_GAS) return "heavyCallback";
  return req.callbackFlags === 0 ? "plain" : "consumerRecord";
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Finishes every request the relayers left open, as anyone may: past both windows (time advanced),
 * `refund` what was never committed and `slash` what was committed but not proven. Returns how many of each.
 */
export async function finalizeLeftovers(net: TestNetwork): Promise<{ refunds: number; slashes: number }> {
  const { publicClient, deployment } = net;
  const params = await publicClient.readContract({ address: deployment.hub, abi, functionName: "params" });
  await net.rpc("evm_increaseTime", [Number(params.commitWindow) + Number(params.proofWindow) + 60]);
  await net.rpc("evm_mine");
  const chain = chainFor(deployment.chainId, [net.chain.url]);
  const anyone = createWalletClient({
    chain,
    transport: http(net.chain.url),
    account: privateKeyToAccount(deployment.keys.deployer),
  });
  const events = await hubEvents(publicClient, deployment.hub, BigInt(deployment.deployBlock));
  const committedOutput = new Map<string, readonly bigint[]>();
  for (const e of events.of("Committed")) committedOutput.set(e.args.requestId, e.args.output);
  let refunds = 0;
  let slashes = 0;
  for (const e of events.of("Requested")) {
    const { requestId, request } = e.args;
    const [status] = await publicClient.readContract({
      address: deployment.hub,
      abi,
      functionName: "requestState",
      args: [requestId],
    });
    let hash: Hex | undefined;
    if (status === RequestStatus.Requested) {
      hash = await anyone.writeContract({
        address: deployment.hub,
        abi,
        functionName: "refund",
        args: [requestId, request],
      });
      refunds++;
    } else if (status === RequestStatus.Committed) {
      const output = committedOutput.get(requestId)!;
      hash = await anyone.writeContract({
        address: deployment.hub,
        abi,
        functionName: "slash",
        args: [requestId, request, [...output]],
      });
      slashes++;
    }
    if (hash) {
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new Error(`finalizing ${requestId} reverted (${hash})`);
    }
  }
  const pendingBurn = await publicClient.readContract({ address: deployment.hub, abi, functionName: "pendingBurn" });
  if (pendingBurn > 0n) {
    await publicClient.waitForTransactionReceipt({
      hash: await anyone.writeContract({ address: deployment.hub, abi, functionName: "flushBurn" }),
    });
  }
  return { refunds, slashes };
}

/** The settlement call that paid `requestId`: its output and proof, from the transaction's calldata. */
async function settledWith(publicClient: PublicClient, txHash: Hex, requestId: Hex) {
  const tx = await publicClient.getTransaction({ hash: txHash });
  const call = decodeFunctionData({ abi, data: tx.input });
  if (call.functionName === "settle") {
    const [, , output, proof] = call.args;
    return { output, proof };
  }
  if (call.functionName === "settleBatch") {
    const [, outputWords, inputWords, items] = call.args;
    const item = decodeSettleBatch(outputWords, inputWords, items).find((i) => i.requestId === requestId)!;
    return { output: item.output, proof: item.proof };
  }
  throw new Error(`settlement of ${requestId} came from ${call.functionName}`);
}

/** What the reconciliation found; `problems` is empty for a clean run. */
export type Reconciliation = Awaited<ReturnType<typeof reconcile>>;

/**
 * Reconciles the run from the chain alone (events and `requestState`), then each relayer's store
 * against it. Every request must be in exactly one final state, every settlement must carry a proof the
 * model's verifier accepts for the committed output (and that output must be the model's), served kinds
 * must be settled, and the books must balance to the wei.
 */
export async function reconcile(net: TestNetwork, relayers: { name: string; address: string; dataDir: string }[]) {
  const { publicClient, deployment } = net;
  const hub = deployment.hub;
  const servedModelId = BigInt(deployment.modelId);
  const events = await hubEvents(publicClient, hub, BigInt(deployment.deployBlock));
  const problems: string[] = [];
  const requested = events.of("Requested");
  const finals = new Map<string, string[]>();
  const note = (id: string, what: string) => finals.set(id, [...(finals.get(id) ?? []), what]);
  for (const e of events.of("Settled")) note(e.args.requestId, "settled");
  for (const e of events.of("Refunded")) note(e.args.requestId, "refunded");
  for (const e of events.of("Slashed")) note(e.args.requestId, "slashed");

  const counts = { settled: 0, refunded: 0, slashed: 0 };
  const byKind: Record<string, number> = {};
  let lost = 0;
  let doublePaid = 0;
  const requestById = new Map<string, HubRequest>();
  for (const e of requested) {
    const { requestId, request } = e.args;
    if (requestById.has(requestId)) problems.push(`request id ${requestId} appears twice on the final chain`);
    requestById.set(requestId, request);
    const kind = kindOf(request, servedModelId);
    byKind[kind] = (byKind[kind] ?? 0) + 1;
    const outcomes = finals.get(requestId) ?? [];
    const [status] = await publicClient.readContract({
      address: hub,
      abi,
      functionName: "requestState",
      args: [requestId],
    });
    const expected = {
      settled: RequestStatus.Settled,
      refunded: RequestStatus.Refunded,
      slashed: RequestStatus.Slashed,
    };
    if (outcomes.length === 0) {
      lost++;
      problems.push(`${requestId} (${kind}) has no final state (status ${status})`);
      continue;
    }
    if (outcomes.length > 1) {
      doublePaid++;
      problems.push(`${requestId} finished ${outcomes.length} times: ${outcomes.join(", ")}`);
    }
    const outcome = outcomes[0] as keyof typeof counts;
    counts[outcome]++;
    if (status !== expected[outcome]) problems.push(`${requestId}: event says ${outcome}, requestState says ${status}`);
    const served = SERVED_KINDS.has(kind as RequestKind);
    if (served && outcome !== "settled") problems.push(`${requestId} (${kind}) was served by nobody: ${outcome}`);
    if (!served && outcome === "settled") problems.push(`${requestId} (${kind}) should not have been settled`);
  }
  for (const id of finals.keys()) {
    if (!requestById.has(id)) problems.push(`${id} finished but has no Requested event on the final chain`);
  }

  // Every settlement: the committed output, the model's output for the input, a proof the verifier accepts.
  const committed = new Map<string, { output: readonly bigint[]; node: string; block: bigint }>();
  for (const e of events.of("Committed")) {
    committed.set(e.args.requestId, { output: e.args.output, node: e.args.node, block: e.blockNumber });
  }
  let invalidProofs = 0;
  for (const e of events.of("Settled")) {
    const id = e.args.requestId;
    const commitment = committed.get(id);
    const paid = await settledWith(publicClient, e.transactionHash, id);
    const req = requestById.get(id)!;
    const expectedOutput = (await net.model.infer(net.model.unpackInput([...req.input]))).outputWords;
    const fail = (why: string) => {
      invalidProofs++;
      problems.push(`${id} paid ${why}`);
    };
    if (!commitment || commitment.node.toLowerCase() !== e.args.node.toLowerCase())
      fail("to a node that did not commit it");
    else if (paid.output.join() !== commitment.output.join()) fail("for an output other than the committed one");
    else if (paid.output.join() !== expectedOutput.join()) fail("for an output that is not the model's");
    else {
      const ok = await publicClient
        .readContract({
          address: req.verifier,
          abi: verifierAbi,
          functionName: "verifyProof",
          args: [paid.proof, [...paid.output, ...req.input]],
        })
        .then(
          () => true,
          () => false,
        );
      if (!ok) fail("with a proof the verifier rejects");
    }
  }

  const books = await checkBooks(
    net,
    events,
    relayers.map((r) => r.address as Address),
  );
  problems.push(...books.problems);
  const stores = relayers.map((r) => checkStore(r, requestById, events, problems));

  // Commit latency from the chain: Requested block → Committed block (block timestamps, seconds).
  const timestamps = new Map<bigint, number>();
  const ts = async (n: bigint) => {
    if (!timestamps.has(n)) timestamps.set(n, Number((await publicClient.getBlock({ blockNumber: n })).timestamp));
    return timestamps.get(n)!;
  };
  const latencies: number[] = [];
  for (const e of requested) {
    const c = committed.get(e.args.requestId);
    if (c) latencies.push((await ts(c.block)) - (await ts(e.blockNumber)));
  }
  latencies.sort((a, b) => a - b);
  return {
    requests: requested.length,
    byKind,
    counts,
    lost,
    doublePaid,
    invalidProofs,
    books,
    stores,
    commitLatencyS: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
    problems,
  };
}

async function checkBooks(net: TestNetwork, events: Awaited<ReturnType<typeof hubEvents>>, nodes: Address[]) {
  const { publicClient, deployment } = net;
  const hub = deployment.hub;
  const problems: string[] = [];
  const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
  const escrowed = sum(
    events
      .of("Requested")
      .map((e) => e.args.request.modelFee + e.args.request.settlementFee + e.args.request.callbackFee),
  );
  const settled = events.of("Settled");
  const earned = sum(settled.map((e) => e.args.modelFee + e.args.callbackFee));
  const burnedFees = sum(settled.map((e) => e.args.settlementFeeBurned));
  const refunded = sum(events.of("Refunded").map((e) => e.args.amount));
  const slashed = events.of("Slashed");
  const slashEscrow = sum(slashed.map((e) => e.args.refunded));
  const slashTransfers = sum(slashed.map((e) => e.args.compensation + e.args.remainder));
  if (earned + burnedFees + refunded + slashEscrow !== escrowed) {
    problems.push(
      `books: earned ${earned} + burned ${burnedFees} + refunded ${refunded} + slash refunds ${slashEscrow} ≠ escrowed ${escrowed}`,
    );
  }
  const withdrawn = events.of("EarningsWithdrawn");
  const read = <fn extends "totalEscrowed" | "pendingBurn">(functionName: fn) =>
    publicClient.readContract({ address: hub, abi, functionName });
  let earningsHeld = 0n;
  for (const node of nodes) {
    const [, earnings] = await publicClient.readContract({
      address: hub,
      abi,
      functionName: "nodeAccount",
      args: [node],
    });
    earningsHeld += earnings;
    const credited = sum(
      settled
        .filter((e) => e.args.node.toLowerCase() === node.toLowerCase())
        .map((e) => e.args.modelFee + e.args.callbackFee),
    );
    const out = sum(
      withdrawn.filter((e) => e.args.node.toLowerCase() === node.toLowerCase()).map((e) => e.args.amount),
    );
    if (credited !== earnings + out)
      problems.push(`books: node ${node} credited ${credited} ≠ held ${earnings} + withdrawn ${out}`);
  }
  const pendingBurn = await read("pendingBurn");
  const flushed = sum(events.of("BurnFlushed").map((e) => e.args.amount));
  const remainders = sum(slashed.filter((e) => /^0x0+$/.test(e.args.recipient)).map((e) => e.args.remainder));
  if (burnedFees + remainders !== pendingBurn + flushed) {
    problems.push(
      `books: burned fees ${burnedFees} + slash remainders ${remainders} ≠ pending ${pendingBurn} + flushed ${flushed}`,
    );
  }
  const totalEscrowed = await read("totalEscrowed");
  if (totalEscrowed !== 0n) problems.push(`books: ${totalEscrowed} still escrowed after every request finished`);
  const hubBalance = await publicClient.readContract({
    address: deployment.token,
    abi: net.tokenAbi,
    functionName: "balanceOf",
    args: [hub],
  });
  if (hubBalance !== totalEscrowed + earningsHeld + pendingBurn) {
    problems.push(
      `books: hub holds ${hubBalance} ≠ escrowed ${totalEscrowed} + earnings ${earningsHeld} + pending burn ${pendingBurn}`,
    );
  }
  return {
    balanced: problems.length === 0,
    escrowed,
    earned,
    withdrawn: sum(withdrawn.map((e) => e.args.amount)),
    burned: burnedFees + remainders,
    refunded: refunded + slashEscrow,
    slashTransfers,
    hubBalance,
    problems,
  };
}

/** A relayer's store against the final chain: its final states must be what the chain says. */
function checkStore(
  relayer: { name: string; address: string; dataDir: string },
  requests: Map<string, HubRequest>,
  events: Awaited<ReturnType<typeof hubEvents>>,
  problems: string[],
) {
  const outcome = new Map<string, { kind: "settled" | "refunded" | "slashed"; node?: string }>();
  for (const e of events.of("Settled")) outcome.set(e.args.requestId, { kind: "settled", node: e.args.node });
  for (const e of events.of("Refunded")) outcome.set(e.args.requestId, { kind: "refunded" });
  for (const e of events.of("Slashed")) outcome.set(e.args.requestId, { kind: "slashed", node: e.args.node });
  const me = relayer.address.toLowerCase();
  const store = openStore(join(relayer.dataDir, "relayer.sqlite"));
  const byState: Record<string, number> = {};
  let mismatches = 0;
  const mismatch = (why: string) => {
    mismatches++;
    problems.push(`store ${relayer.name}: ${why}`);
  };
  try {
    const jobs = store.allJobs();
    const rows = new Map(jobs.map((j) => [j.requestId, j]));
    for (const job of jobs) {
      byState[job.state] = (byState[job.state] ?? 0) + 1;
      const req = requests.get(job.requestId);
      const chain = outcome.get(job.requestId);
      if (!req || !chain) {
        mismatch(`${job.requestId} is ${job.state} but not a finished request on the chain`);
        continue;
      }
      if (!sameRequest(job.requestJson, req)) {
        mismatch(`${job.requestId} holds another request than the chain's`);
      }
      const mine = chain.node?.toLowerCase() === me;
      const ok =
        job.state === "settled"
          ? chain.kind === "settled" && mine
          : job.state === "lost"
            ? chain.kind !== "slashed" && !mine
            : job.state === "rejected" || job.state === "declined"
              ? chain.kind === "refunded"
              : job.state === "expired"
                ? chain.kind === "refunded" || (chain.kind === "slashed" && mine)
                : false;
      if (!ok)
        mismatch(
          `${job.requestId} is ${job.state} in the store, ${chain.kind}${chain.node ? ` by ${chain.node}` : ""} on chain`,
        );
    }
    for (const e of events.of("Settled")) {
      if (e.args.node.toLowerCase() === me && rows.get(e.args.requestId)?.state !== "settled") {
        mismatch(
          `${e.args.requestId} was settled for us on chain but is ${rows.get(e.args.requestId)?.state ?? "missing"} in the store`,
        );
      }
    }
  } finally {
    store.close();
  }
  return { name: relayer.name, byState, mismatches };
}

function sameRequest(requestJson: string, req: HubRequest): boolean {
  const stored = JSON.parse(requestJson) as Record<string, unknown>;
  return (
    String(stored.modelId).replace(/n$/, "") === String(req.modelId) &&
    JSON.stringify((stored.input as string[]).map((w) => String(w).replace(/n$/, ""))) ===
      JSON.stringify(req.input.map(String))
  );
}
