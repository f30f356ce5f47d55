import { parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decodeSettleBatch,
  encodeSettleBatch,
  RequestStatus,
  type SettleBatchEntry,
  settlementBinding,
} from "../../../abi/index.ts";
import { deployTestProtocol, readTestCircuitProof, type TestProtocol } from "../../../deploy/testProtocol.ts";

/**
 * The off-chain settlement encodings (abi/settlement.ts) against the hub on a local Hardhat network: the
 * binding equals what the hub stores at commit, and `encodeSettleBatch` settles through the legacy adapter's loop.
 */
describe("settlement binding and settleBatch encoding", () => {
  let p: TestProtocol;
  const fixtures = ["proof-a", "proof-b"].map(readTestCircuitProof);

  beforeAll(async () => {
    p = await deployTestProtocol();
  });

  afterAll(async () => {
    await p?.connection.close();
  });

  /** Requests and commits each fixture's input; returns the entries a settler would build from the events. */
  async function committed(withSettleCallback: boolean): Promise<SettleBatchEntry[]> {
    const { hub, token, accounts, wait, modelId } = p;
    const entries: SettleBatchEntry[] = [];
    const [, , total] = await hub.read.quote([modelId]);
    for (const f of fixtures) {
      await wait(await token.write.approve([hub.address, total], { account: accounts.requester.account }));
      // An EOA requester with a settle callback: the call does nothing, but the terms carry its gas.
      const [gas, flags] = withSettleCallback ? [50_000, 2] : [0, 0];
      const [, , , quoted] = await hub.read.quoteRequest([modelId, gas, flags]);
      await wait(await token.write.approve([hub.address, quoted], { account: accounts.requester.account }));
      const requested = await wait(
        await hub.write.request([modelId, f.input.map(BigInt), gas, flags, quoted], {
          account: accounts.requester.account,
        }),
      );
      const [event] = parseEventLogs({ abi: hub.abi, logs: requested.logs, eventName: "Requested" });
      const { requestId, request: req } = event!.args;
      const output = f.output.map(BigInt);
      const commit = await wait(await hub.write.commit([requestId, req, output], { account: accounts.node.account }));
      const [c] = parseEventLogs({ abi: hub.abi, logs: commit.logs, eventName: "Committed" });
      entries.push({
        requestId,
        req,
        output,
        proof: f.proofBytes,
        node: c!.args.node,
        proofDeadline: c!.args.proofDeadline,
      });
    }
    return entries;
  }

  it("computes the binding the hub stores at commit, and only for the committing node and deadline", async () => {
    for (const callback of [false, true]) {
      for (const e of await committed(callback)) {
        const [status, deadline, node, binding] = await p.hub.read.requestState([e.requestId]);
        expect(status).toBe(RequestStatus.Committed);
        expect({ node, deadline }).toEqual({ node: e.node, deadline: e.proofDeadline });
        expect(settlementBinding(e.req, e.output, e)).toBe(binding);
        expect(settlementBinding(e.req, e.output, { ...e, proofDeadline: e.proofDeadline + 1n })).not.toBe(binding);
        expect(settlementBinding(e.req, e.output, { ...e, node: p.accounts.other.account.address })).not.toBe(binding);
        expect(settlementBinding(e.req, [e.output[0]! + 1n], e)).not.toBe(binding);
      }
    }
  });

  it("encodes items that decode to their fields and that the hub settles", async () => {
    const entries = await committed(true);
    const [verifier, outputWords, inputWords, items] = encodeSettleBatch(entries);
    expect([verifier, outputWords, inputWords]).toEqual([entries[0]!.req.verifier, 1, 2]);
    const decoded = decodeSettleBatch(outputWords, inputWords, items);
    expect(decoded.map((d) => d.requestId)).toEqual(entries.map((e) => e.requestId));
    for (const [i, d] of decoded.entries()) {
      const e = entries[i]!;
      expect(d).toEqual({
        requestId: e.requestId,
        node: e.node.toLowerCase(),
        proofDeadline: e.proofDeadline,
        modelFee: e.req.modelFee,
        callbackFee: e.req.callbackFee,
        settlementFee: e.req.settlementFee,
        bond: e.req.bond,
        settleCallbackGas: 50_000,
        requester: e.req.requester.toLowerCase(),
        output: e.output,
        input: [...e.req.input],
        proof: e.proof,
      });
    }
    expect(() => decodeSettleBatch(outputWords, inputWords, `${items}00`)).toThrow(/whole number/);
    expect(() => encodeSettleBatch([entries[0]!, { ...entries[1]!, proof: "0x00" }])).toThrow(/entry 1's proof/);

    const receipt = await p.wait(
      await p.hub.write.settleBatch([verifier, outputWords, inputWords, items], { account: p.accounts.other.account }),
    );
    const settled = parseEventLogs({ abi: p.hub.abi, logs: receipt.logs, eventName: "Settled" });
    expect(settled.map((s) => s.args.requestId)).toEqual(entries.map((e) => e.requestId));
    const callbacks = parseEventLogs({ abi: p.hub.abi, logs: receipt.logs, eventName: "CallbackCompleted" });
    expect(callbacks.map((c) => c.args.stage)).toEqual([2, 2]);
  });
});
