import { type Address, getAddress, type Hex } from "viem";
import { z } from "zod";
import { RelayerError } from "../common/errors.ts";
import type { TeeSignedResult, TeeSigner, TeeTask } from "./teeSigner.ts";

/** How long the enclave may take to run the model and sign: inference plus a round trip, with head-room. */
const ENCLAVE_TIMEOUT_MS = 30_000;
/** Path of the enclave's result endpoint (docs/tee-enclave-protocol.md). */
export const ENCLAVE_RESULTS_PATH = "/v1/results";

/** The request body of `POST /v1/results` (numbers as decimal strings, bytes as 0x-hex or base64). */
export type EnclaveResultRequest = {
  chainId: number;
  verifier: Address;
  hub: Address;
  requestId: Hex;
  modelId: string;
  input: string[];
  /** Per input tensor: the referenced content, base64, or null for an inline tensor. */
  contents: (string | null)[];
  node: Address;
  expiry: string;
  /** Present when the model has outputs by reference: a referenced output's URI is this followed by its hash. */
  contentBaseUrl?: string;
};

const ResponseSchema = z.object({
  output: z.array(z.string().regex(/^\d+$/)).min(1),
  signature: z.string().regex(/^0x[0-9a-fA-F]{146}$/, "must be 73 bytes of 0x-hex"),
  signer: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  /** Per output tensor: the content of an output by reference, base64, or null for an inline one. */
  contents: z.array(z.string().base64().nullable()).optional(),
});

/** The JSON body the relayer sends for `task`. */
export function enclaveRequestBody(task: TeeTask): EnclaveResultRequest {
  return {
    chainId: task.chainId,
    verifier: task.verifier,
    hub: task.hub,
    requestId: task.requestId,
    modelId: task.modelId.toString(),
    input: task.input.map(String),
    contents: task.contents.map((c) => (c ? Buffer.from(c).toString("base64") : null)),
    node: task.node,
    expiry: task.expiry.toString(),
    ...(task.contentBaseUrl === undefined ? {} : { contentBaseUrl: task.contentBaseUrl }),
  };
}

/** Parses an enclave's answer; the relayer then checks it as it checks any signer's (`checkTeeResult`). */
export function parseEnclaveResponse(json: unknown, url: string): TeeSignedResult {
  const parsed = ResponseSchema.safeParse(json);
  if (!parsed.success) {
    throw new RelayerError(`the enclave at ${url} answered a malformed result`, { details: parsed.error.message });
  }
  const { output, signature, signer, contents } = parsed.data;
  return {
    output: output.map(BigInt),
    signature: signature as Hex,
    signer: getAddress(signer),
    // An enclave of a model whose outputs are all inline may leave `contents` out.
    contents: (contents ?? []).map((c) => (c === null ? null : new Uint8Array(Buffer.from(c, "base64")))),
  };
}

/**
 * A signer backed by an enclave reached over HTTP: the enclave runs the model on the input (the relayer passes
 * the content it fetched and checked; the enclave checks the hash again) and signs. Transport faults and 5xx
 * answers are retryable; a 4xx answer is the enclave refusing this request, which retrying does not change.
 */
export function createRemoteSigner(opts: { url: string }): TeeSigner {
  const endpoint = new URL(ENCLAVE_RESULTS_PATH, opts.url).toString();
  return {
    kind: "remote",
    async run(task) {
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(enclaveRequestBody(task)),
          signal: AbortSignal.timeout(ENCLAVE_TIMEOUT_MS),
        });
      } catch (cause) {
        throw new RelayerError(`cannot reach the enclave at ${endpoint}`, { cause, retryable: true });
      }
      const text = await response.text();
      if (!response.ok) {
        throw new RelayerError(`the enclave at ${endpoint} answered HTTP ${response.status}`, {
          details: text.slice(0, 500),
          retryable: response.status >= 500 || response.status === 429,
        });
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (cause) {
        throw new RelayerError(`the enclave at ${endpoint} answered no JSON`, { cause });
      }
      return parseEnclaveResponse(json, endpoint);
    },
    close: async () => undefined,
  };
}
