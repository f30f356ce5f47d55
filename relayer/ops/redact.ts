/** What replaces a secret in anything the status page shows. */
export const REDACTED = "[redacted]";

/**
 * An RPC URL as the status page may show it: its host (and port) only. Paths, queries and user info
 * often carry API keys (`https://eth.example/v2/<key>`), so they never leave the node.
 */
export function rpcHost(url: string): string {
  try {
    return new URL(url).host || REDACTED;
  } catch {
    return REDACTED;
  }
}

/** Any http(s) or ws(s) URL in free text (an error message may quote the RPC endpoint it failed on). */
const URL_IN_TEXT = /\b(?:https?|wss?):\/\/[^\s"'<>|)]+/gi;

/**
 * A redactor for free text shown on the status page (job errors, RPC errors): the given secrets (the
 * node's key, with or without `0x`) are replaced, and every URL is cut down to its host.
 */
export function createRedactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  const needles = secrets
    .filter((s): s is string => typeof s === "string" && s.length >= 8)
    .flatMap((s) => [s, s.replace(/^0x/i, "")])
    .map((s) => s.toLowerCase());
  return (text) => {
    let out = text.replace(URL_IN_TEXT, (url) => `${url.split(":")[0]}://${rpcHost(url)}/…`);
    for (const needle of needles) {
      for (let i = out.toLowerCase().indexOf(needle); i >= 0; i = out.toLowerCase().indexOf(needle)) {
        out = `${out.slice(0, i)}${REDACTED}${out.slice(i + needle.length)}`;
      }
    }
    return out;
  };
}
