/**
 * The protocol on a fresh in-process Hardhat network with the repository's test circuit registered as a
 * model: the shared fixture of the contract tests and the gas bench. Not part of `deploy/index.ts`, which
 * the relayer loads: this module imports Hardhat's network manager.
 */
/// <reference path="../artifacts/contracts/OPGToken.sol/artifacts.d.ts" />
/// <reference path="../artifacts/contracts/ModelRegistry.sol/artifacts.d.ts" />
/// <reference path="../artifacts/contracts/NodeStaking.sol/artifacts.d.ts" />
/// <reference path="../artifacts/contracts/InferenceHub.sol/artifacts.d.ts" />
/// <reference path="../artifacts/contracts/verifiers/Groth16VerifierAdapter.sol/artifacts.d.ts" />
/// <reference path="../artifacts/contracts/verifiers/generated/TestCircuitVerifier.sol/artifacts.d.ts" />
// Contract types for viem.getContractAt come from the artifacts `hardhat build` writes.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { network } from "hardhat";
import { type Address, type Hex, keccak256, parseEventLogs, stringToHex } from "viem";
import { encodeSettleBatch, type HubRequest, inferenceHubAbi } from "../abi/index.ts";
import { type DeployClients, deployProtocol, OPG, type ProtocolDeployment } from "./deployProtocol.ts";
import { deployTestCircuitVerifier } from "./deployVerifier.ts";

/** Committed artifacts of the test circuit (y = 3·x0 + 5·x1 + 7; inputs < 2^32). */
export const TEST_CIRCUIT_DIR = join(import.meta.dirname, "..", "test", "fixtures", "test-circuit");
export const TEST_CIRCUIT_WASM = join(TEST_CIRCUIT_DIR, "affine.wasm");
export const TEST_CIRCUIT_ZKEY = join(TEST_CIRCUIT_DIR, "affine.zkey");
export const TEST_CIRCUIT_VKEY = JSON.parse(readFileSync(join(TEST_CIRCUIT_DIR, "verification_key.json"), "utf8"));

/** A committed proof of the test circuit: decimal input and output words, and the ABI-encoded proof. */
export type TestCircuitProof = { input: string[]; output: string[]; proofBytes: Hex };

/** Reads one of the committed test-circuit proofs (`proof-a`, `proof-b`). */
export function readTestCircuitProof(name: string): TestCircuitProof {
  return JSON.parse(readFileSync(join(TEST_CIRCUIT_DIR, `${name}.json`), "utf8")) as TestCircuitProof;
}

/** Price of the test model per inference. */
export const MODEL_PRICE = 2n * OPG;
/** Stake each node puts up. */
export const NODE_STAKE = 10_000n * OPG;

/**
 * Connects to a fresh in-process Hardhat network, deploys the protocol and the test-circuit verifier,
 * registers the test model and gives the requester and node OPG; the node stakes and opts in.
 */
export async function deployTestProtocol() {
  const connection = await network.connect();
  const { viem } = connection;
  const publicClient = await viem.getPublicClient();
  const [deployer, requester, node, other] = await viem.getWalletClients();
  if (!deployer || !requester || !node || !other) throw new Error("the Hardhat network needs 4 accounts");
  const clients = { walletClient: deployer, publicClient } as unknown as DeployClients;
  const addresses: ProtocolDeployment = await deployProtocol(clients);
  const { adapter, groth16Verifier } = await deployTestCircuitVerifier(clients);

  const token = await viem.getContractAt("OPGToken", addresses.token);
  const registry = await viem.getContractAt("ModelRegistry", addresses.registry);
  const staking = await viem.getContractAt("NodeStaking", addresses.staking);
  const hub = await viem.getContractAt("InferenceHub", addresses.hub);
  const wait = async (hash: `0x${string}`) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
    return receipt;
  };

  const registerReceipt = await wait(
    await registry.write.register([0, adapter, keccak256(stringToHex("affine")), "test://affine", 2, 1, MODEL_PRICE]),
  );
  const [registered] = parseEventLogs({ abi: registry.abi, logs: registerReceipt.logs, eventName: "ModelRegistered" });
  if (!registered) throw new Error("ModelRegistered not emitted");
  const modelId = registered.args.modelId;

  await wait(await token.write.transfer([requester.account.address, 1_000n * OPG]));
  await wait(await token.write.transfer([node.account.address, NODE_STAKE]));
  await wait(await token.write.approve([staking.address, NODE_STAKE], { account: node.account }));
  await wait(await staking.write.stake([NODE_STAKE], { account: node.account }));
  await wait(await staking.write.optIn([modelId], { account: node.account }));

  return {
    connection,
    viem,
    publicClient,
    testClient: await viem.getTestClient(),
    accounts: { deployer, requester, node, other },
    addresses: { ...addresses, adapter: adapter as Address, groth16Verifier: groth16Verifier as Address },
    token,
    registry,
    staking,
    hub,
    modelId,
    wait,
  };
}

/** What `deployTestProtocol` returns: connection, clients, accounts, contracts and the test model's id. */
export type TestProtocol = Awaited<ReturnType<typeof deployTestProtocol>>;

/**
 * `settleBatch`'s arguments for requests committed in `commitReceipt` (a `commit` or `commitBatch`): each item's
 * node and proof deadline come from its `Committed` event, as a relayer reads them.
 */
export function settleBatchArgs(
  commitReceipt: { logs: Parameters<typeof parseEventLogs>[0]["logs"] },
  items: readonly { requestId: Hex; request: HubRequest; output: readonly bigint[]; proof: Hex }[],
) {
  const committed = parseEventLogs({ abi: inferenceHubAbi, logs: commitReceipt.logs, eventName: "Committed" });
  const byId = new Map(committed.map((e) => [e.args.requestId.toLowerCase(), e.args]));
  return encodeSettleBatch(
    items.map((item) => {
      const event = byId.get(item.requestId.toLowerCase());
      if (!event) throw new Error(`request ${item.requestId} was not committed in this receipt`);
      const { node, proofDeadline } = event;
      return {
        requestId: item.requestId,
        req: item.request,
        output: item.output,
        proof: item.proof,
        node,
        proofDeadline,
      };
    }),
  );
}
