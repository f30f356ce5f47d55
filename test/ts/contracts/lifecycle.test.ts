import * as snarkjs from "snarkjs";
import { parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestStatus } from "../../../abi/index.ts";
import {
  deployTestProtocol,
  MODEL_PRICE,
  TEST_CIRCUIT_VKEY,
  TEST_CIRCUIT_WASM,
  TEST_CIRCUIT_ZKEY,
} from "../../../deploy/testProtocol.ts";
import { encodeProof } from "../../../zkml/index.ts";

type Protocol = Awaited<ReturnType<typeof deployTestProtocol>>;

/** Random 32-bit input words (the circuit range-checks each input to 32 bits). */
function randomInput(): [bigint, bigint] {
  const word = () => BigInt(Math.floor(Math.random() * 2 ** 32));
  return [word(), word()];
}

describe("InferenceHub lifecycle on a local Hardhat network with a real snarkjs proof", () => {
  let p: Protocol;

  beforeAll(async () => {
    p = await deployTestProtocol();
  });

  afterAll(async () => {
    await p?.connection.close();
  });

  it("request → commit → settle (fresh Groth16 proof) → withdraw → burn", async () => {
    const { hub, token, accounts, wait, modelId } = p;
    const { requester, node, other } = accounts;
    const [modelFee, settlementFee, total] = await hub.read.quote([modelId]);
    expect(modelFee).toBe(MODEL_PRICE);
    const supplyBefore = await token.read.totalSupply();

    const input = randomInput();
    await wait(await token.write.approve([hub.address, total], { account: requester.account }));
    const requestReceipt = await wait(
      await hub.write.request([modelId, input, 0, 0, total], { account: requester.account }),
    );
    const [requested] = parseEventLogs({ abi: hub.abi, logs: requestReceipt.logs, eventName: "Requested" });
    if (!requested) throw new Error("Requested not emitted");
    const { requestId, request } = requested.args;
    expect(request.input).toEqual(input);
    expect(request.modelFee).toBe(modelFee);
    expect(request.settlementFee).toBe(settlementFee);

    // The node computes the result and proves it with the committed circuit artifacts.
    const { proof, publicSignals } = await snarkjs.groth16.fullProve(
      { x: input.map(String) },
      TEST_CIRCUIT_WASM,
      TEST_CIRCUIT_ZKEY,
    );
    expect(await snarkjs.groth16.verify(TEST_CIRCUIT_VKEY, publicSignals, proof)).toBe(true);
    const output = [BigInt(publicSignals[0] as string)];
    expect(output[0]).toBe(3n * input[0] + 5n * input[1] + 7n);
    expect(publicSignals.slice(1).map(BigInt)).toEqual(input);

    const commitReceipt = await wait(await hub.write.commit([requestId, request, output], { account: node.account }));
    const [committed] = parseEventLogs({ abi: hub.abi, logs: commitReceipt.logs, eventName: "Committed" });
    expect(committed?.args.node.toLowerCase()).toBe(node.account.address.toLowerCase());
    expect(committed?.args.output).toEqual(output);

    // Anyone may submit the proof; the committing node is paid.
    const settleReceipt = await wait(
      await hub.write.settle([requestId, request, committed!.args.output, encodeProof(proof)], {
        account: other.account,
      }),
    );
    const [settled] = parseEventLogs({ abi: hub.abi, logs: settleReceipt.logs, eventName: "Settled" });
    expect(settled?.args).toMatchObject({ requestId, modelFee, settlementFeeBurned: settlementFee });
    const [status] = await hub.read.requestState([requestId]);
    expect(status).toBe(RequestStatus.Settled);

    const [, earnings] = await hub.read.nodeAccount([node.account.address]);
    expect(earnings).toBe(modelFee);
    await wait(await hub.write.withdrawEarnings([node.account.address], { account: node.account }));
    expect(await token.read.balanceOf([node.account.address])).toBe(modelFee);
    await wait(await hub.write.flushBurn({ account: other.account }));
    expect(await token.read.totalSupply()).toBe(supplyBefore - settlementFee);
    expect(await token.read.balanceOf([hub.address])).toBe(0n);
  });

  it("refunds an uncommitted request after its deadline and slashes an unproven commitment", async () => {
    const { hub, token, accounts, wait, modelId, testClient, staking } = p;
    const { requester, node, other } = accounts;
    const [, , total] = await hub.read.quote([modelId]);
    await wait(await token.write.approve([hub.address, 2n * total], { account: requester.account }));
    const ids = [];
    for (let i = 0; i < 2; i++) {
      const receipt = await wait(
        await hub.write.request([modelId, randomInput(), 0, 0, total], { account: requester.account }),
      );
      const [event] = parseEventLogs({ abi: hub.abi, logs: receipt.logs, eventName: "Requested" });
      ids.push(event!.args);
    }
    const [toRefund, toSlash] = ids as [(typeof ids)[0], (typeof ids)[0]];
    await wait(await hub.write.commit([toSlash.requestId, toSlash.request, [1n]], { account: node.account }));
    const balanceBefore = await token.read.balanceOf([requester.account.address]);
    const stakeBefore = (await staking.read.stakeOf([node.account.address])).staked;

    const params = await hub.read.params();
    await testClient.increaseTime({ seconds: params.proofWindow + params.commitWindow + 1 });
    await testClient.mine({ blocks: 1 });
    await wait(await hub.write.refund([toRefund.requestId, toRefund.request], { account: other.account }));
    await wait(await hub.write.slash([toSlash.requestId, toSlash.request, [1n]], { account: other.account }));

    const compensation = (toSlash.request.bond * BigInt(params.slashCompensationBps)) / 10_000n;
    expect(await token.read.balanceOf([requester.account.address])).toBe(balanceBefore + 2n * total + compensation);
    expect((await staking.read.stakeOf([node.account.address])).staked).toBe(stakeBefore - toSlash.request.bond);
    expect(await hub.read.pendingBurn()).toBe(toSlash.request.bond - compensation);
  });
});
