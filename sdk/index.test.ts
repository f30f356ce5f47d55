import { BaseError, ContractFunctionRevertedError, zeroAddress } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployTestProtocol, readTestCircuitProof, type TestProtocol } from "../deploy/testProtocol.ts";
import {
  InferenceFailedError,
  InferenceTimeoutError,
  inferenceHubWithErrorsAbi,
  quote,
  RequestStatus,
  request,
  TransactionRevertedError,
  waitForInference,
  writeAndWait,
} from "./index.ts";

/** The revert's Solidity error name, as viem decodes it with the ABI the call was made with. */
function revertName(error: unknown): string | undefined {
  const revert = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : null;
  return revert instanceof ContractFunctionRevertedError ? revert.data?.errorName : undefined;
}

describe("SDK actions on an in-process Hardhat network", () => {
  let p: TestProtocol;
  const proof = readTestCircuitProof("proof-b");
  const input = proof.input.map(BigInt);
  const output = proof.output.map(BigInt);
  const as = (role: "requester" | "other") => ({ walletClient: p.accounts[role], publicClient: p.publicClient });

  /** Sends the fixture's request as the requester; returns it with the parameters to wait for it. */
  async function requestFixture(permit: boolean) {
    const sent = await request(as("requester"), { hub: p.hub.address, modelId: p.modelId, input, permit });
    const { requestId, receipt } = sent;
    return { ...sent, wait: { hub: p.hub.address, requestId, fromBlock: receipt.blockNumber, pollingIntervalMs: 20 } };
  }

  beforeAll(async () => {
    p = await deployTestProtocol();
  });

  afterAll(async () => {
    await p?.connection.close();
  });

  it("quote reads the hub's price of a request without callbacks", async () => {
    const [modelFee, settlementFee, total] = await p.hub.read.quote([p.modelId]);
    expect(await quote(p.publicClient, { hub: p.hub.address, modelId: p.modelId })).toEqual({
      modelFee,
      settlementFee,
      callbackFee: 0n,
      total,
    });
  });

  it("request pays by permit and waitForInference returns the commitment and the settlement", async () => {
    const { requestId, request: emitted, wait } = await requestFixture(true);
    expect(emitted.input).toEqual(input);
    const settling = waitForInference(p.publicClient, wait);
    const { node, other } = p.accounts;
    await p.wait(await p.hub.write.commit([requestId, emitted, output], { account: node.account }));
    const committed = await waitForInference(p.publicClient, { ...wait, until: "committed" });
    expect(committed).toMatchObject({ status: RequestStatus.Committed, output, settled: undefined });
    expect(committed.node.toLowerCase()).toBe(node.account.address.toLowerCase());
    await p.wait(await p.hub.write.settle([requestId, emitted, output, proof.proofBytes], { account: other.account }));
    const settled = await settling;
    expect(settled.status).toBe(RequestStatus.Settled);
    expect(settled.settled.args).toMatchObject({ requestId, modelFee: emitted.modelFee });
  });

  it("request reverts named by the token's error when nothing is approved", async () => {
    const error = await request(as("other"), { hub: p.hub.address, modelId: p.modelId, input }).catch((e) => e);
    expect(revertName(error)).toBe("ERC20InsufficientAllowance");
  });

  it("waitForInference times out on an open request and fails on a refunded one", async () => {
    await p.wait(await p.token.write.approve([p.hub.address, 2n ** 96n], { account: p.accounts.requester.account }));
    const { requestId, request: emitted, wait } = await requestFixture(false);
    const timedOut = await waitForInference(p.publicClient, { ...wait, timeoutMs: 0 }).catch((e) => e);
    expect(timedOut).toBeInstanceOf(InferenceTimeoutError);
    expect(timedOut.retryable).toBe(true);

    await p.testClient.increaseTime({ seconds: (await p.hub.read.params()).commitWindow + 1 });
    await p.testClient.mine({ blocks: 1 });
    await p.wait(await p.hub.write.refund([requestId, emitted], { account: p.accounts.other.account }));
    const failed = await waitForInference(p.publicClient, wait).catch((e) => e);
    expect(failed).toBeInstanceOf(InferenceFailedError);
    expect(failed.status).toBe(RequestStatus.Refunded);
  });

  it("writeAndWait names the function and the hash of a transaction mined reverted", async () => {
    // A fixed gas limit skips estimation, and with automine off the send does not execute it: it is
    // mined reverted in the next block.
    await p.testClient.setAutomine(false);
    const sent = writeAndWait(as("other"), {
      contractName: "InferenceHub",
      address: p.hub.address,
      abi: inferenceHubWithErrorsAbi,
      functionName: "withdrawEarnings",
      args: [zeroAddress],
      gas: 100_000n,
    }).catch((e) => e);
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
