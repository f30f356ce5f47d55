import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { type CborKey, type CborValue, encodeCbor } from "../../../../tee/index.ts";
import { makeCertificate } from "./makeCertificate.ts";

/** A self-made Nitro-shaped chain: root → intermediate CA → enclave leaf, all P-384. */
export interface TestChain {
  /** The root's DER (pin it, or its SHA-256, in the verifier). */
  readonly root: Uint8Array;
  /** `[root, intermediate]`, root first, as in a Nitro `cabundle`. */
  readonly cabundle: Uint8Array[];
  readonly leaf: Uint8Array;
  /** The leaf's private key: it signs the document. */
  readonly leafKey: KeyObject;
}

const p384 = () => generateKeyPairSync("ec", { namedCurve: "P-384" });

/** Generates a fresh chain valid from `notBefore` to `notAfter` (every certificate). */
export function makeTestChain(notBefore: Date, notAfter: Date): TestChain {
  const [rootKeys, caKeys, leafKeys] = [p384(), p384(), p384()];
  const common = { notBefore, notAfter };
  const root = makeCertificate({
    ...common,
    subject: "test.nitro-root",
    issuer: "test.nitro-root",
    publicKey: rootKeys.publicKey,
    issuerKey: rootKeys.privateKey,
    ca: true,
    serial: 1n,
  });
  const intermediate = makeCertificate({
    ...common,
    subject: "test.nitro-intermediate",
    issuer: "test.nitro-root",
    publicKey: caKeys.publicKey,
    issuerKey: rootKeys.privateKey,
    ca: true,
    serial: 2n,
  });
  const leaf = makeCertificate({
    ...common,
    subject: "test.nitro-enclave",
    issuer: "test.nitro-intermediate",
    publicKey: leafKeys.publicKey,
    issuerKey: caKeys.privateKey,
    ca: false,
    serial: 3n,
  });
  return { root, cabundle: [root, intermediate], leaf, leafKey: leafKeys.privateKey };
}

/** Sixteen 48-byte PCRs: PCR i filled with byte i + 1 (non-zero, so not a debug enclave). */
export function testPcrs(): Map<CborKey, CborValue> {
  return new Map(Array.from({ length: 16 }, (_, i) => [i, new Uint8Array(48).fill(i + 1)]));
}

/** How to build the document; `payload` entries replace or add payload fields (undefined removes one). */
export interface DocumentSpec {
  readonly chain: TestChain;
  readonly timestamp: number;
  readonly payload?: Record<string, CborValue | undefined>;
  /** COSE alg in the protected header (default ES384, -35). */
  readonly alg?: number;
  /** Wrap in tag 18. */
  readonly tagged?: boolean;
  /** Key that signs the COSE message (default the leaf's). */
  readonly signingKey?: KeyObject;
}

/** A Nitro-shaped COSE_Sign1 attestation document, signed like the NSM signs one. */
export function buildNitroDocument(spec: DocumentSpec): Uint8Array {
  const fields: Record<string, CborValue | undefined> = {
    module_id: "i-0000000000test-enc0000000000000000",
    digest: "SHA384",
    timestamp: spec.timestamp,
    pcrs: testPcrs(),
    certificate: spec.chain.leaf,
    cabundle: spec.chain.cabundle,
    public_key: null,
    user_data: null,
    nonce: null,
    ...spec.payload,
  };
  const entries = Object.entries(fields).filter((e): e is [string, CborValue] => e[1] !== undefined);
  const payload = encodeCbor(new Map<CborKey, CborValue>(entries));
  const protectedHeader = encodeCbor(new Map<CborKey, CborValue>([[1, spec.alg ?? -35]]));
  const signed = encodeCbor(["Signature1", protectedHeader, new Uint8Array(0), payload]);
  const key = spec.signingKey ?? spec.chain.leafKey;
  const signature = new Uint8Array(sign("sha384", signed, { key, dsaEncoding: "ieee-p1363" }));
  const message: CborValue = [protectedHeader, new Map(), payload, signature];
  return encodeCbor(spec.tagged ? { tag: 18, value: message } : message);
}
