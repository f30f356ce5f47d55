import { parseEventLogs } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { inferenceHubWithErrorsAbi } from "../../../abi/index.ts";
import type { RelayerConfigInput } from "../../../relayer/common/config.ts";
import { startTestNetwork, type TestNetwork } from "../relayer/harness.ts";
import { type FaultRates, type FaultyProxy, randomFaults, startFaultyProxy } from "../support/faultyRpcProxy.ts";
import { between, createPrng } from "./prng.ts";
import { finalizeLeftovers, kindOf, type Reconciliation, reconcile } from "./reconcile.ts";
import { createRelayerFleet, type RelayerFleet } from "./relayerFleet.ts";
import {
  CHAOS_MAX_CALLBACK_GAS,
  createWorkload,
  type RequestKind,
  SERVED_KINDS,
  SERVED_SHARE,
  type Workload,
} from "./workload.ts";

/** Faults per proxied request: about one in twenty fails one way or another. */
export const DEFAULT_FAULT_RATES: FaultRates = { "5xx": 0.02, reset: 0.01, drop: 0.01, delay: 0.01, lostReply: 0.01 };
/** Latency spike of a `delay` fault. */
const FAULT_DELAY_MS = 2_000;
/** How long the relayers get to close their open jobs once the chain has decided every served request. */
const IDLE_TIMEOUT_MS = 60_000;
/** Served requests on chain but not yet settled above which the generator waits (keeps latency inside the commit window). */
const DEFAULT_MAX_OUTSTANDING = 24;
/** How often the orchestrator reads progress from the chain and samples relayer memory. */
const PROGRESS_EVERY_MS = 1_000;
/** Relayer poll interval: fast enough for the run, slow enough for two cores. */
const RELAYER_POLL_MS = 250;
/** Earnings threshold for the first relayer, so withdrawals happen during the run (and meet its faults). */
const WITHDRAW_THRESHOLD = 20n * 10n ** 18n;

/** What a chaos run does. Every random choice comes from `seed`. */
export type ChaosOptions = {
  requests: number;
  kills: number;
  /** The reorg removes at least this many blocks (and at least one commitment and one settlement). */
  minReorgDepth: number;
  outageMs: number;
  seed: number;
  faultRates?: FaultRates;
  maxOutstanding?: number;
  /** Give up waiting for the served requests to settle after this long (the run then fails). */
  settleTimeoutMs: number;
  log?: (line: string) => void;
};

/** The run's outcome: the reconciliation and the figures of the summary. */
export type ChaosReport = {
  reconciliation: Reconciliation;
  kills: number;
  restarts: number;
  crashes: string[];
  reorgs: { depth: number; droppedCommits: number; droppedSettlements: number; droppedRequests: number }[];
  /** Relayers' resident memory (MB) and store sizes (bytes) at each tenth of the run: bounded, or growing. */
  timeline: { settled: number; rssMb: number[]; storeBytes: number[] }[];
  faults: Record<string, number>;
  faultsInjected: number;
  trafficMs: number;
  settledPerMin: number;
  maxRelayerRssMb: number;
  maxProverRssMb: number;
  storeBytes: Record<string, number>;
  node: string;
  summary: string;
};

type Progress = { onChain: number; served: number; settled: number; committed: number };

/** Counts of the hub's events from `fromBlock` (default: the deployment) to the head. */
async function readProgress(net: TestNetwork, fromBlock = BigInt(net.deployment.deployBlock)): Promise<Progress> {
  const logs = await net.publicClient.getLogs({ address: net.deployment.hub, fromBlock });
  const events = parseEventLogs({ abi: inferenceHubWithErrorsAbi, logs });
  const served = BigInt(net.deployment.modelId);
  let onChain = 0;
  let servedCount = 0;
  let settled = 0;
  let committed = 0;
  for (const e of events) {
    if (e.eventName === "Requested") {
      onChain++;
      if (SERVED_KINDS.has(kindOf(e.args.request, served) as RequestKind)) servedCount++;
    } else if (e.eventName === "Settled") settled++;
    else if (e.eventName === "Committed") committed++;
  }
  return { onChain, served: servedCount, settled, committed };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Two relayer processes (the network's two node keys) through the fault proxy, with the operator terms of the run. */
function startFleet(net: TestNetwork, proxy: FaultyProxy): RelayerFleet {
  const common: Partial<RelayerConfigInput> = {
    rpcUrls: [proxy.url],
    pollIntervalMs: RELAYER_POLL_MS,
    policy: { maxCallbackGas: CHAOS_MAX_CALLBACK_GAS },
    gas: { stuckAfterMs: 5_000, maxBumps: 5, bumpPercent: 25 },
    logLevel: "warn",
  };
  const fleet = createRelayerFleet(net, [
    {
      name: "relayer-1",
      privateKey: net.deployment.keys.node,
      overrides: { ...common, withdrawThreshold: WITHDRAW_THRESHOLD },
    },
    { name: "relayer-2", privateKey: net.deployment.keys.node2, overrides: common },
  ]);
  fleet.startAll();
  return fleet;
}

/**
 * Runs the chaos scenario end to end and reconciles it from the chain: `requests` requests from three
 * requesters and three consumer contracts (some malformed, some for a model nobody serves, some asking
 * for more callback gas than relayers provision), served by two `opg relayer start` processes through a
 * fault-injecting RPC proxy, with `kills` SIGKILLs (each relayer restarted), one reorg that drops blocks
 * holding commitments and settlements, and one RPC outage of `outageMs`.
 */
export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const log = opts.log ?? (() => undefined);
  const random = createPrng(opts.seed);
  const net = await startTestNetwork();
  let proxy: FaultyProxy | undefined;
  let fleet: RelayerFleet | undefined;
  try {
    const workload = await createWorkload(net);
    proxy = await startFaultyProxy(net.chain.url, {
      schedule: randomFaults(createPrng(opts.seed + 1), opts.faultRates ?? DEFAULT_FAULT_RATES),
      delayMs: FAULT_DELAY_MS,
    });
    fleet = startFleet(net, proxy);
    log(
      `chaos: ${net.chain.kind} node ${net.chain.url}, proxy ${proxy.url}, seed ${opts.seed}, ${opts.requests} requests`,
    );
    const run = await drive(net, workload, proxy, fleet, opts, random, log);
    // A relayer restarted late can still be reading old blocks, or hold rows for requests the other one settled:
    // let it catch up with the head and see that before the stores are compared with the chain (a job in retry
    // backoff waits up to 30 s).
    const busy = await fleet.waitIdle(IDLE_TIMEOUT_MS, () => net.publicClient.getBlockNumber());
    if (busy.length > 0) {
      log(
        `chaos: ${busy.join(", ")} had not caught up with the chain or still held open jobs after ${IDLE_TIMEOUT_MS / 1000} s`,
      );
    }
    await fleet.stopAll();
    const crashes = [...run.crashes, ...fleet.crashed()];
    const leftovers = await finalizeLeftovers(net);
    log(`chaos: finalized ${leftovers.refunds} refunds and ${leftovers.slashes} slashes past the windows`);
    const relayers = fleet.members.map((m, i) => ({
      name: m.name,
      dataDir: m.dataDir,
      address: privateKeyToAccount(i === 0 ? net.deployment.keys.node : net.deployment.keys.node2).address,
    }));
    const reconciliation = await reconcile(net, relayers);
    const kills = fleet.members.reduce((n, m) => n + m.kills, 0);
    const restarts = fleet.members.reduce((n, m) => n + m.starts - 1, 0);
    const faultsInjected = proxy.injected();
    const balanced = reconciliation.books.balanced ? "books balance" : "books DO NOT balance";
    const summary =
      `${reconciliation.requests} requests, ${kills} kills, ${run.reorgs.length} reorgs, ${faultsInjected} faults: ` +
      `${reconciliation.lost} lost, ${reconciliation.doublePaid} double-paid, ${balanced}`;
    return {
      reconciliation,
      kills,
      restarts,
      crashes,
      reorgs: run.reorgs,
      timeline: run.timeline,
      faults: { ...proxy.counts },
      faultsInjected,
      trafficMs: run.trafficMs,
      settledPerMin: reconciliation.counts.settled / (run.trafficMs / 60_000),
      maxRelayerRssMb: Math.max(...fleet.members.map((m) => m.peakRssKb)) / 1024,
      maxProverRssMb: Math.max(...fleet.members.map((m) => m.peakProverRssKb)) / 1024,
      storeBytes: fleet.storeBytes(),
      node: net.chain.kind,
      summary,
    };
  } finally {
    await fleet?.stopAll();
    await proxy?.close();
    await net.stop();
  }
}

/** The scripted chaos: traffic, kills, the reorg and the outage, until every served request is settled. */
async function drive(
  net: TestNetwork,
  workload: Workload,
  proxy: FaultyProxy,
  fleet: RelayerFleet,
  opts: ChaosOptions,
  random: () => number,
  log: (line: string) => void,
) {
  const n = opts.requests;
  const maxOutstanding = opts.maxOutstanding ?? DEFAULT_MAX_OUTSTANDING;
  // The plan, drawn up front from the seed: progress fractions (settled / expected served) at which things happen.
  const kills = Array.from({ length: opts.kills }, () => ({
    at: 0.1 + 0.75 * random(),
    relayer: between(random, 0, fleet.members.length - 1),
    delayMs: between(random, 0, 3_000),
    downMs: between(random, 500, 4_000),
  })).sort((a, b) => a.at - b.at);
  const reorgAt = 0.25 + 0.3 * random();
  const outageAt = 0.6 + 0.2 * random();
  let progress = await readProgress(net);
  let paused = false;
  let stopTraffic = false;
  let sending: Promise<void> = Promise.resolve();
  const crashes: string[] = [];
  const reorgs: ChaosReport["reorgs"] = [];
  const timeline: ChaosReport["timeline"] = [];
  const startedAt = Date.now();
  // Requests on the canonical chain, from the hub's nonce (exact across reorgs, unlike counting sends).
  const hub = { address: net.deployment.hub, abi: inferenceHubWithErrorsAbi } as const;
  const nonce0 = await net.publicClient.readContract({ ...hub, functionName: "nextNonce" });
  const onChain = async () =>
    Number((await net.publicClient.readContract({ ...hub, functionName: "nextNonce" })) - nonce0);

  const traffic = (async () => {
    while (!stopTraffic) {
      const count = await onChain();
      const outstanding = progress.served + (count - progress.onChain) - progress.settled;
      if (paused || outstanding >= maxOutstanding || count >= n) {
        await sleep(100);
        continue;
      }
      const kind = workload.pick(random);
      sending = workload.send(kind, random);
      await sending;
    }
  })();

  const done = () => reorgState === "done" && progress.onChain >= n && progress.settled >= progress.served;
  let reorgState: "planned" | "armed" | "done" = "planned";
  let checkpoint: Awaited<ReturnType<TestNetwork["chain"]["checkpoint"]>> | undefined;
  let outage: "planned" | "done" = "planned";
  const deadline = Date.now() + opts.settleTimeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`served requests not settled in time: ${JSON.stringify(progress)}`);
    await sleep(PROGRESS_EVERY_MS);
    progress = await readProgress(net);
    fleet.sample();
    for (const [i, m] of fleet.members.entries()) {
      const c = m.child;
      if (c && (c.exitCode !== null || c.signalCode !== null)) {
        crashes.push(`${m.name} exited by itself (${c.exitCode ?? c.signalCode})`);
        fleet.restart(i);
      }
    }
    const frac = progress.settled / (n * SERVED_SHARE);
    if (frac >= (timeline.length + 1) / 10) {
      timeline.push({ settled: progress.settled, rssMb: fleet.rssMb(), storeBytes: Object.values(fleet.storeBytes()) });
    }
    while (kills.length > 0 && frac >= kills[0]!.at) {
      const k = kills.shift()!;
      await sleep(k.delayMs);
      log(`chaos: SIGKILL ${fleet.members[k.relayer]!.name} at ${progress.settled}/${n} settled`);
      await fleet.kill(k.relayer);
      await sleep(k.downMs);
      fleet.restart(k.relayer);
    }
    if (reorgState === "planned" && frac >= reorgAt) {
      checkpoint = await net.chain.checkpoint();
      reorgState = "armed";
    } else if (reorgState === "armed" && checkpoint) {
      const head = await net.publicClient.getBlockNumber();
      // The blocks the reorg will drop must hold a commitment and a settlement.
      const above = await readProgress(net, checkpoint.block + 1n);
      const enough = head - checkpoint.block >= BigInt(opts.minReorgDepth) && above.settled > 0 && above.committed > 0;
      if (enough) {
        paused = true;
        await sending;
        const depth = Number((await net.publicClient.getBlockNumber()) - checkpoint.block);
        const pre = await readProgress(net);
        await net.chain.reorgTo(checkpoint);
        const post = await readProgress(net);
        reorgs.push({
          depth,
          droppedCommits: pre.committed - post.committed,
          droppedSettlements: pre.settled - post.settled,
          droppedRequests: pre.onChain - post.onChain,
        });
        log(`chaos: reorg of depth ${depth}: ${JSON.stringify(reorgs.at(-1))}`);
        progress = post;
        paused = false;
        reorgState = "done";
      }
    }
    if (outage === "planned" && frac >= outageAt) {
      log(`chaos: RPC outage of ${opts.outageMs} ms at ${progress.settled}/${n} settled`);
      proxy.setOutage(true);
      await sleep(opts.outageMs);
      proxy.setOutage(false);
      outage = "done";
    }
  }
  stopTraffic = true;
  await traffic;
  // Plans that the progress never reached (a small run) still happen, at the end, so each run has them all.
  for (const k of kills) {
    await fleet.kill(k.relayer);
    fleet.restart(k.relayer);
  }
  return { crashes, reorgs, timeline, trafficMs: Date.now() - startedAt };
}
