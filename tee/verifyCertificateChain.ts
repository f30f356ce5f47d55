import { X509Certificate } from "node:crypto";
import { TeeError } from "./errors.ts";
import { sha256Hex } from "./nitroRoot.ts";

/** The window (unix seconds, inclusive) in which every certificate of a chain is valid. */
export interface CertificateValidity {
  readonly notBefore: number;
  readonly notAfter: number;
}

/** A verified chain: its leaf and the window in which the whole chain is valid. */
export interface VerifiedChain {
  readonly leaf: X509Certificate;
  readonly validity: CertificateValidity;
}

interface Link {
  readonly label: string;
  readonly cert: X509Certificate;
}

function commonName(cert: X509Certificate): string {
  const cn = cert.subject.split("\n").find((part) => part.startsWith("CN="));
  return cn ?? cert.subject.replaceAll("\n", ", ");
}

function describe(link: Link): string {
  return `${link.label} (${commonName(link.cert)})`;
}

function parseCertificates(cabundle: readonly Uint8Array[], leaf: Uint8Array): Link[] {
  const ders = [...cabundle, leaf];
  return ders.map((der, i) => {
    const label = i === cabundle.length ? "leaf certificate" : `cabundle[${i}]`;
    try {
      return { label, cert: new X509Certificate(der) };
    } catch (cause) {
      throw new TeeError("malformed-document", `${label} is not a DER X.509 certificate`, { cause });
    }
  });
}

function checkLink(issuer: Link, child: Link): void {
  if (!issuer.cert.ca) throw new TeeError("broken-chain", `${describe(issuer)} is not a CA but issues ${child.label}`);
  if (!child.cert.checkIssued(issuer.cert)) {
    throw new TeeError("broken-chain", `${describe(child)} was not issued by ${describe(issuer)}`);
  }
  if (!child.cert.verify(issuer.cert.publicKey)) {
    throw new TeeError("broken-chain", `signature of ${describe(child)} does not verify with ${issuer.label}'s key`);
  }
}

function checkValidAt(link: Link, atMs: number): void {
  const { validFromDate: from, validToDate: to } = link.cert;
  const at = new Date(atMs).toISOString();
  if (atMs < from.getTime()) {
    throw new TeeError("not-yet-valid", `${describe(link)} is not valid before ${from.toISOString()}; time is ${at}`);
  }
  if (atMs > to.getTime()) {
    throw new TeeError("expired", `${describe(link)} expired at ${to.toISOString()}; time is ${at}`);
  }
}

/**
 * Verifies `cabundle[0] → … → leaf`: `cabundle[0]` must hash (SHA-256 of its DER) to
 * `rootSha256` — the bundle's root is never trusted for being there — each issuer must be a CA
 * that issued (names, key identifiers, key usage) and signed the next certificate, and every
 * certificate must be valid at `atMs` (notBefore and notAfter inclusive).
 */
export function verifyCertificateChain(
  cabundle: readonly Uint8Array[],
  leaf: Uint8Array,
  { atMs, rootSha256 }: { atMs: number; rootSha256: string },
): VerifiedChain {
  const chain = parseCertificates(cabundle, leaf);
  const root = chain[0]!;
  // Hash the bytes as given, not a re-encoding: anything but the pinned DER exactly is another root.
  const rootHash = sha256Hex(cabundle[0]!);
  if (rootHash !== rootSha256) {
    throw new TeeError("wrong-root", `${describe(root)} has SHA-256 ${rootHash}, pinned root is ${rootSha256}`);
  }
  for (let i = 1; i < chain.length; i++) checkLink(chain[i - 1]!, chain[i]!);
  // Leaf first: it lives hours where its issuers live days, so it is the one a stale document names.
  for (const link of [...chain].reverse()) checkValidAt(link, atMs);
  const notBefore = Math.max(...chain.map((l) => l.cert.validFromDate.getTime()));
  const notAfter = Math.min(...chain.map((l) => l.cert.validToDate.getTime()));
  return { leaf: chain.at(-1)!.cert, validity: { notBefore: notBefore / 1000, notAfter: notAfter / 1000 } };
}
