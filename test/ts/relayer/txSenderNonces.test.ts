import { type Address, createWalletClient, type Hash, http, parseGwei } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferenceHubWithErrorsAbi as hubAbi } from "../../../abi/index.ts";
import { classifyError } from "../../../relayer/common/errors.ts";
import {
  chainFor,
  createChainClients,
  createTxSender,
  MAX_SENT_BEHIND_STUCK,
  type TxAlert,
} from "../../../relayer/tx/chain.ts";
import { startFaultyProxy } from "../support/faultyRpcProxy.ts";
import { startTestNetwork, type TestNetwork, waitFor } from "./harness.ts";
import { nodeClients, quietLog, sendLikeAJob, startBlockProducer, TEST_GAS } from "./txSenderFixture.ts";

/** Base fee of the spike: far above the fee cap, so nothing of ours can be mined during it. */
const SPIKE_BASE_FEE = parseGwei("50");
/** Base fee after the spike: below the cap. */
const CALM_BASE_FEE = parseGwei("1");
const isRetryable = (e: unknown) => classifyError(e).retryable;

describe("stuck nonces", () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await startTestNetwork();
  });
  afterAll(async () => {
    await net?.stop();
  });

  /** A zero OPG transfer to `to` (a call that always passes its pre-flight; its `Transfer` event counts executions). */
  const transfer = (to: Address) => ({
    address: net.deployment.token,
    abi: net.tokenAbi,
    functionName: "transfer",
    args: [to, 0n],
    label: "transfer",
  });
  const recipient = (i: number) => `0x${(0xbeef0000 + i).toString(16).padStart(40, "0")}` as Address;

  /** Recipients (lowercase, sorted) of the token transfers `from` made since `fromBlock`; to `to` only, when given. */
  async function transferRecipients(from: Address, fromBlock: bigint, to?: Address): Promise<string[]> {
    const logs = await net.publicClient.getContractEvents({
      address: net.deployment.token,
      abi: net.tokenAbi,
      eventName: "Transfer",
      args: to ? { from, to } : { from },
      fromBlock,
    });
    return logs.map((l) => (l.args as { to: Address }).to.toLowerCase()).sort();
  }

  it("keeps one nonce per logical transaction through a fee spike, capped, and sends little behind it", async () => {
    const clients = await nodeClients(net, net.deployment.keys.deployer);
    const from = clients.account.address;
    const alerts: TxAlert[] = [];
    const sender = createTxSender({
      clients,
      log: quietLog(),
      gas: TEST_GAS,
      dryRun: false,
      onAlert: (a) => alerts.push(a),
    });
    const startNonce = await net.publicClient.getTransactionCount({ address: from });
    const fromBlock = await net.publicClient.getBlockNumber();
    const hashes: Hash[] = [];
    /** Nonce of each broadcast, read while it is pending. */
    const nonces = new Map<Hash, number>();
    const onSent = (hash: Hash) => {
      hashes.push(hash);
      net.publicClient.getTransaction({ hash }).then(
        (t) => nonces.set(hash, t.nonce),
        () => undefined,
      );
    };
    const producer = await startBlockProducer(net);
    let noncesDuringSpike: number[] = [];
    let pendingDuringSpike: number[] = [];
    try {
      // The first transfer goes out at market fees, then the base fee jumps far above the cap.
      const first = sendLikeAJob(() => sender.send(transfer(recipient(0)), onSent), isRetryable);
      await waitFor(() => hashes.length > 0, 10_000, "the first broadcast");
      producer.setBaseFee(SPIKE_BASE_FEE);
      const callerWaitMs = TEST_GAS.stuckAfterMs * (TEST_GAS.maxBumps + 1);
      await new Promise((r) => setTimeout(r, 2 * callerWaitMs));
      // Three more logical transactions while the first nonce is stuck: at most MAX_SENT_BEHIND_STUCK go out.
      const rest = [1, 2, 3].map((i) => sendLikeAJob(() => sender.send(transfer(recipient(i)), onSent), isRetryable));
      await new Promise((r) => setTimeout(r, 4 * callerWaitMs));
      expect(await net.publicClient.getTransactionCount({ address: from })).toBe(startNonce); // nothing mined
      noncesDuringSpike = [...new Set(nonces.values())].sort((a, b) => a - b);
      pendingDuringSpike = sender.pendingTransactions?.().map((p) => p.nonce) ?? [];
      producer.setBaseFee(CALM_BASE_FEE);
      await Promise.all([first, ...rest]);
    } finally {
      await producer.stop();
    }
    expect(noncesDuringSpike).toEqual(Array.from({ length: 1 + MAX_SENT_BEHIND_STUCK }, (_, i) => startNonce + i));
    // Each logical transaction executed exactly once, at consecutive nonces, none above the fee cap.
    expect(await transferRecipients(from, fromBlock)).toEqual([0, 1, 2, 3].map((i) => recipient(i).toLowerCase()));
    expect(await net.publicClient.getTransactionCount({ address: from })).toBe(startNonce + 4);
    for (const hash of hashes) {
      const sent = await net.publicClient.getTransaction({ hash }).catch(() => undefined);
      if (sent) expect(sent.maxFeePerGas!).toBeLessThanOrEqual(TEST_GAS.maxFeePerGas);
    }
    expect(pendingDuringSpike).toEqual(noncesDuringSpike);
    expect(alerts.map((a) => a.kind)).toContain("feeCapReached");
    expect(alerts.map((a) => a.kind)).toContain("stuck");
  });

  it("a replacement whose broadcast is slow to answer is never taken for a lost transaction and sent again", async () => {
    // Every broadcast reaches the node at once but its answer comes 1.5 s later: the node has dropped the replaced
    // transaction for the new one while the sender does not have the new hash yet.
    const proxy = await startFaultyProxy(net.chain.url, {
      schedule: (_n, methods) => (methods.includes("eth_sendRawTransaction") ? "slowReply" : "none"),
      delayMs: 1_500,
    });
    const key = net.deployment.keys.deployer;
    const clients = await createChainClients({ rpcUrls: [proxy.url], privateKey: key, pollingIntervalMs: 100 });
    const from = clients.account.address;
    const sender = createTxSender({ clients, log: quietLog(), gas: TEST_GAS, dryRun: false });
    const startNonce = await net.publicClient.getTransactionCount({ address: from });
    const fromBlock = await net.publicClient.getBlockNumber();
    const producer = await startBlockProducer(net);
    try {
      // Three transfers at calm fees below the cap, so each can be replaced once the base fee jumps.
      const sends = [30, 31, 32].map((i) => sendLikeAJob(() => sender.send(transfer(recipient(i))), isRetryable));
      await waitFor(
        async () =>
          (await net.publicClient.getTransactionCount({ address: from, blockTag: "pending" })) >= startNonce + 3,
        20_000,
        "three transfers broadcast",
      );
      producer.setBaseFee(SPIKE_BASE_FEE);
      // A fourth one is refused behind the stuck nonce, checking for lost transactions on every attempt while the
      // three are replaced.
      sends.push(sendLikeAJob(() => sender.send(transfer(recipient(33))), isRetryable));
      await new Promise((r) => setTimeout(r, 6_000));
      producer.setBaseFee(CALM_BASE_FEE);
      await Promise.all(sends);
    } finally {
      await producer.stop();
      await proxy.close();
    }
    expect(await transferRecipients(from, fromBlock)).toEqual([30, 31, 32, 33].map((i) => recipient(i).toLowerCase()));
    expect(await net.publicClient.getTransactionCount({ address: from })).toBe(startNonce + 4);
  });

  it("a retry after the caller gave up waiting joins the transaction even when it was mined meanwhile", async () => {
    const clients = await nodeClients(net, net.deployment.keys.deployer);
    const from = clients.account.address;
    const sender = createTxSender({ clients, log: quietLog(), gas: TEST_GAS, dryRun: false });
    const startNonce = await net.publicClient.getTransactionCount({ address: from });
    const fromBlock = await net.publicClient.getBlockNumber();
    await net.rpc("evm_setAutomine", [false]);
    let sent: Hash | undefined;
    try {
      // Not mined within the caller's wait: it gets a retryable TxPendingError and will try again later.
      await expect(sender.send(transfer(recipient(20)), (h) => (sent = h))).rejects.toMatchObject({ retryable: true });
      await net.rpc("evm_mine");
      await waitFor(
        async () => (await net.publicClient.getTransactionCount({ address: from })) === startNonce + 1,
        10_000,
        "the transfer mined",
      );
      // The sender's watcher sees it mined before the retry comes: the retry gets that outcome, no new nonce.
      await new Promise((r) => setTimeout(r, 1_000));
      const retried = sender.send(transfer(recipient(20)));
      retried.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 500));
      await net.rpc("evm_mine");
      const outcome = await retried;
      expect("hash" in outcome && outcome.hash).toBe(sent);
    } finally {
      await net.rpc("evm_setAutomine", [true]);
    }
    expect(await transferRecipients(from, fromBlock, recipient(20))).toHaveLength(1);
    expect(await net.publicClient.getTransactionCount({ address: from })).toBe(startNonce + 1);
  });

  it("a retry that joins the pending transaction takes its outcome; the same call made later is sent anew", async () => {
    const clients = await nodeClients(net, net.deployment.keys.deployer);
    const from = clients.account.address;
    const sender = createTxSender({ clients, log: quietLog(), gas: TEST_GAS, dryRun: false });
    const fromBlock = await net.publicClient.getBlockNumber();
    const mineSoon = (outcome: Promise<unknown>) =>
      new Promise((r) => setTimeout(r, 300)).then(() => net.rpc("evm_mine")).then(() => outcome);
    await net.rpc("evm_setAutomine", [false]);
    let first: Hash | undefined;
    try {
      await expect(sender.send(transfer(recipient(21)), (h) => (first = h))).rejects.toMatchObject({ retryable: true });
      // The retry comes while it is still pending: it joins it and gets its receipt.
      const joined = (await mineSoon(sender.send(transfer(recipient(21))))) as { hash: Hash };
      expect(joined.hash).toBe(first);
      // Nobody gave up on this one: the same transfer asked for again is another transaction.
      const again = (await mineSoon(sender.send(transfer(recipient(21))))) as { hash: Hash };
      expect(again.hash).not.toBe(first);
    } finally {
      await net.rpc("evm_setAutomine", [true]);
    }
    expect(await transferRecipients(from, fromBlock, recipient(21))).toHaveLength(2);
  });

  /** A new request, the `commit` transaction of its correct output, and a rival node's wallet. */
  async function commitRace(floats: number[]) {
    const id = await net.request(floats);
    const req = (
      await net.publicClient.getContractEvents({
        address: net.deployment.hub,
        abi: hubAbi,
        eventName: "Requested",
        args: { requestId: id },
        fromBlock: 0n,
      })
    )[0]!.args.request!;
    const { outputWords } = await net.model.infer(net.model.unpackInput([...req.input]));
    const commit = {
      address: net.deployment.hub,
      abi: hubAbi,
      functionName: "commit",
      args: [id, req, outputWords],
      label: "commit",
    };
    const rival = createWalletClient({
      chain: chainFor(net.deployment.chainId, [net.chain.url]),
      transport: http(net.chain.url),
      account: privateKeyToAccount(net.deployment.keys.node2),
    });
    return { id, req, outputWords, commit, rival };
  }

  it("reports a transaction that reverted when mined with the revert its call meets at the end of that block", async () => {
    const { id, req, outputWords, commit, rival } = await commitRace([0.3, -0.1, 0.2, -0.2]);
    const sender = createTxSender({ clients: await nodeClients(net), log: quietLog(), gas: TEST_GAS, dryRun: false });
    await net.rpc("evm_setAutomine", [false]);
    try {
      let sent = false;
      const outcome = sender.send(commit, () => {
        sent = true;
      });
      outcome.catch(() => undefined);
      await waitFor(() => sent, 10_000, "our commitment to be broadcast");
      // The rival's commitment is mined ahead of ours in the same block (a higher tip): ours reverts.
      await rival.writeContract({
        address: net.deployment.hub,
        abi: hubAbi,
        functionName: "commit",
        args: [id, req, outputWords],
        maxFeePerGas: parseGwei("100"),
        maxPriorityFeePerGas: parseGwei("50"),
        gas: 300_000n,
      });
      await net.rpc("evm_mine");
      await expect(outcome).rejects.toThrow(
        /^commit transaction 0x[0-9a-f]{64} reverted on chain: its call reverts with HubUnexpectedStatus\(.*\) at the end of block \d+$/,
      );
    } finally {
      await net.rpc("evm_setAutomine", [true]);
    }
    expect((await net.state(id)).node.toLowerCase()).toBe(rival.account.address.toLowerCase());
  });

  it("cancels a stuck commitment with a self-transfer once another node's commitment makes it revert", async () => {
    const { id, req, outputWords, commit, rival } = await commitRace([0.2, 0.1, -0.3, 0.3]);
    const clients = await nodeClients(net);
    const node = clients.account.address;
    const nonce = await net.publicClient.getTransactionCount({ address: node });
    const gas = { ...TEST_GAS, stuckAfterMs: 1_500, maxBumps: 20 };
    const sender = createTxSender({ clients, log: quietLog(), gas, dryRun: false });
    const producer = await startBlockProducer(net);
    let outcome: Promise<unknown> | undefined;
    try {
      let sent = false;
      outcome = sender.send(commit, () => {
        sent = true;
      });
      outcome.catch(() => undefined);
      await waitFor(() => sent, 10_000, "our commitment to be broadcast");
      // Another node outbids the spike and commits first; ours can no longer succeed.
      await rival.writeContract({
        address: net.deployment.hub,
        abi: hubAbi,
        functionName: "commit",
        args: [id, req, outputWords],
        maxFeePerGas: parseGwei("200"),
        maxPriorityFeePerGas: parseGwei("2"),
        gas: 300_000n,
      });
      producer.setBaseFee(SPIKE_BASE_FEE);
      await waitFor(
        async () => (await net.state(id)).node.toLowerCase() === rival.account.address.toLowerCase(),
        20_000,
        "the rival's commitment",
      );
      // Time for the watcher to find the stuck nonce and re-run its pre-flight.
      await new Promise((r) => setTimeout(r, 3 * gas.stuckAfterMs));
      producer.setBaseFee(CALM_BASE_FEE);
      await expect(outcome).rejects.toMatchObject({ errorName: "HubUnexpectedStatus" });
    } finally {
      await producer.stop();
    }
    // The nonce was used by a zero-value self-transfer, not by a commitment that reverts.
    expect(await net.publicClient.getTransactionCount({ address: node })).toBe(nonce + 1);
    const head = await net.publicClient.getBlockNumber();
    let found = false;
    for (let n = head; n > head - 200n && !found; n--) {
      const block = await net.publicClient.getBlock({ blockNumber: n, includeTransactions: true });
      const ours = block.transactions.find((t) => t.from.toLowerCase() === node.toLowerCase() && t.nonce === nonce);
      if (!ours) continue;
      found = true;
      expect({ to: ours.to?.toLowerCase(), value: ours.value, input: ours.input }).toEqual({
        to: node.toLowerCase(),
        value: 0n,
        input: "0x",
      });
      expect((await net.publicClient.getTransactionReceipt({ hash: ours.hash })).gasUsed).toBe(21_000n);
    }
    expect(found).toBe(true);
  });

  it("adopts a transaction still pending from before a restart instead of sending it again", async () => {
    const key = net.deployment.keys.deployer;
    const from = (await nodeClients(net, key)).account.address;
    const startNonce = await net.publicClient.getTransactionCount({ address: from });
    const fromBlock = await net.publicClient.getBlockNumber();
    const producer = await startBlockProducer(net);
    try {
      producer.setBaseFee(SPIKE_BASE_FEE);
      const before = createTxSender({
        clients: await nodeClients(net, key),
        log: quietLog(),
        gas: TEST_GAS,
        dryRun: false,
      });
      const stored: Hash[] = [];
      await expect(before.send(transfer(recipient(10)), (h) => stored.push(h))).rejects.toMatchObject({
        retryable: true,
      });
      // A new process: it knows only the hashes the job persisted.
      const after = createTxSender({
        clients: await nodeClients(net, key),
        log: quietLog(),
        gas: TEST_GAS,
        dryRun: false,
      });
      const joined: Hash[] = [];
      const resumed = sendLikeAJob(
        () => after.send({ ...transfer(recipient(10)), knownHashes: [stored.at(-1)!] }, (h) => joined.push(h)),
        isRetryable,
      );
      await waitFor(() => joined.length > 0, 10_000, "the adopted transaction");
      expect(joined[0]).toBe(stored.at(-1));
      expect((await net.publicClient.getTransaction({ hash: joined[0]! })).nonce).toBe(startNonce);
      producer.setBaseFee(CALM_BASE_FEE);
      await resumed;
    } finally {
      await producer.stop();
    }
    expect(await transferRecipients(from, fromBlock, recipient(10))).toHaveLength(1);
    expect(await net.publicClient.getTransactionCount({ address: from })).toBe(startNonce + 1);
  });

  it("fills the nonce gap a reorg leaves below a pending transaction instead of queueing behind it", async () => {
    const clients = await nodeClients(net, net.deployment.keys.node2);
    const from = clients.account.address;
    const sender = createTxSender({ clients, log: quietLog(), gas: TEST_GAS, dryRun: false });
    const snapshot = await net.rpc("evm_snapshot");
    const base = await net.publicClient.getTransactionCount({ address: from });
    await sender.send(transfer(recipient(100))); // mined at `base`, then dropped by the reorg
    await net.rpc("evm_setAutomine", [false]);
    const second = sender.send(transfer(recipient(101))).catch(() => undefined); // pending at base + 1
    await waitFor(() => sender.pendingTransactions().length === 1, 10_000, "the second transaction to be pending");
    expect(await net.rpc("evm_revert", [snapshot])).toBe(true);
    await net.rpc("evm_setAutomine", [true]);
    await sender.resetNonce();
    expect(await net.publicClient.getTransactionCount({ address: from })).toBe(base);

    // The next send takes the free nonce `base`; queued at base + 2 it could never be mined.
    const third = sender.send(transfer(recipient(102)));
    const outcome = await Promise.race([third, new Promise<"stuck">((r) => setTimeout(() => r("stuck"), 20_000))]);
    expect(outcome).not.toBe("stuck");
    if (outcome !== "stuck" && "receipt" in outcome) {
      const tx = await net.publicClient.getTransaction({ hash: outcome.hash });
      expect(tx.nonce).toBe(base);
    }
    await net.rpc("evm_mine");
    await second;
  });
});
