/// <reference path="../../../artifacts/contracts/OPGToken.sol/artifacts.d.ts" />
/// <reference path="../../../artifacts/contracts/NodeStaking.sol/artifacts.d.ts" />
/// <reference path="../../../artifacts/contracts/InferenceHub.sol/artifacts.d.ts" />
/// <reference path="../../../artifacts/contracts/tee/EnclaveRegistry.sol/artifacts.d.ts" />
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { network } from "hardhat";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PROTOCOL_PARAMS, deployProtocol } from "../../../deploy/deployProtocol.ts";
import { deployProtocolWithIgnition, type IgnitionConnection } from "../../../deploy/ignitionDeployment.ts";
import ProtocolModule from "../../../deploy/modules/Protocol.ts";
import { parseDeployment } from "../../../sdk/index.ts";

/** The protocol plan deployed both ways: by the Ignition module (testnets) and by `deployProtocol` (viem). */
describe("PROTOCOL_PLAN deployers", () => {
  let connection: Awaited<ReturnType<typeof network.connect>>;

  beforeAll(async () => {
    connection = await network.connect();
  });

  afterAll(async () => {
    await connection?.close();
  });

  it("the Ignition module deploys the protocol wired together with the given parameters", async () => {
    const deployed = await connection.ignition.deploy(ProtocolModule, {
      parameters: { Protocol: { minStake: 5n, commitWindow: 120, keyTtl: 7_200n } },
    });
    const { token, registry, staking, hub, enclaveRegistry } = deployed;
    // The INSECURE dev attestation adapter is never part of the Ignition module, even on the local chain.
    expect(Object.keys(deployed)).not.toContain("insecureDevAttestationAdapter");
    expect(await enclaveRegistry.read.bounds()).toEqual([DEFAULT_PROTOCOL_PARAMS.maxAttestationAge, 7_200n]);
    expect((await enclaveRegistry.read.MODEL_REGISTRY()).toLowerCase()).toBe(registry.address.toLowerCase());
    expect((await staking.read.hub()).toLowerCase()).toBe(hub.address.toLowerCase());
    expect(await staking.read.minStake()).toBe(5n);
    expect((await hub.read.params()).commitWindow).toBe(120);
    expect((await hub.read.TOKEN()).toLowerCase()).toBe(token.address.toLowerCase());
    expect((await hub.read.REGISTRY()).toLowerCase()).toBe(registry.address.toLowerCase());
    expect(await token.read.totalSupply()).toBe(10n ** 27n);
  });

  it("deployProtocol wires the same plan and hands governance over when it is not the deployer", async () => {
    const { viem } = connection;
    const publicClient = await viem.getPublicClient();
    const [deployer, governance] = await viem.getWalletClients();
    const params = { ...DEFAULT_PROTOCOL_PARAMS, governance: governance!.account.address, minStake: 7n };
    const addresses = await deployProtocol({ walletClient: deployer!, publicClient, params });
    const staking = await viem.getContractAt("NodeStaking", addresses.staking);
    const hub = await viem.getContractAt("InferenceHub", addresses.hub);
    const token = await viem.getContractAt("OPGToken", addresses.token);
    const governor = governance!.account.address.toLowerCase();
    expect((await staking.read.hub()).toLowerCase()).toBe(addresses.hub.toLowerCase());
    expect(await staking.read.minStake()).toBe(7n);
    expect((await hub.read.owner()).toLowerCase()).toBe(governor);
    expect((await staking.read.pendingOwner()).toLowerCase()).toBe(governor);
    expect(await token.read.balanceOf([deployer!.account.address])).toBe(10n ** 27n);
    expect(await hub.read.params()).toEqual(DEFAULT_PROTOCOL_PARAMS.hub);
    // On the local chain (31337) only: the INSECURE dev adapter, allowed; the enclave registry offered to governance.
    const enclaveRegistry = await viem.getContractAt("EnclaveRegistry", addresses.enclaveRegistry);
    expect(addresses.insecureDevAttestationAdapter).toBeDefined();
    expect(await enclaveRegistry.read.isAdapterAllowed([addresses.insecureDevAttestationAdapter!])).toBe(true);
    expect((await enclaveRegistry.read.pendingOwner()).toLowerCase()).toBe(governor);
    expect(await enclaveRegistry.read.bounds()).toEqual([
      DEFAULT_PROTOCOL_PARAMS.maxAttestationAge,
      DEFAULT_PROTOCOL_PARAMS.keyTtl,
    ]);
  });

  it("the deploy step writes one deployment JSON per chain that the SDK parses", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "opg-deployments-"));
    const parameters = join(import.meta.dirname, "..", "..", "..", "deploy", "parameters", "testnet.json");
    const ignitionConnection = connection as unknown as IgnitionConnection;
    const { deployment, file } = await deployProtocolWithIgnition(ignitionConnection, { parameters, outDir });
    expect(file).toBe(join(outDir, "31337.json"));
    const json = JSON.parse(readFileSync(file, "utf8"));
    expect(Object.keys(json).sort()).toEqual([
      "chainId",
      "hub",
      "models",
      "registry",
      "staking",
      "startBlock",
      "token",
    ]);
    expect(json).toMatchObject({ chainId: 31337, models: [], startBlock: expect.stringMatching(/^\d+$/) });
    expect(parseDeployment(json)).toEqual(deployment);
    const publicClient = await connection.viem.getPublicClient();
    const hub = await connection.viem.getContractAt("InferenceHub", deployment.hub);
    expect((await hub.read.TOKEN()).toLowerCase()).toBe(deployment.token.toLowerCase());
    expect((await hub.read.params()).commitWindow).toBe(300);
    // Every contract was created after the start block.
    const code = await publicClient.getCode({ address: deployment.token, blockNumber: deployment.startBlock });
    expect(code ?? "0x").toBe("0x");

    // In memory Ignition keeps no journal, so a second run deploys anew: the chain's file follows the new hub.
    const again = await deployProtocolWithIgnition(ignitionConnection, { parameters, outDir });
    expect(again.file).toBe(file);
    expect(again.deployment.hub).not.toBe(deployment.hub);
    expect(again.deployment.startBlock).toBeGreaterThan(deployment.startBlock);
    expect(parseDeployment(JSON.parse(readFileSync(file, "utf8")))).toEqual(again.deployment);
  });
});
