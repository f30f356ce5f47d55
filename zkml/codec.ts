/**
 * The browser-safe part of the model compiler: how a compiled model's values are quantized and packed
 * into the words a request carries and a commitment returns. Pure functions over a manifest's numbers:
 * nothing from Node, onnxruntime or snarkjs is reachable from here, so the SDK ships it to browsers.
 * The second entry point of `zkml/` beside `index.ts` (which re-exports all of it for Node code).
 */
export { argmax } from "./argmax.ts";
export { quantizeValues } from "./compiler/quantize.ts";
export { ZkmlError } from "./errors.ts";
export type { Manifest } from "./manifest.ts";
export { type PackLayout, packLayout, packValues, SNARK_SCALAR_FIELD, unpackValues } from "./packing.ts";
