// Minimal type declarations for untyped dependencies used by the model compiler.

declare module "snarkjs" {
  /** snarkjs Groth16 proof (decimal strings). */
  export interface SnarkjsProof {
    pi_a: string[];
    pi_b: string[][];
    pi_c: string[];
    protocol: string;
    curve: string;
  }
  type Logger = unknown;
  export const groth16: {
    fullProve(
      input: Record<string, unknown>,
      wasm: string | Uint8Array,
      zkey: string | Uint8Array,
      logger?: Logger,
    ): Promise<{ proof: SnarkjsProof; publicSignals: string[] }>;
    verify(vk: unknown, publicSignals: (string | bigint)[], proof: SnarkjsProof, logger?: Logger): Promise<boolean>;
    prove(
      zkey: string | Uint8Array,
      witness: string | Uint8Array,
      logger?: Logger,
    ): Promise<{ proof: SnarkjsProof; publicSignals: string[] }>;
    exportSolidityCallData(proof: SnarkjsProof, publicSignals: string[]): Promise<string>;
  };
  export const powersOfTau: {
    newAccumulator(curve: unknown, power: number, file: string, logger?: Logger): Promise<unknown>;
    contribute(oldFile: string, newFile: string, name: string, entropy: string, logger?: Logger): Promise<unknown>;
    preparePhase2(oldFile: string, newFile: string, logger?: Logger): Promise<unknown>;
    verify(file: string, logger?: Logger): Promise<boolean>;
  };
  export const zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string, logger?: Logger): Promise<unknown>;
    contribute(oldZkey: string, newZkey: string, name: string, entropy: string, logger?: Logger): Promise<unknown>;
    exportVerificationKey(zkey: string | Uint8Array, logger?: Logger): Promise<Record<string, unknown>>;
    exportSolidityVerifier(zkey: string, templates: Record<string, string>, logger?: Logger): Promise<string>;
  };
  export const r1cs: {
    info(
      file: string,
      logger?: Logger,
    ): Promise<{
      nConstraints: number;
      nPubInputs: number;
      nOutputs: number;
      nPrvInputs: number;
      nVars: number;
      nLabels: number;
    }>;
  };
  export const wtns: {
    calculate(input: Record<string, unknown>, wasm: string, wtns: string | { type: "mem" }): Promise<unknown>;
    check(r1cs: string, wtns: string, logger?: Logger): Promise<boolean>;
    exportJson(wtns: string): Promise<bigint[]>;
  };
  export const curves: { getCurveFromName(name: string): Promise<{ terminate(): Promise<void> }> };
}

declare module "circom_runtime" {
  export function WitnessCalculatorBuilder(
    wasm: Uint8Array,
    options?: Record<string, unknown>,
  ): Promise<{ calculateWitness(input: Record<string, unknown>, sanityCheck?: boolean): Promise<bigint[]> }>;
}

declare module "solc" {
  const solc: { compile(input: string, options?: unknown): string; version(): string };
  export default solc;
}
