import { INPUT_SIGNAL } from "./compiler/generateCircuit.ts";

/**
 * The witness input of a compiled model's circuit for one inference: its input words (what a
 * request carries, see `CompiledModel.packInput`) under the circuit's input signal, as decimal
 * strings (what snarkjs and the circom witness calculator take).
 */
export function witnessInput(inputWords: readonly bigint[]): Record<string, string[]> {
  return { [INPUT_SIGNAL]: inputWords.map(String) };
}
