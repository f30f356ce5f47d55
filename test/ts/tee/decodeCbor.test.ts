import { describe, expect, it } from "vitest";
import { type CborValue, decodeCbor, encodeCbor, TeeError } from "../../../tee/index.ts";

const hex = (text: string) => Uint8Array.from(Buffer.from(text, "hex"));

function malformed(bytes: Uint8Array): string {
  try {
    decodeCbor(bytes);
  } catch (error) {
    if (error instanceof TeeError && error.reason === "malformed-cbor") return error.message;
    throw error;
  }
  throw new Error(`decoded ${Buffer.from(bytes).toString("hex")} without error`);
}

describe("decodeCbor", () => {
  // Vectors from RFC 8949 Appendix A.
  it.each<[string, CborValue]>([
    ["00", 0],
    ["17", 23],
    ["1818", 24],
    ["1903e8", 1000],
    ["1b000000e8d4a51000", 1000000000000],
    ["1bffffffffffffffff", 18446744073709551615n],
    ["20", -1],
    ["3903e7", -1000],
    ["3bffffffffffffffff", -18446744073709551616n],
    ["f4", false],
    ["f5", true],
    ["f6", null],
    ["4401020304", hex("01020304")],
    ["6449455446", "IETF"],
    ["62c3bc", "ü"],
    ["83010203", [1, 2, 3]],
    ["9f018202039f0405ffff", [1, [2, 3], [4, 5]]],
    [
      "a201020304",
      new Map([
        [1, 2],
        [3, 4],
      ]),
    ],
    [
      "bf61610161629f0203ffff",
      new Map<string, CborValue>([
        ["a", 1],
        ["b", [2, 3]],
      ]),
    ],
    ["d280", { tag: 18, value: [] }],
  ])("decodes %s", (input, expected) => {
    expect(decodeCbor(hex(input))).toEqual(expected);
  });

  it("round-trips what encodeCbor writes", () => {
    const value: CborValue = [
      "Signature1",
      hex("a1013822"),
      new Uint8Array(0),
      new Map<string | number, CborValue>([
        ["n", -35],
        [7, 2n ** 64n - 1n],
        ["x", [true, false, null]],
      ]),
    ];
    expect(decodeCbor(encodeCbor(value))).toEqual(value);
  });

  it.each([
    ["empty input", "", /offset 0: truncated input/],
    ["a truncated argument", "19 03", /offset 1: truncated input/],
    ["a byte string longer than the input", "58 30 0102", /offset 0: truncated input: byte string of length 48/],
    ["a truncated array", "83 01 02", /offset 0: truncated input: array of length 3/],
    ["a truncated item in an array", "82 01 19 03", /offset 3: truncated input/],
    ["an indefinite map without break", "bf 61 61 01", /offset 4: truncated input: missing break/],
    ["trailing bytes", "01 02", /offset 1: 1 trailing byte/],
    ["reserved additional information", "1c", /offset 0: reserved additional information 28/],
    ["an indefinite-length byte string", "5f 41 00 ff", /offset 0: indefinite-length byte string/],
    ["an indefinite-length integer", "1f", /offset 0: indefinite length is not allowed/],
    ["a float", "f9 3c00", /offset 0: floating-point/],
    ["undefined", "f7", /offset 0: unsupported simple value/],
    ["a tag other than 18", "c1 1a 514b67b0", /offset 0: unsupported tag 1/],
    ["a break outside a container", "ff", /offset 0: break/],
    ["a duplicate map key", "a2 01 02 01 03", /offset 3: duplicate map key "1"/],
    ["a byte-string map key", "a1 41 00 01", /offset 1: map key is neither/],
    ["invalid UTF-8", "62 c3 28", /offset 0: text string is not valid UTF-8/],
    ["a huge array count", "9b 00000000ffffffff", /offset 0: truncated input: array of length 4294967295/],
  ])("refuses %s with malformed-cbor naming the offset", (_what, input, message) => {
    expect(malformed(hex(input.replaceAll(" ", "")))).toMatch(message);
  });

  it("refuses nesting deeper than its bound instead of exhausting the stack", () => {
    expect(malformed(new Uint8Array(10_000).fill(0x81))).toMatch(/nesting deeper than 16/);
  });

  it("refuses random garbage (malformed-cbor, never another error)", () => {
    let seed = 1;
    for (let n = 0; n < 500; n++) {
      const bytes = new Uint8Array(1 + (n % 40)).map(() => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed >> 16;
      });
      try {
        decodeCbor(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(TeeError);
        expect((error as TeeError).reason).toBe("malformed-cbor");
      }
    }
  });
});
