import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyError } from "../../../relayer/common/errors.ts";
import { createTxSender } from "../../../relayer/tx/chain.ts";
import { startTestNetwork, type TestNetwork, waitFor } from "./harness.ts";
import { nodeClients, quietLog, sendLikeAJob, TEST_GAS } from "./txSenderFixture.ts";

const isRetryable = (e: unknown) => classifyError(e).retryable;

/**
 * Found by the chaos run: a reorg dropped the blocks holding a relayer's transactions, and with them the
 * pending ones above (the node kept none of them). The sender still held those pending nonces, above a gap
 * nothing would fill: it refused to send behind the "stuck" lowest one and every later transaction
 * (settlements included) waited forever.
 */
describe("sender after a reorg", () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await startTestNetwork();
  });
  afterAll(async () => {
    await net?.rpc("evm_setAutomine", [true]).catch(() => undefined);
    await net?.stop();
  });

  const transfer = (to: Address, label: string) => ({
    address: net.deployment.token,
    abi: net.tokenAbi,
    functionName: "transfer",
    args: [to, 0n],
    label,
  });
  const to = (i: number) => `0x${(0xbeef0000 + i).toString(16).padStart(40, "0")}` as Address;

  it("drops pending transactions the reorg lost and sends them again at the freed nonces", async () => {
    const clients = await nodeClients(net, net.deployment.keys.deployer);
    const from = clients.account.address;
    const sender = createTxSender({ clients, log: quietLog(), gas: TEST_GAS, dryRun: false });
    const checkpoint = await net.chain.checkpoint();
    const startNonce = await net.publicClient.getTransactionCount({ address: from });
    // Two mined transactions the reorg will drop…
    for (const i of [1, 2]) await sender.send(transfer(to(i), `mined-${i}`));
    // …and three pending above them (no block is mined while they wait).
    await net.rpc("evm_setAutomine", [false]);
    const sent: string[] = [];
    const pending = [3, 4, 5].map((i) =>
      sender
        .send(transfer(to(i), `pending-${i}`), (hash) => sent.push(hash))
        .then(
          () => "mined" as const,
          (error: unknown) => error,
        ),
    );
    await waitFor(() => sent.length >= 3, 30_000, "three pending broadcasts");
    await new Promise((r) => setTimeout(r, TEST_GAS.stuckAfterMs * 2)); // long enough to count as stuck

    await net.chain.reorgTo(checkpoint);
    await net.rpc("evm_setAutomine", [true]);
    expect(await net.publicClient.getTransactionCount({ address: from, blockTag: "pending" })).toBe(startNonce);
    await sender.resetNonce(); // what the relayer does when its watcher sees a reorg

    // hardhat forgets the pending transactions with the reverted blocks: the sender drops them and their
    // callers get a retryable error. anvil keeps them in its pool above the gap: they wait for it.
    if (net.chain.kind === "hardhat") {
      for (const outcome of await Promise.all(pending)) {
        expect(outcome).not.toBe("mined");
        expect(isRetryable(outcome)).toBe(true);
      }
    }
    // Either way the jobs' next attempts, and new transactions, go through: nothing waits forever behind
    // nonces above the gap.
    await Promise.all(
      [3, 4, 5, 6, 7].map((i) => sendLikeAJob(() => sender.send(transfer(to(i), `pending-${i}`)), isRetryable, 30_000)),
    );
    const used = (await net.publicClient.getTransactionCount({ address: from })) - startNonce;
    // On anvil the pooled transactions mine once new ones fill the gap, and a retry may have re-sent the
    // same call meanwhile (docs/reliability.md): hub calls are idempotent by state, a transfer is not.
    if (net.chain.kind === "hardhat") expect(used).toBe(5);
    else expect(used).toBeGreaterThanOrEqual(5);
  });
});
