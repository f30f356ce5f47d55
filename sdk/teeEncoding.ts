import { OpgError } from "../common/errors.ts";
import type { ModelCodec } from "./encoding.ts";

/**
 * The seam for TEE-mode models, whose tensors are packed into words by the TEE manifest's own encoding
 * (`tee/encoding.ts`, being written beside the relayer's TEE mode). Until that lands this is the one
 * place to wire it: return a `ModelCodec` built from its pure encode/decode functions.
 */
export function teeCodec(manifest: { name?: string }): ModelCodec {
  throw new OpgError(`cannot encode for TEE model ${manifest.name ?? "(unnamed)"} yet`, {
    details: "the SDK decodes ZK manifests only; pass words you packed yourself to request",
  });
}
