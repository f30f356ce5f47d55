import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

/**
 * IPv4 ranges a requester must not point the node at: this host, private networks, link-local (cloud metadata at
 * 169.254.169.254), carrier-grade NAT, benchmarking, multicast and reserved space.
 */
const PRIVATE_V4: readonly (readonly [string, number])[] = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
];

function v4ToInt(address: string): number {
  return address.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

function isPrivateV4(address: string): boolean {
  const n = v4ToInt(address);
  return PRIVATE_V4.some(
    ([base, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(v4ToInt(base) / 2 ** (32 - bits)),
  );
}

function isPrivateV6(address: string): boolean {
  const a = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return isPrivateV4(mapped[1]!);
  // Unspecified, loopback, unique local (fc00::/7), link-local (fe80::/10), multicast (ff00::/8).
  return a === "::" || a === "::1" || /^f[cd]/.test(a) || /^fe[89ab]/.test(a) || a.startsWith("ff");
}

/** Whether an IP address (v4 or v6) lies in a private, loopback, link-local or reserved range. */
export function isPrivateAddress(address: string): boolean {
  return isIP(address) === 6 ? isPrivateV6(address) : isPrivateV4(address);
}

/**
 * The addresses `hostname` resolves to that are private (empty when every one is public). A requester chooses the
 * URIs a TEE node fetches, so without this check it could make the node send requests into the operator's own
 * network. The check resolves the name once before the fetch: a name that resolves differently a moment later (DNS
 * rebinding) is not caught here, so a node on a network with sensitive services also keeps its firewall.
 */
export async function privateAddressesOf(hostname: string): Promise<string[]> {
  const host = hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  return addresses.filter(isPrivateAddress);
}
