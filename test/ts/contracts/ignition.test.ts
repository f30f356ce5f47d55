import { network } from "hardhat";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ProtocolModule from "../../../deploy/modules/Protocol.ts";

describe("Ignition module deploy/modules/Protocol.ts", () => {
  let connection: Awaited<ReturnType<typeof network.connect>>;

  beforeAll(async () => {
    connection = await network.connect();
  });

  afterAll(async () => {
    await connection?.close();
  });

  it("deploys the protocol wired together with the given parameters", async () => {
    const { token, registry, staking, hub } = await connection.ignition.deploy(ProtocolModule, {
      parameters: { Protocol: { minStake: 5n, commitWindow: 120 } },
    });
    expect((await staking.read.hub()).toLowerCase()).toBe(hub.address.toLowerCase());
    expect(await staking.read.minStake()).toBe(5n);
    expect((await hub.read.params()).commitWindow).toBe(120);
    expect((await hub.read.TOKEN()).toLowerCase()).toBe(token.address.toLowerCase());
    expect((await hub.read.REGISTRY()).toLowerCase()).toBe(registry.address.toLowerCase());
    expect(await token.read.totalSupply()).toBe(10n ** 27n);
  });
});
