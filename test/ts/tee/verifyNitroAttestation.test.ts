import { createHash } from "node:crypto";
import { keccak256 } from "viem";
import { describe, expect, it } from "vitest";
import { AWS_NITRO_ROOT_SHA256, decodeCbor, TeeError, verifyNitroAttestation } from "../../../tee/index.ts";
import { atOwnTime, NITRO_DOCUMENTS, readNitroDocument } from "./nitroFixtures.ts";

/** Runs `fn` and returns the TeeError it throws (fails the test if it throws anything else or nothing). */
function teeErrorOf(fn: () => unknown): TeeError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TeeError) return error;
    throw error;
  }
  throw new Error("expected a TeeError, but nothing was thrown");
}

/** The payload's `cabundle[0]`, read with the decoder under test. */
function bundleRoot(document: Uint8Array): Uint8Array {
  const cose = decodeCbor(document) as unknown[];
  const payload = decodeCbor(cose[2] as Uint8Array) as Map<string, unknown>;
  return (payload.get("cabundle") as Uint8Array[])[0]!;
}

describe.each(NITRO_DOCUMENTS)("verifyNitroAttestation on $file", (fixture) => {
  const document = readNitroDocument(fixture.file);

  it("accepts it at its own timestamp with the fields its README states", () => {
    const result = verifyNitroAttestation(document, { at: atOwnTime(fixture) });
    expect(result.moduleId).toBe(fixture.moduleId);
    expect(result.timestamp).toBe(fixture.timestampMs);
    expect(result.digest).toBe("SHA384");
    expect(Object.keys(result.pcrs)).toHaveLength(16);
    expect(result.pcrs[0]!.startsWith(`0x${fixture.pcr0Prefix}`)).toBe(true);
    for (const index of [0, 1, 2]) expect(result.pcrs[index]).toMatch(/^0x[0-9a-f]{96}$/);
    expect(result.measurement).toBe(keccak256(`0x${[0, 1, 2].map((i) => result.pcrs[i]!.slice(2)).join("")}`));
    expect(result.signer?.toLowerCase() ?? null).toBe(fixture.signer);
    expect(result.publicKey === null ? null : (result.publicKey.length - 2) / 2).toBe(fixture.publicKeyBytes);
    expect(result.userData === null ? null : (result.userData.length - 2) / 2).toBe(fixture.userDataBytes);
    expect(result.nonce).toBeNull();
    expect(result.certificateValidity).toEqual({ notBefore: fixture.leafNotBefore, notAfter: fixture.leafNotAfter });
  });

  it("accepts it at a Date, and at both ends of the leaf's window (inclusive)", () => {
    expect(verifyNitroAttestation(document, { at: new Date(fixture.timestampMs) }).moduleId).toBe(fixture.moduleId);
    expect(verifyNitroAttestation(document, { at: fixture.leafNotBefore }).moduleId).toBe(fixture.moduleId);
    expect(verifyNitroAttestation(document, { at: fixture.leafNotAfter }).moduleId).toBe(fixture.moduleId);
  });

  it("refuses it one second after the leaf's notAfter (expired), naming the leaf and the time", () => {
    const error = teeErrorOf(() => verifyNitroAttestation(document, { at: fixture.leafNotAfter + 1 }));
    expect(error.reason).toBe("expired");
    expect(error.message).toContain("leaf certificate");
    expect(error.message).toContain(new Date((fixture.leafNotAfter + 1) * 1000).toISOString());
  });

  it("refuses it one second before the leaf's notBefore (not-yet-valid)", () => {
    const error = teeErrorOf(() => verifyNitroAttestation(document, { at: fixture.leafNotBefore - 1 }));
    expect(error.reason).toBe("not-yet-valid");
    expect(error.message).toContain("leaf certificate");
  });

  it("refuses it now: leaf certificates live hours (the default time is the current time)", () => {
    expect(["expired"]).toContain(teeErrorOf(() => verifyNitroAttestation(document)).reason);
  });

  it("refuses it under another pinned root (wrong-root), by hash or by DER", () => {
    const at = atOwnTime(fixture);
    const otherHash = createHash("sha256").update("another root").digest("hex");
    expect(teeErrorOf(() => verifyNitroAttestation(document, { at, root: otherHash })).reason).toBe("wrong-root");
    const otherDer = readNitroDocument(fixture.file).subarray(0, 500);
    expect(teeErrorOf(() => verifyNitroAttestation(document, { at, root: otherDer })).reason).toBe("wrong-root");
  });

  it("accepts it when the AWS root is pinned explicitly, by hash (0x or not) or by its DER", () => {
    const at = atOwnTime(fixture);
    const root = bundleRoot(document);
    expect(createHash("sha256").update(root).digest("hex")).toBe(AWS_NITRO_ROOT_SHA256);
    for (const pinned of [AWS_NITRO_ROOT_SHA256, `0x${AWS_NITRO_ROOT_SHA256.toUpperCase()}`, root]) {
      expect(verifyNitroAttestation(document, { at, root: pinned }).moduleId).toBe(fixture.moduleId);
    }
  });

  it("refuses it after any single flipped byte (a spread over header, payload, certificates, signature)", () => {
    const at = atOwnTime(fixture);
    // Every byte of the COSE header, module_id, digest, timestamp and the first PCRs, and of the
    // signature with the payload's last fields; every 7th byte in between (PCRs, certificates).
    // All ~18,000 positions would take ~60 s on a shared 2-core machine; this spread takes ~10 s.
    const positions = [...document.keys()].filter((i) => i < 256 || i >= document.length - 128 || i % 7 === 0);
    const reasons = new Set<string>();
    for (const i of positions) {
      const flipped = new Uint8Array(document);
      flipped[i]! ^= 1 << (i % 8);
      const error = teeErrorOf(() => verifyNitroAttestation(flipped, { at }));
      expect(error.reason, `flip at byte ${i}`).not.toBe("invalid-argument");
      reasons.add(error.reason);
    }
    expect(positions.length).toBeGreaterThan(900);
    // The spread reaches every layer: CBOR, fields, the pinned root, chain links and the signature.
    for (const reason of ["malformed-cbor", "malformed-document", "wrong-root", "broken-chain", "bad-signature"]) {
      expect(reasons).toContain(reason);
    }
  });

  it("refuses it truncated, with a trailing byte, or replaced by garbage (malformed-cbor)", () => {
    const at = atOwnTime(fixture);
    const truncations = [1, 2, 7, 100, document.length / 2, document.length - 97, document.length - 1];
    for (const length of truncations) {
      const error = teeErrorOf(() => verifyNitroAttestation(document.subarray(0, length), { at }));
      expect(error.reason, `truncated to ${length}`).toBe("malformed-cbor");
      expect(error.message).toMatch(/at offset \d+: truncated input/);
    }
    const trailing = teeErrorOf(() => verifyNitroAttestation(Uint8Array.of(...document, 0), { at }));
    expect(trailing.reason).toBe("malformed-cbor");
    expect(trailing.message).toContain(`at offset ${document.length}: 1 trailing byte(s)`);
    const garbage = new Uint8Array(document.length).map((_, i) => (i * 151 + 7) & 0xff);
    expect(teeErrorOf(() => verifyNitroAttestation(garbage, { at })).reason).toBe("malformed-cbor");
    expect(teeErrorOf(() => verifyNitroAttestation(new Uint8Array(0), { at })).reason).toBe("malformed-cbor");
  });
});

describe("verifyNitroAttestation options", () => {
  const fixture = NITRO_DOCUMENTS[0]!;
  const document = readNitroDocument(fixture.file);

  it("refuses a pinned root that is neither DER nor a SHA-256, and a bad time (invalid-argument)", () => {
    const at = atOwnTime(fixture);
    expect(teeErrorOf(() => verifyNitroAttestation(document, { at, root: "641a03" })).reason).toBe("invalid-argument");
    expect(teeErrorOf(() => verifyNitroAttestation(document, { at, root: new Uint8Array(0) })).reason).toBe(
      "invalid-argument",
    );
    expect(teeErrorOf(() => verifyNitroAttestation(document, { at: Number.NaN })).reason).toBe("invalid-argument");
    expect(teeErrorOf(() => verifyNitroAttestation(document, { at: new Date(Number.NaN) })).reason).toBe(
      "invalid-argument",
    );
  });

  it("takes `at` as unix seconds, not milliseconds", () => {
    // The document's timestamp in ms, misread as seconds, is tens of thousands of years later.
    expect(teeErrorOf(() => verifyNitroAttestation(document, { at: fixture.timestampMs })).reason).toBe("expired");
  });
});
