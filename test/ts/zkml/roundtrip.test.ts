import { spawnSync } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { network } from "hardhat";
import * as snarkjs from "snarkjs";
import type { Abi } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeProof, type Groth16Proof, loadCompiledModel, proofToUints, verifierArgs } from "../../../zkml/index.ts";
import { opg, ROOT, TINY_CALIBRATION, TINY_ONNX, tempDir } from "./helpers.ts";

/**
 * compile (CLI) → prove (CLI) → snarkjs verify (CLI and library) → the generated Solidity verifier,
 * deployed on an in-process Hardhat network, accepts the proof and rejects a tampered public signal.
 */
describe("round trip: compile → prove → verify (snarkjs, Solidity)", () => {
  let dir: string;
  let modelDir: string;
  let proofDir: string;
  let inputFile: string;

  beforeAll(async () => {
    dir = await tempDir("roundtrip");
    modelDir = join(dir, "tiny");
    proofDir = join(dir, "proof");
    inputFile = join(dir, "input.json");
    await writeFile(inputFile, JSON.stringify({ input: [0.25, -0.5, 0.75, -0.125] }));
    const res = opg("model", "compile", TINY_ONNX, "--out", modelDir, "--calibration", TINY_CALIBRATION);
    expect(res.stderr).toBe("");
    expect(res.status).toBe(0);
    expect(res.stdout).toContain("constraints");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes a manifest with layout, scales, ptau and sha256 of every artifact", async () => {
    const manifest = JSON.parse(await readFile(join(modelDir, "manifest.json"), "utf8"));
    expect(manifest.modelHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(manifest.inputShape).toEqual([1, 4]);
    expect(manifest.outputShape).toEqual([1, 2]);
    expect(manifest.publicSignals).toMatchObject({
      inputWords: 1,
      outputWords: 1,
      order: "output++input",
      input: { values: 4, words: 1, offset: 1, bitsPerValue: 16, min: -(2 ** 15) },
      output: { values: 2, words: 1, offset: 0 },
    });
    // Logits are not saturated: the output section is as wide as the last layer's quotient.
    const last = manifest.scales.layers.at(-1);
    expect(manifest.publicSignals.output.bitsPerValue).toBe(last.quotientBits);
    expect(manifest.publicSignals.output.min).toBe(last.outputMin);
    expect(manifest.ptau).toMatchObject({ insecure: true, source: "dev" });
    expect(Object.keys(manifest.artifacts).sort()).toEqual(
      [
        "circuit.circom",
        "circuit.r1cs",
        "circuit.sym",
        "circuit.wasm",
        "circuit.zkey",
        "model.quantized.onnx",
        "verification_key.json",
        "verifier.json",
        "verifier.sol",
        "batch-verifier.json",
        "batch-verifier.sol",
      ].sort(),
    );
  });

  it("infers from the CLI with the same result as the library", async () => {
    const res = opg("model", "infer", modelDir, "--input", inputFile);
    expect(res.status).toBe(0);
    const cli = JSON.parse(res.stdout);
    const model = await loadCompiledModel(modelDir, { executionProvider: "cpu" });
    try {
      const out = await model.infer(model.quantizeInput([0.25, -0.5, 0.75, -0.125]));
      expect(cli.quantizedOutput).toEqual(out.output.map(String));
      expect(cli.output).toEqual(out.outputFloat);
    } finally {
      await model.close();
    }
  });

  it("proves from the CLI; snarkjs verifies; the Solidity verifier accepts and rejects a tampered signal", async () => {
    const res = opg("model", "prove", modelDir, "--input", inputFile, "--out", proofDir);
    expect(res.status).toBe(0);
    const cliVerify = spawnSync(
      process.execPath,
      [
        join(ROOT, "node_modules/snarkjs/build/cli.cjs"),
        "groth16",
        "verify",
        join(modelDir, "verification_key.json"),
        join(proofDir, "public.json"),
        join(proofDir, "proof.json"),
      ],
      { encoding: "utf8" },
    );
    expect(cliVerify.stdout).toContain("OK");

    const proof = JSON.parse(await readFile(join(proofDir, "proof.json"), "utf8")) as Groth16Proof;
    const publicSignals = JSON.parse(await readFile(join(proofDir, "public.json"), "utf8")) as string[];
    const vk = JSON.parse(await readFile(join(modelDir, "verification_key.json"), "utf8"));
    expect(await snarkjs.groth16.verify(vk, publicSignals, proof)).toBe(true);
    const tampered = [String(BigInt(publicSignals[0]!) + 1n), ...publicSignals.slice(1)];
    expect(await snarkjs.groth16.verify(vk, tampered, proof)).toBe(false);

    // Proof bytes for the hub = abi.encode(uint256[8]) in snarkjs' Solidity calldata order.
    const calldata = JSON.parse(`[${await snarkjs.groth16.exportSolidityCallData(proof, publicSignals)}]`) as [
      string[],
      string[][],
      string[],
      string[],
    ];
    const uints = proofToUints(proof);
    expect(uints.map(String)).toEqual(
      [...calldata[0], ...calldata[1].flat(), ...calldata[2]].map((h) => BigInt(h).toString()),
    );
    expect(encodeProof(proof)).toMatch(/^0x[0-9a-f]{512}$/);

    const { abi, bytecode } = JSON.parse(await readFile(join(modelDir, "verifier.json"), "utf8")) as {
      abi: Abi;
      bytecode: `0x${string}`;
    };
    const { viem } = await network.connect();
    const publicClient = await viem.getPublicClient();
    const [wallet] = await viem.getWalletClients();
    const hash = await wallet!.deployContract({ abi, bytecode });
    const { contractAddress } = await publicClient.waitForTransactionReceipt({ hash });
    const verify = (signals: string[]) =>
      publicClient.readContract({
        address: contractAddress!,
        abi,
        functionName: "verifyProof",
        args: verifierArgs(proof, signals),
      });
    expect(await verify(publicSignals)).toBe(true);
    expect(await verify(tampered)).toBe(false);
    expect(await verify([publicSignals[0]!, String(BigInt(publicSignals[1]!) ^ 1n)])).toBe(false);

    // The package's batch verifier (the model's registered verifier): the same proof alone and in a batch of 3.
    const batch = JSON.parse(await readFile(join(modelDir, "batch-verifier.json"), "utf8")) as {
      abi: Abi;
      bytecode: `0x${string}`;
    };
    const batchHash = await wallet!.deployContract({ abi: batch.abi, bytecode: batch.bytecode });
    const batchAddress = (await publicClient.waitForTransactionReceipt({ hash: batchHash })).contractAddress!;
    const call = (functionName: string, proofs: `0x${string}`, signals: string[]) =>
      publicClient.readContract({
        address: batchAddress,
        abi: batch.abi,
        functionName,
        args: [proofs, signals.map(BigInt)],
      });
    const proofBytes = encodeProof(proof);
    await call("verifyProof", proofBytes, publicSignals);
    const three = `0x${proofBytes.slice(2).repeat(3)}` as const;
    await call("verifyProofBatch", three, [...publicSignals, ...publicSignals, ...publicSignals]);
    await expect(call("verifyProof", proofBytes, tampered)).rejects.toThrow(/VerifierProofInvalid/);
    await expect(call("verifyProofBatch", three, [...publicSignals, ...tampered, ...publicSignals])).rejects.toThrow(
      /VerifierBatchInvalid/,
    );
  });
});
