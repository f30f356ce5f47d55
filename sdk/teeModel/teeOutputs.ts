import type { Hex } from "viem";
import { OpgError } from "../../common/errors.ts";
import {
  contentHash,
  decodeTensors,
  encodeTensors,
  type TensorInput,
  type TensorValues,
  tensorToBytes,
  verifyReferencedContent,
} from "./teeEncoding.ts";
import { TeeDataError } from "./teeError.ts";
import { BYTES_PER_VALUE, type TeeManifest, type TensorSpec, tensorSize } from "./teeManifest.ts";

/**
 * A TEE model's outputs as result words, and the referenced ones' content. An output encoded by reference is
 * published by the node that serves the model: its URI is `contentBaseUrl` followed by the content's hash
 * (docs/tee-enclave-protocol.md), and its words carry that hash, so the enclave's signature covers the content.
 */

/** HTTP statuses after which referenced content may still become available: retry later. */
const RETRYABLE_STATUS = new Set([404, 408, 425, 429, 500, 502, 503, 504]);

/**
 * Referenced output content that could not be fetched (transport fault, HTTP error). Retryable for transport
 * faults and statuses that may pass; content that arrives but does not match its hash is a `TeeDataError`.
 */
export class TeeContentUnavailableError extends OpgError {
  override name = "TeeContentUnavailableError";
}

/** The URI of content a node publishes under `contentBaseUrl`: the base, then the 0x-prefixed lowercase hash. */
export function contentUri(contentBaseUrl: string, hash: Hex): string {
  return `${contentBaseUrl}${hash.toLowerCase()}`;
}

/**
 * Encodes a model's output tensors (manifest order) as result words: inline ones as their values, referenced ones
 * as `{ contentHash, uri: contentUri(contentBaseUrl, contentHash) }`. Returns the words and, per output tensor,
 * the content to publish at that URI (null for an inline tensor).
 */
export function encodeResultTensors(
  specs: readonly TensorSpec[],
  outputs: readonly TensorValues[],
  opts: { contentBaseUrl?: string } = {},
): { words: bigint[]; contents: (Uint8Array | null)[] } {
  if (outputs.length !== specs.length) {
    throw new TeeDataError("invalid-tensor", `${outputs.length} output tensors, the manifest has ${specs.length}`);
  }
  const tensors: Record<string, TensorInput> = {};
  const contents = specs.map((spec, i) => {
    if (spec.encoding.kind === "inline") {
      tensors[spec.name] = outputs[i]!;
      return null;
    }
    if (opts.contentBaseUrl === undefined) {
      throw new TeeDataError("invalid-tensor", `${spec.name} is returned by reference: give a contentBaseUrl`);
    }
    const bytes = tensorToBytes(spec, outputs[i]!);
    const hash = contentHash(bytes);
    tensors[spec.name] = { contentHash: hash, uri: contentUri(opts.contentBaseUrl, hash) };
    return bytes;
  });
  return { words: encodeTensors(specs, tensors), contents };
}

async function fetchBytes(uri: string, maxBytes: number, opts: FetchTeeOutputsOptions): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await (opts.fetch ?? fetch)(uri, { signal: opts.signal });
  } catch (cause) {
    throw new TeeContentUnavailableError(`cannot fetch ${uri}`, { cause, retryable: true });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new TeeContentUnavailableError(`fetching ${uri} answered HTTP ${response.status}`, {
      retryable: RETRYABLE_STATUS.has(response.status),
    });
  }
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new TeeDataError("content-mismatch", `${uri} is ${declared} bytes, the tensor is ${maxBytes}`);
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** How `fetchTeeOutputs` fetches referenced content. */
export type FetchTeeOutputsOptions = {
  /** The fetch to use (default: the global one), e.g. one that maps `ipfs://` to a gateway. */
  fetch?: (uri: string, init: { signal?: AbortSignal }) => Promise<Response>;
  signal?: AbortSignal;
};

/**
 * A settled TEE result's output tensors (manifest order): inline ones decoded from the words, referenced ones
 * fetched from their URI and checked against the hash in the words (which the enclave signed) before they are
 * decoded. Throws `TeeDataError` ("content-mismatch") for content that is not what was signed, and
 * `TeeContentUnavailableError` when it cannot be fetched.
 */
export async function fetchTeeOutputs(
  manifest: Pick<TeeManifest, "outputs">,
  output: readonly bigint[],
  opts: FetchTeeOutputsOptions = {},
): Promise<TensorValues[]> {
  const values: TensorValues[] = [];
  for (const tensor of decodeTensors(manifest.outputs, output)) {
    if (tensor.kind === "inline") {
      values.push(tensor.values);
      continue;
    }
    const maxBytes = tensorSize(tensor.spec) * BYTES_PER_VALUE[tensor.spec.dtype];
    values.push(verifyReferencedContent(tensor.spec, tensor, await fetchBytes(tensor.uri, maxBytes, opts)));
  }
  return values;
}
