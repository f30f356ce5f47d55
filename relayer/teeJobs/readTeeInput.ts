import {
  BYTES_PER_VALUE,
  decodeTensors,
  TeeDataError,
  type TeeManifest,
  type TensorValues,
  tensorSize,
  verifyReferencedContent,
} from "../../sdk/index.ts";
import { ContentRefusedError, type FetchContentOptions, fetchContent } from "./fetchContent.ts";

/** A request's input, decoded and (for references) fetched and checked against the hash its words carry. */
export type TeeInput = { inputs: TensorValues[]; contents: (Uint8Array | null)[] };

/**
 * Decodes a TEE request's input words as the manifest says, fetches every referenced tensor and checks it
 * against its hash. Returns `{ rejected }` for input no enclave could serve (words that decode to no tensor,
 * content that does not match its hash or size, a URI this node does not read): final, nothing is sent.
 * Throws a retryable error when content cannot be fetched yet.
 */
export async function readTeeInput(
  manifest: TeeManifest,
  words: readonly bigint[],
  fetchOptions: Omit<FetchContentOptions, "maxBytes">,
): Promise<TeeInput | { rejected: string }> {
  try {
    const decoded = decodeTensors(manifest.inputs, words);
    const inputs: TensorValues[] = [];
    const contents: (Uint8Array | null)[] = [];
    for (const tensor of decoded) {
      if (tensor.kind === "inline") {
        inputs.push(tensor.values);
        contents.push(null);
        continue;
      }
      const maxBytes = tensorSize(tensor.spec) * BYTES_PER_VALUE[tensor.spec.dtype];
      const bytes = await fetchContent(tensor.uri, { ...fetchOptions, maxBytes });
      inputs.push(verifyReferencedContent(tensor.spec, tensor, bytes));
      contents.push(bytes);
    }
    return { inputs, contents };
  } catch (error) {
    if (error instanceof TeeDataError || error instanceof ContentRefusedError) return { rejected: error.message };
    throw error;
  }
}
