import { type Hex, zeroAddress } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployTestProtocol, readTestCircuitProof, type TestProtocol } from "../deploy/testProtocol.ts";
import {
  ContractRevertError,
  createOpgClient,
  getInference,
  InferenceDroppedError,
  InferenceFailedError,
  type InferenceReorg,
  InferenceTimeoutError,
  type InferenceUpdate,
  inferenceHubWithErrorsAbi,
  quote,
  RequestStatus,
  TransactionRevertedError,
  writeAndWait,
} from "./index.ts";

/**
 * Every SDK action on an in-process Hardhat network with the test circuit registered. The node's part
 * (commit, settle) is played by hand so each path (reorgs, timeouts, refunds, slashes) is reached on
 * purpose; `test/ts/sdk/` runs the same actions against the real relayer.
 */
describe("SDK actions on an in-process Hardhat network", () => {
  let p: TestProtocol;
  const proof = readTestCircuitProof("proof-b");
  const input = proof.input.map(BigInt);
  const output = proof.output.map(BigInt);
  const POLL = { pollingIntervalMs: 10 };
  const client = (role: "requester" | "other") =>
    createOpgClient({
      publicClient: p.publicClient,
      walletClient: p.accounts[role],
      deployment: { ...p.addresses, chainId: 31337, startBlock: 0n, models: [{ modelId: p.modelId }] },
    });
  const rpc = (method: string, params: unknown[] = []) =>
    p.publicClient.request({ method, params } as never) as Promise<unknown>;
  async function commit(requestId: Hex, sent: { request: Parameters<TestProtocol["hub"]["write"]["commit"]>[0][1] }) {
    await p.wait(await p.hub.write.commit([requestId, sent.request, output], { account: p.accounts.node.account }));
  }
  async function settle(requestId: Hex, sent: { request: Parameters<TestProtocol["hub"]["write"]["commit"]>[0][1] }) {
    await p.wait(await p.hub.write.settle([requestId, sent.request, output, proof.proofBytes]));
  }
  async function pass(seconds: number) {
    await p.testClient.increaseTime({ seconds: seconds + 1 });
    await p.testClient.mine({ blocks: 1 });
  }
  /** Resolves once `onStatus` reported `status`. */
  function seen(status: string) {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    return { promise, onStatus: (i: { status: string }) => i.status === status && resolve() };
  }

  beforeAll(async () => {
    p = await deployTestProtocol();
  });
  afterAll(async () => {
    await p?.connection.close();
  });

  it("quote reads the hub's price; an unknown model is a named revert", async () => {
    const [modelFee, settlementFee, total] = await p.hub.read.quote([p.modelId]);
    expect(await client("requester").quote()).toEqual({ modelFee, settlementFee, callbackFee: 0n, total });
    const error = await quote(p.publicClient, { hub: p.hub.address, modelId: 999n }).catch((e) => e);
    expect(error).toBeInstanceOf(ContractRevertError);
    expect(error.errorName).toBe("RegistryModelUnknown");
    expect(error.args).toEqual([999n]);
    expect(error.hint).toMatch(/model id/);
  });

  it("request pays by permit with no allowance, and the waits return the commitment, then the settlement", async () => {
    const opg = client("requester");
    const sent = await opg.request({ input });
    expect(sent.payment).toBe("permit");
    expect(sent.maxTotalFee).toBe((await opg.quote()).total);
    const requested = await opg.getInference({ requestId: sent.requestId });
    expect(requested).toMatchObject({ status: "requested", output: undefined, node: undefined });
    expect(requested.commitDeadline).toBe(sent.request.commitDeadline);

    const statuses: string[] = [];
    const settling = opg.waitForSettlement({
      requestId: sent.requestId,
      ...POLL,
      onStatus: (i) => statuses.push(i.status),
    });
    await commit(sent.requestId, sent);
    const committed = await opg.waitForCommitment({ requestId: sent.requestId, ...POLL });
    expect(committed).toMatchObject({ status: "committed", output });
    expect(committed.node.toLowerCase()).toBe(p.accounts.node.account.address.toLowerCase());
    expect(committed.proofDeadline).toBeGreaterThan(0n);
    await settle(sent.requestId, sent);
    const settled = await settling;
    expect(settled.statusCode).toBe(RequestStatus.Settled);
    expect(settled.logs.settled.args).toMatchObject({ requestId: sent.requestId, modelFee: sent.request.modelFee });
    expect(statuses).toEqual(["requested", "committed", "settled"]);
  });

  it("request pays from an allowance that covers it, and approves first when told not to permit", async () => {
    const opg = client("requester");
    await opg.approve({ amount: 10n ** 21n });
    expect((await opg.request({ input })).payment).toBe("allowance");
    await opg.approve({ amount: 0n });
    const approved = await opg.request({ input, permit: false });
    expect(approved.payment).toBe("approve");
  });

  it("reverts are typed errors carrying the Solidity error's name, arguments and what to do", async () => {
    const tooLow = await client("requester")
      .request({ input, maxTotalFee: 1n })
      .catch((e) => e);
    expect(tooLow).toBeInstanceOf(ContractRevertError);
    expect(tooLow.errorName).toBe("HubFeeAboveMax");
    expect(tooLow.args).toEqual([(await p.hub.read.quote([p.modelId]))[2], 1n]);
    expect(tooLow.message).toContain("quote again");

    const broke = await client("other")
      .request({ input, permit: false })
      .catch((e) => e);
    expect(broke).toBeInstanceOf(ContractRevertError);
    expect(broke.errorName).toBe("ERC20InsufficientBalance");

    const { requestId } = await client("requester").request({ input });
    const early = await client("other")
      .refund({ requestId })
      .catch((e) => e);
    expect(early.errorName).toBe("HubCommitDeadlineNotPassed");
    expect(early.hint).toMatch(/refund after it/);
  });

  it("a timeout names the last status; refund and slash close expired requests and fail the waits", async () => {
    const opg = client("requester");
    const open = await opg.request({ input });
    const timedOut = await opg.waitForCommitment({ requestId: open.requestId, timeoutMs: 0 }).catch((e) => e);
    expect(timedOut).toBeInstanceOf(InferenceTimeoutError);
    expect(timedOut.retryable).toBe(true);
    expect(timedOut.message).toContain("last status Requested");

    const unproven = await opg.request({ input });
    await commit(unproven.requestId, unproven);
    const { commitWindow, proofWindow } = await p.hub.read.params();
    await pass(Math.max(commitWindow, proofWindow));
    await client("other").refund({ requestId: open.requestId });
    await client("other").slash({ requestId: unproven.requestId });

    const refunded = await opg.waitForCommitment({ requestId: open.requestId }).catch((e) => e);
    expect(refunded).toBeInstanceOf(InferenceFailedError);
    expect(refunded.status).toBe(RequestStatus.Refunded);
    expect((await opg.getInference({ requestId: open.requestId })).logs.refunded?.args.amount).toBeGreaterThan(0n);
    const slashed = await opg.waitForSettlement({ requestId: unproven.requestId }).catch((e) => e);
    expect(slashed).toBeInstanceOf(InferenceFailedError);
    expect(slashed.status).toBe(RequestStatus.Slashed);
    // The commitment stands in the record: an optimistic consumer learns what it acted on.
    expect((await opg.waitForCommitment({ requestId: unproven.requestId })).status).toBe("slashed");
  });

  it("waitForSettlement reports a reorganization that drops the commitment and waits for the new one", async () => {
    const opg = client("requester");
    const sent = await opg.request({ input });
    const snapshot = await rpc("evm_snapshot");
    const reorgs: InferenceReorg[] = [];
    const committedSeen = seen("committed");
    const settling = opg.waitForSettlement({
      requestId: sent.requestId,
      ...POLL,
      onStatus: committedSeen.onStatus,
      onReorg: (r) => reorgs.push(r),
    });
    await commit(sent.requestId, sent);
    await committedSeen.promise;
    expect(await rpc("evm_revert", [snapshot])).toBe(true);
    while (reorgs.length === 0) await new Promise((r) => setTimeout(r, 10));
    await commit(sent.requestId, sent);
    await settle(sent.requestId, sent);
    expect((await settling).status).toBe("settled");
    expect(reorgs).toEqual([expect.objectContaining({ dropped: "commitment", from: "committed", to: "requested" })]);
  });

  it("a reorganization that drops the request fails the wait instead of waiting forever", async () => {
    const opg = client("requester");
    const snapshot = await rpc("evm_snapshot");
    const sent = await opg.request({ input });
    const requestedSeen = seen("requested");
    const waiting = opg
      .waitForSettlement({ requestId: sent.requestId, ...POLL, onStatus: requestedSeen.onStatus })
      .catch((e) => e);
    await requestedSeen.promise;
    await rpc("evm_revert", [snapshot]);
    const error = await waiting;
    expect(error).toBeInstanceOf(InferenceDroppedError);
    expect((await getInference(p.publicClient, { hub: p.hub.address, requestId: sent.requestId })).status).toBe("none");
  });

  it("watchInferences reports each status change of one requester's requests", async () => {
    const opg = client("requester");
    const updates: InferenceUpdate[] = [];
    const unwatch = opg.watchInferences({
      requester: p.accounts.requester.account.address,
      pollingIntervalMs: 20,
      onUpdate: (u) => updates.push(u),
    });
    try {
      // Another account's request is not reported.
      await p.wait(await p.token.write.transfer([p.accounts.other.account.address, 10n ** 20n]));
      await client("other").request({ input });
      const sent = await opg.request({ input });
      await commit(sent.requestId, sent);
      await settle(sent.requestId, sent);
      await opg.waitForSettlement({ requestId: sent.requestId, ...POLL });
      while (updates.length < 3) await new Promise((r) => setTimeout(r, 20));
      expect(updates.map((u) => [u.requestId, u.status])).toEqual([
        [sent.requestId, "requested"],
        [sent.requestId, "committed"],
        [sent.requestId, "settled"],
      ]);
    } finally {
      unwatch();
    }
  });

  it("writeAndWait names the function and the hash of a transaction mined reverted", async () => {
    // A fixed gas limit skips estimation, and with automine off the send does not execute it: it is
    // mined reverted in the next block.
    await p.testClient.setAutomine(false);
    const sent = writeAndWait(
      { walletClient: p.accounts.other, publicClient: p.publicClient },
      {
        contractName: "InferenceHub",
        address: p.hub.address,
        abi: inferenceHubWithErrorsAbi,
        functionName: "withdrawEarnings",
        args: [zeroAddress],
        gas: 100_000n,
      },
    ).catch((e) => e);
    try {
      while ((await p.publicClient.getBlock({ blockTag: "pending" })).transactions.length === 0) {
        await new Promise((r) => setTimeout(r, 10));
      }
      await p.testClient.mine({ blocks: 1 });
    } finally {
      await p.testClient.setAutomine(true);
    }
    const error = await sent;
    expect(error).toBeInstanceOf(TransactionRevertedError);
    expect(error.message).toContain(`InferenceHub.withdrawEarnings transaction ${error.hash} reverted`);
  });
});
