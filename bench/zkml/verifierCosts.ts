import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Abi, createPublicClient, createWalletClient, encodeFunctionData, http } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { LOCAL_DEV_MNEMONIC, startLocalChain } from "../../relayer/dev/localChain.ts";
import { buildSolidityVerifier, createProgress, loadCompiledModel, verifierArgs } from "../../zkml/index.ts";

/** EIP-170: the largest runtime bytecode a contract may deploy. */
export const EIP170_LIMIT = 24_576;

interface VerifierArtifact {
  abi: Abi;
  bytecode: `0x${string}`;
  deployedBytecode: `0x${string}`;
}

/** Bytes in a 0x-prefixed hex string. */
const hexBytes = (hex: `0x${string}`) => (hex.length - 2) / 2;

/**
 * On-chain cost of the compiled model's verifier: runtime size, and gas of verifyProof with a real
 * proof on a `hardhat node` (eth_estimateGas, so it includes the 21k transaction base).
 */
export async function compiledVerifierCosts(dir: string, input: bigint[]) {
  const verifier = JSON.parse(readFileSync(join(dir, "verifier.json"), "utf8")) as VerifierArtifact;
  const model = await loadCompiledModel(dir, { executionProvider: "cpu" });
  const { proof, publicSignals } = await model.prove(input).finally(() => model.close());
  const chain = await startLocalChain();
  try {
    const transport = http(chain.url);
    const publicClient = createPublicClient({ chain: hardhat, transport });
    const wallet = createWalletClient({ chain: hardhat, transport, account: mnemonicToAccount(LOCAL_DEV_MNEMONIC) });
    const hash = await wallet.deployContract({ abi: verifier.abi, bytecode: verifier.bytecode });
    const { contractAddress } = await publicClient.waitForTransactionReceipt({ hash });
    const data = encodeFunctionData({
      abi: verifier.abi,
      functionName: "verifyProof",
      args: verifierArgs(proof, publicSignals),
    });
    const ok = await publicClient.call({ to: contractAddress!, data });
    if (BigInt(ok.data ?? "0x0") !== 1n) throw new Error("the compiled model's verifier rejected an honest proof");
    const gas = await publicClient.estimateGas({ account: wallet.account, to: contractAddress!, data });
    const code = await publicClient.getCode({ address: contractAddress! });
    return { publicSignals: publicSignals.length, verifierBytes: hexBytes(code!), verifyGas: Number(gas) };
  } finally {
    await chain.stop();
  }
}

/** The baseline's Solidity verifier (same snarkjs template and solc settings): its runtime size. */
export async function baselineVerifierBytes(zkeyPath: string, out: string): Promise<number> {
  const dir = join(out, "baseline-verifier");
  mkdirSync(dir, { recursive: true });
  copyFileSync(zkeyPath, join(dir, "circuit.zkey"));
  await buildSolidityVerifier(dir, createProgress({ quiet: true }));
  return hexBytes((JSON.parse(readFileSync(join(dir, "verifier.json"), "utf8")) as VerifierArtifact).deployedBytecode);
}
