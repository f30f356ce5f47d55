import { readFileSync } from "node:fs";

/** Folder of the real Nitro documents; facts below are from its README.md. */
export const NITRO_FIXTURES = new URL("../../fixtures/tee/nitro/", import.meta.url);

const seconds = (iso: string) => Date.parse(iso) / 1000;

/** One real document and what test/fixtures/tee/nitro/README.md says about it. */
export interface NitroFixture {
  readonly file: string;
  readonly moduleId: string;
  readonly timestampMs: number;
  readonly pcr0Prefix: string;
  /** Leaf certificate window, unix seconds. */
  readonly leafNotBefore: number;
  readonly leafNotAfter: number;
  readonly signer: string | null;
  readonly publicKeyBytes: number | null;
  readonly userDataBytes: number | null;
}

export const NITRO_DOCUMENTS: readonly NitroFixture[] = [
  {
    file: "nitro-2024-11-30-secp256k1-public-key.cbor",
    moduleId: "i-0de38b2b6853cc9e8-enc0193685e7fee7d85",
    timestampMs: Date.parse("2024-11-30T16:22:48.387Z"),
    pcr0Prefix: "ec74bfbe7f7445a6",
    leafNotBefore: seconds("2024-11-30T16:22:45Z"),
    leafNotAfter: seconds("2024-11-30T19:22:48Z"),
    signer: "0x3c32c4ad111a12d7d3af032cffaff7789dfa555f",
    publicKeyBytes: 65,
    userDataBytes: null,
  },
  {
    file: "nitro-2026-01-03-user-data-address.cbor",
    moduleId: "i-0368fa67e156d6d23-enc019b8596b1a9dad6",
    timestampMs: Date.parse("2026-01-03T20:41:07.402Z"),
    pcr0Prefix: "4b8d4cf2a99e05ce",
    leafNotBefore: seconds("2026-01-03T20:40:25Z"),
    leafNotAfter: seconds("2026-01-03T23:40:28Z"),
    signer: "0x69553adc61d6e9fcdecbe1ea49bb2b52a60238e0",
    publicKeyBytes: null,
    userDataBytes: 20,
  },
  {
    file: "nitro-2024-02-26-32-byte-public-key.cbor",
    moduleId: "i-0df237f0418feb41e-enc018d1c7ef94eb110",
    timestampMs: Date.parse("2024-02-26T07:02:01.439Z"),
    pcr0Prefix: "17bf8f048519797b",
    leafNotBefore: seconds("2024-02-26T06:59:33Z"),
    leafNotAfter: seconds("2024-02-26T09:59:36Z"),
    signer: null,
    publicKeyBytes: 32,
    userDataBytes: 42,
  },
  {
    file: "nitro-2024-04-03-32-byte-public-key.cbor",
    moduleId: "i-058bac400e426cc24-enc018e0924a1c4673e",
    timestampMs: Date.parse("2024-04-03T13:08:22.338Z"),
    pcr0Prefix: "ea6ff0cc81650a6a",
    leafNotBefore: seconds("2024-04-03T13:08:00Z"),
    leafNotAfter: seconds("2024-04-03T16:08:03Z"),
    signer: null,
    publicKeyBytes: 32,
    userDataBytes: 42,
  },
];

/** The document's bytes (a fresh copy each call, safe to mutate). */
export function readNitroDocument(file: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(file, NITRO_FIXTURES)));
}

/** The document's own time, unix seconds (its timestamp is in milliseconds). */
export const atOwnTime = (fixture: NitroFixture) => Math.floor(fixture.timestampMs / 1000);
