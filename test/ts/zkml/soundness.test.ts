import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CompiledModel,
  clampKind,
  compileModel,
  loadCompiledModel,
  type QuantNetwork,
  quantTrace,
  type R1cs,
  readR1cs,
  SNARK_SCALAR_FIELD,
} from "../../../zkml/index.ts";
import {
  bitsOf,
  type Decomposition,
  type Forgery,
  namedWitness,
  readSymbols,
  toWitness,
} from "../support/zkml/namedWitness.ts";
import { unsatisfiedConstraints, writeWtns } from "../support/zkml/r1cs.ts";
import { readQuantNetwork } from "../support/zkml/readQuantNetwork.ts";
import {
  compileTiny,
  quietProgress,
  randomVectors,
  saturatingModel,
  TINY_ONNX,
  tempDir,
  tinyCalibration,
} from "./helpers.ts";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

const outputWordsOf = (named: Map<string, bigint>) =>
  [...named].filter(([n]) => n.startsWith("main.outWords")).map(([n, v]) => `${n}=${v}`);

interface Circuit {
  net: QuantNetwork;
  input: bigint[];
  r1cs: R1cs;
  symbols: Map<string, number>;
  outDir: string;
}

/** Builds the forged witness, and asks our R1CS evaluator and `snarkjs wtns check` to judge it. */
async function judgeForgery(c: Circuit, forgery: Forgery, name: string) {
  const honest = namedWitness(c.net, c.input);
  const forged = namedWitness(c.net, c.input, forgery);
  const witness = toWitness(forged, c.symbols, c.r1cs.nWires);
  const wtns = join(c.outDir, `${name}.wtns`);
  await writeWtns(wtns, witness, c.r1cs.prime);
  return {
    changedPublic: JSON.stringify(outputWordsOf(forged)) !== JSON.stringify(outputWordsOf(honest)),
    violated: unsatisfiedConstraints(c.r1cs, witness),
    snarkjsAccepts: await snarkjs.wtns.check(join(c.outDir, "circuit.r1cs"), wtns, silent),
  };
}

/** A compiled model opened for forging: its integer network, R1CS and symbols (no input chosen yet). */
async function openCircuit(outDir: string): Promise<{ model: CompiledModel; circuit: Circuit }> {
  const model = await loadCompiledModel(outDir, { executionProvider: "cpu" });
  const circuit: Circuit = {
    net: await readQuantNetwork(outDir, model.manifest),
    input: [],
    r1cs: await readR1cs(join(outDir, "circuit.r1cs")),
    symbols: await readSymbols(join(outDir, "circuit.sym")),
    outDir,
  };
  return { model, circuit };
}

/**
 * The first of `inputs` with a neuron of `layer` in the given state (read from the honest named
 * witness) that feeds the next layer, so forging it can change the output.
 */
function findNeuron(
  model: CompiledModel,
  c: Circuit,
  inputs: number[][],
  layer: number,
  state: (named: Map<string, bigint>, o: number) => boolean,
): { input: bigint[]; neuron: number } {
  for (const x of inputs) {
    const q = model.quantizeInput(x);
    const named = namedWitness(c.net, q);
    const o = c.net.layers[layer]!.weights.findIndex(
      (_, i) => state(named, i) && c.net.layers[layer + 1]!.weights.some((row) => row[i] !== 0),
    );
    if (o >= 0) return { input: q, neuron: o };
  }
  throw new Error(`no input puts a neuron of layer ${layer} in that state`);
}

/**
 * Forged witnesses for the compiled tiny model (O1- and O2-simplified R1CS): each sets the signals a cheating
 * prover controls so that the linear relations still hold and the claimed output changes, then
 * asks both our R1CS evaluator and `snarkjs wtns check` to judge it.
 */
describe.each(["O1", "O2"] as const)(
  "soundness (circom --%s): forged witnesses fail the constraint check",
  (optimization) => {
    let dir: string;
    let model: CompiledModel;
    let c: Circuit;
    let net: QuantNetwork;

    const judge = (forgery: Forgery, name: string) => judgeForgery(c, forgery, name);

    beforeAll(async () => {
      dir = await tempDir("sound");
      ({ model, circuit: c } = await openCircuit((await compileTiny(dir, optimization)).outDir));
      net = c.net;
      // An input where hidden neuron 0 is active (positive) and feeds the output.
      c.input = randomVectors(64, 4, -1, 1, 11)
        .map((x) => model.quantizeInput(x))
        .find((q) => quantTrace(net, q).outputs[0]![0]! > 0 && net.layers[1]!.weights[0]![0] !== 0)!;
      expect(c.input).toBeDefined();
    });
    afterAll(async () => {
      await model?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it("control: the honest witness satisfies the R1CS and snarkjs accepts it", async () => {
      expect(model.manifest.compiler.optimization).toBe(`--${optimization}`);
      const r = await judge({}, "honest");
      expect(r.violated).toEqual([]);
      expect(r.snarkjsAccepts).toBe(true);
    });

    it("rejects a changed rescale remainder (q + 1 with r − 2^k: the linear relation holds)", async () => {
      const layer = net.layers[0]!;
      const K = layer.shift;
      expect(K).toBeGreaterThan(0);
      const forge = (l: number, o: number, h: Decomposition): Decomposition | undefined => {
        if (l !== 0 || o !== 0) return undefined;
        const r = h.r - (1n << BigInt(K));
        return { u: h.u + 1n, r, uBits: bitsOf(h.u + 1n, layer.quotientBits), rBits: bitsOf(r, K) };
      };
      const r = await judge({ neuron: forge }, "remainder");
      expect(r.changedPublic).toBe(true);
      expect(r.violated.length).toBeGreaterThan(0);
      expect(r.snarkjsAccepts).toBe(false);
    });

    it("rejects a changed in-range remainder with the quotient kept", async () => {
      const layer = net.layers[0]!;
      const forge = (l: number, o: number, h: Decomposition): Decomposition | undefined => {
        if (l !== 0 || o !== 1) return undefined;
        const r = h.r === 0n ? 1n : h.r - 1n;
        return { ...h, r, rBits: bitsOf(r, layer.shift) };
      };
      const r = await judge({ neuron: forge }, "remainder2");
      expect(r.violated.length).toBeGreaterThan(0);
      expect(r.snarkjsAccepts).toBe(false);
    });

    it("rejects a positive ReLU input mapped to 0 (sign bit cleared, value kept)", async () => {
      const Q = net.layers[0]!.quotientBits;
      const forge = (l: number, o: number, h: Decomposition): Decomposition | undefined => {
        if (l !== 0 || o !== 0) return undefined;
        const uBits = [...h.uBits];
        expect(uBits[Q - 1]).toBe(1n); // q ≥ 0
        uBits[Q - 1] = 0n;
        uBits[0] = (uBits[0]! + (1n << BigInt(Q - 1))) % SNARK_SCALAR_FIELD;
        return { ...h, uBits };
      };
      const r = await judge({ neuron: forge }, "relu");
      expect(r.changedPublic).toBe(true);
      expect(r.violated.length).toBeGreaterThan(0);
      expect(r.snarkjsAccepts).toBe(false);
    });

    it("rejects a quotient bit vector aliased past the field (no 254-bit decomposition to exploit)", async () => {
      // With a full 254-bit decomposition, the boolean bits of u + p would encode the same field
      // element as u. Here only Q < 254 bits exist, so the boolean bits of u + p are truncated to
      // (u + p) mod 2^Q, which is another integer: the decomposition equation must fail.
      const Q = net.layers[0]!.quotientBits;
      expect(Q).toBeLessThan(254);
      const aliased = (u: bigint) => {
        const m = (u + SNARK_SCALAR_FIELD) % (1n << BigInt(Q));
        return Array.from({ length: Q }, (_, i) => (m >> BigInt(i)) & 1n);
      };
      const forge = (l: number, o: number, h: Decomposition): Decomposition | undefined => {
        if (l !== 0 || o !== 0) return undefined;
        const uBits = aliased(h.u);
        expect(uBits).not.toEqual(h.uBits);
        return { ...h, u: h.u + SNARK_SCALAR_FIELD, uBits };
      };
      const r = await judge({ neuron: forge }, "alias");
      expect(r.violated.length).toBeGreaterThan(0);
      expect(r.snarkjsAccepts).toBe(false);
    });

    it.each([
      ["min + 2^I (one above the maximum)", (n: QuantNetwork) => BigInt(n.inputMin) + (1n << BigInt(n.inputBits))],
      ["min - 1 (one below the minimum)", (n: QuantNetwork) => BigInt(n.inputMin) - 1n],
    ])("rejects an out-of-range input value %s", async (_label, value) => {
      const forgery: Forgery = { input: (x) => [value(net), ...x.slice(1)] };
      const r = await judge(forgery, "input");
      expect(r.violated.length).toBeGreaterThan(0);
      expect(r.snarkjsAccepts).toBe(false);
    });
  },
);

/**
 * The ReLU-with-saturation clamp (`y = sign·(low + anyHigh·(2^B − 1 − low))`): the tiny model
 * compiled at 8-bit activations, evaluated past its calibrated range so hidden neurons saturate.
 */
describe("soundness of the saturation clamp (8-bit activations)", () => {
  let dir: string;
  let model: CompiledModel;
  let c: Circuit;
  const MAX = 255n;

  beforeAll(async () => {
    dir = await tempDir("sound-clamp");
    const outDir = join(dir, "tiny8");
    await compileModel(TINY_ONNX, {
      outDir,
      calibration: await tinyCalibration(),
      activationBits: 8,
      weightBits: 8,
      progress: quietProgress(),
    });
    ({ model, circuit: c } = await openCircuit(outDir));
    expect(clampKind(c.net.layers[0]!).kind).toBe("reluHigh");
  });
  afterAll(async () => {
    await model?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A hidden neuron in the given state, on inputs from a wide random range (past calibration). */
  const find = (state: (named: Map<string, bigint>, o: number) => boolean) =>
    findNeuron(model, c, randomVectors(256, 4, -4, 4, 21), 0, state);

  it("rejects a saturated neuron claimed unsaturated (anyHigh forced to 0)", async () => {
    const { input, neuron } = find((n, o) => n.get(`main.anyHigh0[${o}]`) === 1n && n.get(`main.y0[${o}]`) === MAX);
    const forgery: Forgery = {
      clamp: (l, o, h) => (l === 0 && o === neuron ? { hiInv: 0n, anyHigh: 0n, t: 0n, y: h.y! - h.t! } : undefined),
    };
    const r = await judgeForgery({ ...c, input }, forgery, "unsaturated");
    expect(r.changedPublic).toBe(true);
    expect(r.violated.length).toBeGreaterThan(0);
    expect(r.snarkjsAccepts).toBe(false);
  });

  it("rejects an in-range neuron claimed saturated (anyHigh forced to 1)", async () => {
    const { input, neuron } = find(
      (n, o) => n.get(`main.anyHigh0[${o}]`) === 0n && (n.get(`main.y0[${o}]`) ?? 0n) > 0n,
    );
    const forgery: Forgery = {
      clamp: (l, o, h) =>
        l === 0 && o === neuron ? { hiInv: h.hiInv!, anyHigh: 1n, t: MAX - h.y!, y: MAX } : undefined,
    };
    const r = await judgeForgery({ ...c, input }, forgery, "saturated");
    expect(r.changedPublic).toBe(true);
    expect(r.violated.length).toBeGreaterThan(0);
    expect(r.snarkjsAccepts).toBe(false);
  });
});

/**
 * Signed saturation (hidden layers without ReLU): `over = sign·anyHigh`, `under = (1 − sign)·notAllOnes`,
 * output `q + over·(hi − q) + under·(lo − q)`, on a model whose hidden linear layer saturates at both ends.
 */
describe("soundness of the signed saturation clamp", () => {
  let dir: string;
  let model: CompiledModel;
  let c: Circuit;
  let inputs: number[][];

  beforeAll(async () => {
    dir = await tempDir("sound-signed");
    const sat = saturatingModel(64);
    inputs = sat.inputs;
    const onnxPath = join(dir, "sat.onnx");
    await writeFile(onnxPath, sat.bytes);
    const outDir = join(dir, "sat");
    await compileModel(onnxPath, { outDir, calibration: sat.calibration, progress: quietProgress() });
    ({ model, circuit: c } = await openCircuit(outDir));
    expect(clampKind(c.net.layers[1]!).kind).toBe("signed");
  });
  afterAll(async () => {
    await model?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A neuron of layer 1 whose `flag` signal is 1. */
  const find = (flag: "over" | "under") =>
    findNeuron(model, c, inputs, 1, (named, o) => named.get(`main.${flag}1[${o}]`) === 1n);

  it.each([
    [
      "above the maximum, claimed unsaturated (anyHigh and over forced to 0)",
      "over",
      { anyHigh: 0n, over: 0n, dOver: 0n },
    ],
    [
      "below the minimum, claimed unsaturated (notAllOnes and under forced to 0)",
      "under",
      { notAllOnes: 0n, under: 0n, dUnder: 0n },
    ],
  ] as const)("rejects a neuron %s", async (_label, flag, forged) => {
    const { input, neuron } = find(flag);
    const forgery: Forgery = { clamp: (l, o, h) => (l === 1 && o === neuron ? { ...h, ...forged } : undefined) };
    const r = await judgeForgery({ ...c, input }, forgery, `signed-${flag}`);
    expect(r.changedPublic).toBe(true);
    expect(r.violated.length).toBeGreaterThan(0);
    expect(r.snarkjsAccepts).toBe(false);
  });
});
