import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BASELINE_TEMPLATES,
  type BaselineNetwork,
  baselineForward,
  baselineWitnessInput,
  compileCircuit,
  decodeSignedSignals,
  generateBaselineCircuit,
} from "../../../bench/zkml/index.ts";
import { createPrng } from "../../../zkml/index.ts";

const BUILD_DIR = join(import.meta.dirname, "..", "..", "..", "build");

/**
 * A 4 → 3 → 2 integer network whose ranges force saturation and ReLU clipping on random inputs: an
 * unsigned 8-bit ReLU layer, then a signed 8-bit saturated layer (both clamp kinds of RescaleClamp).
 */
const NET: BaselineNetwork = {
  layers: [
    {
      weights: [
        [40, -25, 17, 90],
        [-60, 33, -8, 12],
        [5, 5, -120, 70],
      ],
      bias: [8, -300, 1000],
      shift: 5,
      quotientBits: 12,
      outMin: 0,
      outMax: 255,
    },
    {
      weights: [
        [30, -70, 15],
        [-45, 20, 90],
      ],
      bias: [16, 0],
      shift: 4,
      quotientBits: 12,
      outMin: -128,
      outMax: 127,
    },
  ],
};

/** snarkjs reports a failing constraint through its logger. */
const QUIET = { debug() {}, info() {}, warn() {}, error() {} };

/** Byte offset of witness value `index` in a .wtns file (section 2 holds the 32-byte values). */
function witnessValueOffset(file: Buffer, index: number): number {
  let pos = 12;
  for (let section = 0; section < file.readUInt32LE(8); section++) {
    const type = file.readUInt32LE(pos);
    const size = Number(file.readBigUInt64LE(pos + 4));
    if (type === 2) return pos + 12 + 32 * index;
    pos += 12 + size;
  }
  throw new Error("no witness section");
}

async function witnessOutputs(wasm: string, input: bigint[], dir: string, net = NET): Promise<bigint[]> {
  const wtns = { type: "mem" } as { type: "mem"; data?: Uint8Array };
  await snarkjs.wtns.calculate(baselineWitnessInput(net, input), wasm, wtns);
  const path = join(dir, "w.wtns");
  writeFileSync(path, wtns.data!);
  const witness = (await snarkjs.wtns.exportJson(path)) as bigint[];
  return decodeSignedSignals(witness.slice(1, 3));
}

describe("baseline circuit (private weights)", () => {
  let dir: string;
  let wasm: string;
  let r1cs: string;

  beforeAll(async () => {
    // Under the repository (gitignored build/): circom2 (WASI) reaches only its working directory's parents.
    mkdirSync(BUILD_DIR, { recursive: true });
    dir = mkdtempSync(join(BUILD_DIR, "baseline-test-"));
    copyFileSync(BASELINE_TEMPLATES, join(dir, "baseline.circom"));
    writeFileSync(join(dir, "main.circom"), generateBaselineCircuit(NET));
    ({ wasmPath: wasm, r1csPath: r1cs } = await compileCircuit(join(dir, "main.circom"), dir, { useTime: false }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("costs one constraint per weight multiply plus the rescale range checks", async () => {
    const info = (await snarkjs.r1cs.info(r1cs)) as { nConstraints: number; nPubInputs: number; nOutputs: number };
    const multiplies = 4 * 3 + 3 * 2;
    expect(info.nConstraints).toBeGreaterThan(multiplies);
    expect(info.nPubInputs).toBe(4);
    expect(info.nOutputs).toBe(2);
  });

  it("computes exactly the integer reference (floor rescale, saturation, ReLU)", async () => {
    const prng = createPrng(3);
    const edge = [
      [127n, 127n, 127n, 127n],
      [-128n, -128n, -128n, -128n],
      [0n, 0n, 0n, 0n],
    ];
    const random = Array.from({ length: 25 }, () => Array.from({ length: 4 }, () => BigInt(prng.int(256) - 128)));
    const seen = new Set<string>();
    for (const input of [...edge, ...random]) {
      const expected = baselineForward(NET, input);
      expect(await witnessOutputs(wasm, input, dir)).toEqual(expected);
      for (const v of expected) seen.add(v === 127n ? "high" : v === -128n ? "low" : "mid");
    }
    expect(seen).toEqual(new Set(["high", "low", "mid"])); // saturation paths were exercised
  });

  it("its constraints reject a witness claiming a different output", async () => {
    const wtns = { type: "mem" } as { type: "mem"; data?: Uint8Array };
    await snarkjs.wtns.calculate(baselineWitnessInput(NET, [100n, -7n, 55n, -128n]), wasm, wtns);
    const honest = join(dir, "honest.wtns");
    writeFileSync(honest, wtns.data!);
    expect(await snarkjs.wtns.check(r1cs, honest, QUIET)).toBe(true);
    const forged = Buffer.from(wtns.data!);
    const out0 = witnessValueOffset(forged, 1);
    forged[out0] = (forged[out0]! + 1) % 256; // out[0] + 1 (little-endian, no carry for this value)
    const forgedPath = join(dir, "forged.wtns");
    writeFileSync(forgedPath, forged);
    expect(await snarkjs.wtns.check(r1cs, forgedPath, QUIET)).toBe(false);
  });

  it("outputs the exact accumulator of a layer with neither shift nor clamp (the compiler's last layer)", async () => {
    const exact: BaselineNetwork = {
      layers: [
        NET.layers[0]!,
        { ...NET.layers[1]!, shift: 0, quotientBits: 18, outMin: -(2 ** 17), outMax: 2 ** 17 - 1 },
      ],
    };
    const sub = mkdtempSync(join(dir, "exact-"));
    copyFileSync(BASELINE_TEMPLATES, join(sub, "baseline.circom"));
    writeFileSync(join(sub, "main.circom"), generateBaselineCircuit(exact));
    const built = await compileCircuit(join(sub, "main.circom"), sub, { useTime: false });
    const info = (await snarkjs.r1cs.info(built.r1csPath)) as { nConstraints: number };
    const general = (await snarkjs.r1cs.info(r1cs)) as { nConstraints: number };
    expect(info.nConstraints).toBeLessThan(general.nConstraints); // no decomposition of the outputs
    const prng = createPrng(5);
    for (let k = 0; k < 10; k++) {
      const input = Array.from({ length: 4 }, () => BigInt(prng.int(256) - 128));
      expect(await witnessOutputs(built.wasmPath, input, sub, exact)).toEqual(baselineForward(exact, input));
    }
  });

  it("rejects a malformed network with a clear error", () => {
    const bad = { ...NET, layers: [{ ...NET.layers[0]!, bias: [1] }] };
    expect(() => generateBaselineCircuit(bad)).toThrow(/layer 0 has 1 biases for 3 outputs/);
  });
});
