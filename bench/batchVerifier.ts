/**
 * Gas of the test circuit's (3 public signals) generated batch verifier, `verifyProofBatch`, at N = 1 … 64
 * proofs, per proof, beside the single-proof checks: the batch verifier's own `verifyProof`, snarkjs' verifier
 * called directly, and `Groth16VerifierAdapter.verifyProof` over it (what models registered before use), plus the
 * adapter's loop `verifyProofBatch` (no pairing savings). Each figure is a transaction's `gasUsed` on the
 * in-process Hardhat network, so it includes the 21,000 base and the calldata. Proofs are the committed
 * `test/fixtures/test-circuit/batch-proofs.json`, reused cyclically past 16: every position gets its own
 * coefficient, so a repeated proof costs what a fresh one does.
 *
 *   npm run bench:batch-verifier      (runs `hardhat build --quiet` first)
 */
/// <reference path="../artifacts/contracts/verifiers/generated/TestCircuitBatchVerifier.sol/artifacts.d.ts" />
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { network } from "hardhat";
import { type Abi, type Address, encodeFunctionData, type Hex } from "viem";
import { groth16VerifierAdapterAbi, testCircuitBatchVerifierAbi, testCircuitGroth16VerifierAbi } from "../abi/index.ts";
import { type DeployClients, deployArtifact } from "../deploy/deployPlan.ts";
import { readArtifact } from "../deploy/index.ts";
import { TEST_CIRCUIT_DIR } from "../deploy/testProtocol.ts";

/** Batch sizes measured: powers of two up to 64, where a batch nears a block's share a relayer would spend. */
const BATCH_SIZES = [1, 2, 4, 8, 16, 32, 64] as const;
/** The adapter's loop grows linearly; a few sizes show it. */
const ADAPTER_BATCH_SIZES = [1, 4, 16] as const;
/** Words and bytes of one proof. */
const PROOF_BYTES = 256;
const SIGNALS = 3;

type BatchFixture = { count: number; proofs: Hex; publicSignals: string[] };

const gas = (n: bigint | number) => Number(n).toLocaleString("en-US");

function batchOf(fixture: BatchFixture, n: number): { proofs: Hex; signals: bigint[] } {
  const body = fixture.proofs.slice(2);
  let proofs = "";
  const signals: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % fixture.count;
    proofs += body.slice(k * PROOF_BYTES * 2, (k + 1) * PROOF_BYTES * 2);
    for (let j = 0; j < SIGNALS; j++) signals.push(BigInt(fixture.publicSignals[k * SIGNALS + j]!));
  }
  return { proofs: `0x${proofs}`, signals };
}

async function main(): Promise<void> {
  const connection = await network.connect();
  const { viem } = connection;
  const publicClient = await viem.getPublicClient();
  const [walletClient] = await viem.getWalletClients();
  if (!walletClient) throw new Error("the Hardhat network has no account");
  const clients = { walletClient, publicClient } as unknown as DeployClients;
  const deploy = async (artifact: { abi: Abi | readonly unknown[]; bytecode: Hex }, args: unknown[] = []) =>
    (await deployArtifact(clients, artifact, args, "bench deployment")).address;
  const batchVerifier = await deploy(readArtifact("TestCircuitBatchVerifier"));
  const groth16 = await deploy(readArtifact("TestCircuitGroth16Verifier"));
  const adapter = await deploy(readArtifact("Groth16VerifierAdapter"), [groth16, BigInt(SIGNALS)]);

  /** Sends `data` to `to` as a transaction (the functions are views; a transaction still runs them) → gasUsed. */
  const gasUsed = async (to: Address, data: Hex): Promise<bigint> => {
    const hash = await walletClient.sendTransaction({ to, data });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`call to ${to} reverted`);
    return receipt.gasUsed;
  };

  const fixture = JSON.parse(readFileSync(join(TEST_CIRCUIT_DIR, "batch-proofs.json"), "utf8")) as BatchFixture;
  const one = batchOf(fixture, 1);
  const proofWords = Array.from({ length: 8 }, (_, k) => BigInt(`0x${one.proofs.slice(2 + 64 * k, 66 + 64 * k)}`));
  const snarkjsData = encodeFunctionData({
    abi: testCircuitGroth16VerifierAbi,
    functionName: "verifyProof",
    args: [
      [proofWords[0]!, proofWords[1]!],
      [
        [proofWords[2]!, proofWords[3]!],
        [proofWords[4]!, proofWords[5]!],
      ],
      [proofWords[6]!, proofWords[7]!],
      [one.signals[0]!, one.signals[1]!, one.signals[2]!],
    ],
  });
  const single = [
    ["snarkjs verifier `verifyProof` (returns bool)", await gasUsed(groth16, snarkjsData)],
    [
      "Groth16VerifierAdapter `verifyProof`",
      await gasUsed(
        adapter,
        encodeFunctionData({
          abi: groth16VerifierAdapterAbi,
          functionName: "verifyProof",
          args: [one.proofs, one.signals],
        }),
      ),
    ],
    [
      "batch verifier `verifyProof`",
      await gasUsed(
        batchVerifier,
        encodeFunctionData({
          abi: testCircuitBatchVerifierAbi,
          functionName: "verifyProof",
          args: [one.proofs, one.signals],
        }),
      ),
    ],
  ] as const;

  console.log("Single proof (test circuit, 3 public signals; transaction gasUsed incl. 21,000 base and calldata)\n");
  console.log("| verifier | gas |\n|---|---:|");
  for (const [name, g] of single) console.log(`| ${name} | ${gas(g)} |`);
  const snarkjsSingle = single[0][1];

  console.log("\n`verifyProofBatch` (transaction gasUsed; per proof = total / N)\n");
  console.log("| N | batch verifier total | per proof | per proof w/o 21,000 base | vs snarkjs single |");
  console.log("|---:|---:|---:|---:|---:|");
  for (const n of BATCH_SIZES) {
    const { proofs, signals } = batchOf(fixture, n);
    const data = encodeFunctionData({
      abi: testCircuitBatchVerifierAbi,
      functionName: "verifyProofBatch",
      args: [proofs, signals],
    });
    const total = await gasUsed(batchVerifier, data);
    const perProof = Number(total) / n;
    const execPerProof = (Number(total) - 21_000) / n;
    const ratio = `${((perProof / Number(snarkjsSingle)) * 100).toFixed(0)} %`;
    console.log(
      `| ${n} | ${gas(total)} | ${gas(Math.round(perProof))} | ${gas(Math.round(execPerProof))} | ${ratio} |`,
    );
  }

  console.log("\nGroth16VerifierAdapter `verifyProofBatch` (loop over snarkjs: compatibility, no pairing savings)\n");
  console.log("| N | total | per proof |\n|---:|---:|---:|");
  for (const n of ADAPTER_BATCH_SIZES) {
    const { proofs, signals } = batchOf(fixture, n);
    const data = encodeFunctionData({
      abi: groth16VerifierAdapterAbi,
      functionName: "verifyProofBatch",
      args: [proofs, signals],
    });
    const total = await gasUsed(adapter, data);
    console.log(`| ${n} | ${gas(total)} | ${gas(Math.round(Number(total) / n))} |`);
  }
  await connection.close();
}

await main();
