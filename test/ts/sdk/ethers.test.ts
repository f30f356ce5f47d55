import { BrowserProvider, type Eip1193Provider, type Result } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployTestProtocol, readTestCircuitProof, type TestProtocol } from "../../../deploy/testProtocol.ts";
import { connectOpg, InferenceHub__factory, REVERT_HINTS } from "../../../ethers/index.ts";

/** The ethers v6 entry point: TypeChain contracts attached to a deployment, through a full request's life. */
describe("opg-haca/ethers on an in-process Hardhat network", () => {
  let p: TestProtocol;
  let provider: BrowserProvider;
  const proof = readTestCircuitProof("proof-a");

  beforeAll(async () => {
    p = await deployTestProtocol();
    provider = new BrowserProvider(p.connection.provider as unknown as Eip1193Provider);
  });
  afterAll(async () => {
    await p?.connection.close();
  });

  it("quotes, approves, requests, and reads the commitment and settlement with typed contracts", async () => {
    const deployment = { ...p.addresses, chainId: 31337, startBlock: "0", models: [{ modelId: p.modelId.toString() }] };
    const requester = connectOpg(deployment, await provider.getSigner(p.accounts.requester.account.address));
    const node = connectOpg(deployment, await provider.getSigner(p.accounts.node.account.address));
    const modelId = requester.deployment.models[0]!.modelId;
    const [, , total] = await requester.hub.quote(modelId);
    await (await requester.token.approve(requester.deployment.hub, total)).wait();
    const receipt = await (await requester.hub.request(modelId, proof.input, 0, 0, total)).wait();
    const [requested] = await requester.hub.queryFilter(requester.hub.filters.Requested(), receipt!.blockNumber);
    const { requestId, request } = requested!.args;
    // The struct as ethers decodes it goes straight back into commit and settle.
    const req = (request as unknown as Result).toObject(true) as Parameters<typeof node.hub.commit>[1];
    await (await node.hub.commit(requestId, req, proof.output)).wait();
    await (await node.hub.settle(requestId, req, proof.output, proof.proofBytes)).wait();
    const state = await requester.hub.requestState(requestId);
    expect(state.status).toBe(3n);
    const [settled] = await requester.hub.queryFilter(requester.hub.filters.Settled(requestId));
    expect(settled!.args.modelFee).toBe(request.modelFee);
  });

  it("a revert decodes by name with the hub's interface", async () => {
    const hub = InferenceHub__factory.connect(
      p.addresses.hub,
      await provider.getSigner(p.accounts.requester.account.address),
    );
    const error = await hub.request.staticCall(p.modelId, proof.input, 0, 0, 1n).catch((e) => e);
    const parsed = hub.interface.parseError(error.data);
    expect(parsed?.name).toBe("HubFeeAboveMax");
    expect(REVERT_HINTS[parsed!.name]).toMatch(/quote again/);
  });
});
