import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Manifest, type QuantDense, type QuantNetwork, readModel, ZkmlError } from "../../../../zkml/index.ts";

/**
 * Rebuilds the integer network of a compiled model from its manifest (scales, shifts) and its
 * quantized ONNX model (integer weights and biases `W<l>`, `b<l>`).
 */
export async function readQuantNetwork(dir: string, manifest: Manifest): Promise<QuantNetwork> {
  const model = readModel(await readFile(join(dir, manifest.files.quantizedModel)), manifest.files.quantizedModel);
  const { scales } = manifest;
  let inputFraction = scales.inputFractionBits;
  const layers: QuantDense[] = scales.layers.map((info, l) => {
    const w = model.initializers.get(`W${l}`);
    const b = model.initializers.get(`b${l}`);
    if (!w || !b || w.dims[0] !== info.outputs || w.dims[1] !== info.inputs) {
      throw new ZkmlError(
        "CompiledModelInvalid",
        `quantized model lacks layer ${l}'s weights [${info.outputs}, ${info.inputs}]`,
      );
    }
    const weights = Array.from({ length: info.outputs }, (_, o) =>
      w.data.slice(o * info.inputs, (o + 1) * info.inputs),
    );
    const layer: QuantDense = {
      weights,
      bias: b.data,
      relu: info.relu,
      inputFraction,
      weightFraction: info.weightFractionBits,
      outputFraction: info.outputFractionBits,
      shift: info.shift,
      quotientBits: info.quotientBits,
      outMin: info.outputMin,
      outMax: info.outputMax,
    };
    inputFraction = info.outputFractionBits;
    return layer;
  });
  return {
    activationBits: scales.activationBits,
    inputBits: scales.inputBits,
    inputMin: manifest.publicSignals.input.min,
    inputSize: manifest.publicSignals.input.values,
    outputSize: manifest.publicSignals.output.values,
    inputFraction: scales.inputFractionBits,
    outputFraction: scales.outputFractionBits,
    layers,
  };
}
