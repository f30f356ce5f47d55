import { open } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { RelayerError } from "../common/errors.ts";
import { privateAddressesOf } from "./publicHost.ts";

/** HTTP statuses after which the content may still appear (not uploaded yet, server busy): retry. */
const RETRYABLE_STATUS = new Set([404, 408, 425, 429, 500, 502, 503, 504]);

/** Where referenced content may come from and how long a fetch may take. */
export type FetchContentOptions = {
  /**
   * Whether `file://` URIs are read. Off by default: a requester must not make a node read its own disk
   * (the embedded demo and tests, whose requester shares the machine, turn it on).
   */
  allowFileUris: boolean;
  /**
   * Whether http(s) URIs may name private, loopback or link-local addresses. Off by default: a requester must not
   * make a node send requests into the operator's network (the embedded demo and tests, on one machine, turn it on).
   */
  allowPrivateHosts?: boolean;
  timeoutMs: number;
  /** Content longer than this is refused unread (the manifest fixes every tensor's size). */
  maxBytes: number;
  signal?: AbortSignal;
};

/**
 * Content the node will not fetch: a scheme it does not serve, a file URI it may not read, or content
 * larger than the tensor. Final for the request (the job is rejected, nothing is sent).
 */
export class ContentRefusedError extends RelayerError {
  override name = "ContentRefusedError";

  constructor(shortMessage: string, details?: string) {
    super(shortMessage, { details, retryable: false });
  }
}

async function readFileBounded(url: URL, maxBytes: number): Promise<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(fileURLToPath(url), "r");
    const { size } = await handle.stat();
    if (size > maxBytes) throw new ContentRefusedError(`${url} is ${size} bytes, at most ${maxBytes} expected`);
    return new Uint8Array(await handle.readFile());
  } catch (cause) {
    if (cause instanceof RelayerError) throw cause;
    // A file the requester has not written yet may appear: retried until the request's deadline.
    throw new RelayerError(`cannot read ${url}`, { cause, retryable: true });
  } finally {
    await handle?.close();
  }
}

async function readBodyBounded(response: Response, uri: string, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) throw new ContentRefusedError(`${uri} is ${declared} bytes, at most ${maxBytes} expected`);
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of response.body ?? []) {
    length += chunk.length;
    if (length > maxBytes) throw new ContentRefusedError(`${uri} is over ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

async function fetchBounded(uri: string, opts: FetchContentOptions): Promise<Uint8Array> {
  const signal = AbortSignal.any([AbortSignal.timeout(opts.timeoutMs), ...(opts.signal ? [opts.signal] : [])]);
  let response: Response;
  try {
    // Redirects are refused: each hop would need the private-address check again, and content named by its hash
    // has no reason to move.
    response = await fetch(uri, { signal, redirect: "error" });
  } catch (cause) {
    throw new RelayerError(`cannot fetch ${uri}`, { cause, retryable: true });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new RelayerError(`fetching ${uri} answered HTTP ${response.status}`, {
      retryable: RETRYABLE_STATUS.has(response.status),
    });
  }
  try {
    return await readBodyBounded(response, uri, opts.maxBytes);
  } catch (cause) {
    if (cause instanceof RelayerError) throw cause;
    throw new RelayerError(`reading ${uri} failed`, { cause, retryable: true });
  }
}

/** Refuses a URL whose host is, or resolves to, a private address (see `privateAddressesOf`). */
async function refusePrivateHost(url: URL): Promise<void> {
  let privateAddresses: string[];
  try {
    privateAddresses = await privateAddressesOf(url.hostname);
  } catch (cause) {
    throw new RelayerError(`cannot resolve ${url.hostname}`, { cause, retryable: true });
  }
  if (privateAddresses.length > 0) {
    throw new ContentRefusedError(
      `content URI ${url.href} names a private address (${privateAddresses.join(", ")})`,
      "a requester may not point this node into its own network; set tee.allowPrivateHosts on a machine of your own",
    );
  }
}

/**
 * Reads the content a request references: `file://` (when allowed), `http(s)://` or `data:`, at most
 * `maxBytes`. The caller checks it against the hash in the request's words; nothing here trusts it.
 */
export async function fetchContent(uri: string, opts: FetchContentOptions): Promise<Uint8Array> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ContentRefusedError(`content URI "${uri}" is not a URL`);
  }
  switch (url.protocol) {
    case "file:":
      if (!opts.allowFileUris) {
        throw new ContentRefusedError(
          `file URIs are not served by this node: ${uri}`,
          "set tee.allowFileUris to allow",
        );
      }
      return readFileBounded(url, opts.maxBytes);
    case "http:":
    case "https:":
      if (!opts.allowPrivateHosts) await refusePrivateHost(url);
      return fetchBounded(uri, opts);
    case "data:":
      return fetchBounded(uri, opts);
    default:
      throw new ContentRefusedError(`content URI scheme ${url.protocol} is not served (file, http, https, data)`);
  }
}
