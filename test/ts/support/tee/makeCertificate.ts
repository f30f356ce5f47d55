import { type KeyObject, sign } from "node:crypto";
import {
  bitString,
  booleanTrue,
  explicit,
  generalizedTime,
  integer,
  objectIdentifier,
  octetString,
  sequence,
  set,
  utf8String,
} from "./der.ts";

const ECDSA_WITH_SHA384 = "1.2.840.10045.4.3.3";
const COMMON_NAME = "2.5.4.3";
const BASIC_CONSTRAINTS = "2.5.29.19";
const KEY_USAGE = "2.5.29.15";

/** What a test certificate says; `issuerKey` signs it (its own key for a self-signed root). */
export interface CertificateSpec {
  readonly subject: string;
  readonly issuer: string;
  readonly publicKey: KeyObject;
  readonly issuerKey: KeyObject;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly ca: boolean;
  readonly serial: bigint;
}

const name = (cn: string) => sequence(set(sequence(objectIdentifier(COMMON_NAME), utf8String(cn))));

function extensions(ca: boolean): Uint8Array {
  const basicConstraints = ca ? sequence(booleanTrue()) : sequence();
  // keyCertSign + cRLSign (bits 5, 6) for a CA; digitalSignature (bit 0) for a leaf.
  const keyUsage = ca ? bitString(Uint8Array.of(0x06), 1) : bitString(Uint8Array.of(0x80), 7);
  return explicit(
    3,
    sequence(
      sequence(objectIdentifier(BASIC_CONSTRAINTS), booleanTrue(), octetString(basicConstraints)),
      sequence(objectIdentifier(KEY_USAGE), booleanTrue(), octetString(keyUsage)),
    ),
  );
}

/** A DER X.509 v3 certificate signed with ECDSA-SHA384 (P-384 keys, like Nitro's). */
export function makeCertificate(spec: CertificateSpec): Uint8Array {
  const algorithm = sequence(objectIdentifier(ECDSA_WITH_SHA384));
  const tbs = sequence(
    explicit(0, integer(2n)),
    integer(spec.serial),
    algorithm,
    name(spec.issuer),
    sequence(generalizedTime(spec.notBefore), generalizedTime(spec.notAfter)),
    name(spec.subject),
    new Uint8Array(spec.publicKey.export({ type: "spki", format: "der" })),
    extensions(spec.ca),
  );
  const signature = sign("sha384", tbs, spec.issuerKey);
  return sequence(tbs, algorithm, bitString(new Uint8Array(signature)));
}
