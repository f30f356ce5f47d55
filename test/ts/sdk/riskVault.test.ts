import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Address, type Hex, parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferenceHubAbi, opgTokenAbi, riskTieredVaultAbi } from "../../../abi/index.ts";
import { readArtifact } from "../../../deploy/artifacts.ts";
import { deployArtifact } from "../../../deploy/deployPlan.ts";
import { createLogger } from "../../../relayer/common/logger.ts";
import { type LocalChain, startLocalChain } from "../../../relayer/dev/localChain.ts";
import {
  ensureCompiledModel,
  type LocalDeployment,
  localClients,
  localRelayerConfig,
  provisionLocalNetwork,
} from "../../../relayer/dev/localNetwork.ts";
import { type Relayer, startRelayer } from "../../../relayer/relayer.ts";
import {
  approve,
  createOpgClient,
  decodeOutput,
  encodeInput,
  type OpgClient,
  writeAndWait,
  type ZkModelManifest,
} from "../../../sdk/index.ts";
import { waitFor } from "../relayer/harness.ts";

/** Standing values of `IRiskTieredVault.Standing`. */
const STANDING = { Unassessed: 0, Pending: 1, Provisional: 2, Confirmed: 3 } as const;
const CALLBACK_GAS = 200_000;
const RISK_LABELS = ["low", "medium", "high"];
/** A borrower's 8 market features, in the demo model's domain [-1, 1]. */
const FEATURES = [0.9, 0.8, -0.7, 0.95, 0.6, -0.5, 0.85, 0.7];

/**
 * The example vault end to end: a real `hardhat node`, the demo risk model compiled and registered, the
 * real relayer serving it. The borrower pays through the vault; the vault's factor goes provisional on the
 * commitment and final on the settlement; a request nobody served is refunded by anyone and synced.
 */
describe("RiskTieredVault through the relayer", () => {
  let chain: LocalChain;
  let dep: LocalDeployment;
  let manifest: ZkModelManifest;
  let vault: Address;
  let opg: OpgClient;
  /** Anyone: the second node's account, which refunds and syncs. */
  let keeper: ReturnType<typeof localClients>;
  let relayer: Relayer | undefined;
  let borrower: ReturnType<typeof localClients>;

  const assess = async () => {
    const receipt = await writeAndWait(borrower, {
      address: vault,
      abi: riskTieredVaultAbi,
      functionName: "requestAssessment",
      args: [encodeInput(manifest, FEATURES)],
    });
    const [event] = parseEventLogs({ abi: riskTieredVaultAbi, logs: receipt.logs, eventName: "AssessmentRequested" });
    return { requestId: event!.args.requestId, fromBlock: receipt.blockNumber };
  };
  const position = () =>
    borrower.publicClient.readContract({
      address: vault,
      abi: riskTieredVaultAbi,
      functionName: "positionOf",
      args: [borrower.walletClient.account.address],
    });
  const updates = async (requestId: Hex) =>
    (
      await borrower.publicClient.getContractEvents({
        address: vault,
        abi: riskTieredVaultAbi,
        eventName: "CollateralFactorUpdated",
        args: { requestId },
        fromBlock: 0n,
      })
    ).map((l) => [l.args.standing, l.args.factorBps]);

  beforeAll(async () => {
    chain = await startLocalChain();
    const modelDir = await ensureCompiledModel("demo");
    manifest = JSON.parse(readFileSync(join(modelDir, "manifest.json"), "utf8"));
    dep = await provisionLocalNetwork({ rpcUrl: chain.url, modelDir });
    const deployer = localClients(chain.url, dep.chainId, dep.keys.deployer);
    const outputBits = manifest.publicSignals.output.bitsPerValue;
    ({ address: vault } = await deployArtifact(deployer, readArtifact("RiskTieredVault"), [
      dep.hub,
      dep.token,
      BigInt(dep.modelId),
      outputBits,
      CALLBACK_GAS,
    ]));
    borrower = localClients(chain.url, dep.chainId, dep.keys.requester, { pollingInterval: 100 });
    await approve(borrower, { hub: vault, token: dep.token, amount: 10n ** 24n });
    keeper = localClients(chain.url, dep.chainId, dep.keys.node2);
    opg = createOpgClient({ ...keeper, deployment: dep });
  });

  afterAll(async () => {
    await relayer?.stop();
    await chain?.stop();
  });

  it("a request nobody serves is refunded by anyone and synced: safe default, fee returned", async () => {
    const balance = () =>
      borrower.publicClient.readContract({
        address: dep.token,
        abi: opgTokenAbi,
        functionName: "balanceOf",
        args: [borrower.walletClient.account.address],
      });
    const before = await balance();
    const { requestId } = await assess();
    const { commitWindow } = await opg.publicClient.readContract({
      address: dep.hub,
      abi: inferenceHubAbi,
      functionName: "params",
    });
    await opg.publicClient.request({ method: "evm_increaseTime", params: [commitWindow + 1] } as never);
    await opg.publicClient.request({ method: "evm_mine", params: [] } as never);
    await opg.refund({ requestId });
    await writeAndWait(keeper, {
      address: vault,
      abi: riskTieredVaultAbi,
      functionName: "syncOutcome",
      args: [requestId],
    });
    expect(await position()).toMatchObject({ standing: STANDING.Unassessed, factorBps: 4_000 });
    expect(await balance()).toBe(before);
  });

  it("the relayer's commitment sets a provisional factor and its settlement confirms the proven tier", async () => {
    relayer = await startRelayer(
      localRelayerConfig(dep, {
        dataDir: mkdtempSync(join(tmpdir(), "opg-vault-")),
        metrics: { host: "127.0.0.1", port: 0, enabled: false },
        executionProvider: "cpu",
        logLevel: "warn",
      }),
      createLogger("warn"),
    );
    const { requestId, fromBlock } = await assess();
    const settled = await opg.waitForSettlement({ requestId, fromBlock, pollingIntervalMs: 100, timeoutMs: 120_000 });
    const tier = decodeOutput(manifest, settled.output, { labels: RISK_LABELS });
    const factor = [8_000, 6_500, 4_000][tier.argmax]!;
    await waitFor(async () => (await position()).standing === STANDING.Confirmed, 30_000, "the confirmed factor");
    expect(await position()).toMatchObject({ tier: tier.argmax, factorBps: factor });
    expect(await updates(requestId)).toEqual([
      [STANDING.Pending, 4_000],
      [STANDING.Provisional, Math.min(factor, 6_500)],
      [STANDING.Confirmed, factor],
    ]);
  });
});
