import { copyFile, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attr, createGraphBuilder, loadCompiledModel, SNARK_SCALAR_FIELD, zkmlConfig } from "../../../zkml/index.ts";
import { compileTiny, opg, TINY_ONNX, tempDir } from "./helpers.ts";

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

/** Each bad input: a clear error naming the problem, exit code ≠ 0, and nothing left that looks valid. */
describe("bad input", () => {
  let dir: string;
  let modelDir: string;
  let manifestBefore: string;

  async function expectCompileFails(model: string, extra: string[], message: RegExp) {
    const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
    const res = opg("model", "compile", model, "--out", out, ...extra);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(message);
    expect(await exists(out)).toBe(false);
    expect((await readdir(dir)).filter((f) => f.includes(".tmp-") || f.includes(".old-"))).toEqual([]);
    return res;
  }

  beforeAll(async () => {
    dir = await tempDir("bad");
    ({ outDir: modelDir } = await compileTiny(dir));
    manifestBefore = await readFile(join(modelDir, "manifest.json"), "utf8");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("rejects a corrupt ONNX file", async () => {
    const path = join(dir, "corrupt.onnx");
    await writeFile(path, Buffer.from("this is not protobuf \x00\xff\x13 at all"));
    await expectCompileFails(path, [], /corrupt\.onnx is not a valid ONNX model/);
  });

  it("rejects a truncated ONNX file", async () => {
    const path = join(dir, "truncated.onnx");
    const bytes = await readFile(TINY_ONNX);
    await writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expectCompileFails(path, [], /truncated\.onnx is not a valid ONNX model/);
  });

  it("rejects an unsupported op, naming the op, the node and the supported list", async () => {
    const path = join(dir, "sigmoid.onnx");
    const g = createGraphBuilder()
      .input("x", [1, 2])
      .initializer("W", [2, 2], [1, 0, 0, 1])
      .node("Gemm", ["x", "W"], ["h"], { transB: attr.int(1) }, "dense")
      .node("Sigmoid", ["h"], ["y"], {}, "squash")
      .output("y", [1, 2]);
    await writeFile(path, g.build());
    const res = await expectCompileFails(path, [], /unsupported op Sigmoid in node squash/);
    expect(res.stderr).toMatch(/Supported ops: Gemm, MatMul, Add, Relu, Flatten, Reshape, Identity/);
  });

  it("a failed compile into an existing model directory leaves it intact", async () => {
    const res = opg("model", "compile", join(dir, "corrupt.onnx"), "--out", modelDir);
    expect(res.status).not.toBe(0);
    expect(await readFile(join(modelDir, "manifest.json"), "utf8")).toBe(manifestBefore);
  });

  it("rejects input JSON of the wrong shape (infer and prove)", async () => {
    const bad = join(dir, "three.json");
    await writeFile(bad, JSON.stringify({ input: [0.1, 0.2, 0.3] }));
    for (const cmd of [["infer"], ["prove", "--out", join(dir, "proof")]]) {
      const res = opg("model", cmd[0]!, modelDir, "--input", bad, ...cmd.slice(1));
      expect(res.status).not.toBe(0);
      expect(res.stderr).toMatch(/the model takes 4 input values \(shape \[1,4\]\), got 3/);
    }
    expect(await exists(join(dir, "proof"))).toBe(false);
    const wrongKey = join(dir, "wrongkey.json");
    await writeFile(wrongKey, JSON.stringify({ inputs: [1, 2, 3, 4] }));
    const res = opg("model", "infer", modelDir, "--input", wrongKey);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/must be \{"input": \[numbers…\]\}/);
  });

  it("rejects malformed input words (the relayer's view of a request)", async () => {
    const model = await loadCompiledModel(modelDir, { executionProvider: "cpu" });
    try {
      const words = model.packInput(model.quantizeInput([0.1, 0.2, 0.3, 0.4]));
      expect(model.unpackInput(words)).toEqual(model.quantizeInput([0.1, 0.2, 0.3, 0.4]));
      expect(() => model.unpackInput([...words, 0n])).toThrow(/expected 1 words, got 2/);
      expect(() => model.unpackInput([SNARK_SCALAR_FIELD])).toThrow(/not an integer in \[0, field modulus\)/);
      expect(() => model.unpackInput([words[0]! | (1n << 70n)])).toThrow(/bits set above its 4 values/);
    } finally {
      await model.close();
    }
  });

  it("rejects a ptau too small for the circuit", async () => {
    const ptau = join(dir, "pot4.ptau");
    const curve = await snarkjs.curves.getCurveFromName("bn128");
    await snarkjs.powersOfTau.newAccumulator(curve, 4, `${ptau}.0`);
    await snarkjs.powersOfTau.contribute(`${ptau}.0`, `${ptau}.1`, "test", "0123456789abcdef");
    await snarkjs.powersOfTau.preparePhase2(`${ptau}.1`, ptau);
    await expectCompileFails(TINY_ONNX, ["--ptau", ptau], /ptau pot4\.ptau has power 4, the circuit needs ≥ (8|9|10)/);
  });

  it("rejects a file named like a Hermez ceremony ptau whose hash does not match", async () => {
    const manifest = JSON.parse(manifestBefore);
    const fake = join(dir, "powersOfTau28_hez_final_08.ptau");
    await copyFile(join(zkmlConfig().cacheDir, "ptau", manifest.ptau.file), fake);
    await expectCompileFails(TINY_ONNX, ["--ptau", fake], /does not match the published Hermez hash/);
  });

  it("rejects a file that is not a ptau", async () => {
    const path = join(dir, "junk.ptau");
    await writeFile(path, "junk");
    await expectCompileFails(TINY_ONNX, ["--ptau", path], /junk\.ptau is not a ptau file/);
  });

  it("rejects a calibration set of the wrong width", async () => {
    const path = join(dir, "cal.json");
    await writeFile(path, JSON.stringify({ inputs: [[1, 2, 3]] }));
    await expectCompileFails(TINY_ONNX, ["--calibration", path], /calibration input 0 has 3 values, the model takes 4/);
  });

  it("rejects a model whose layers do not chain (shape mismatch inside the graph)", async () => {
    const path = join(dir, "mismatch.onnx");
    const g = createGraphBuilder()
      .input("x", [1, 3])
      .initializer("W", [2, 4], [1, 0, 0, 1, 0, 1, 1, 0])
      .node("Gemm", ["x", "W"], ["y"], { transB: attr.int(1) }, "dense")
      .output("y", [1, 2]);
    await writeFile(path, g.build());
    await expectCompileFails(path, [], /node dense \(Gemm\): weight W \[2,4\] does not fit input \[1,3\]/);
  });
});
