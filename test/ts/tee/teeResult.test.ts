import {
  concatHex,
  encodePacked,
  type Hex,
  hexToBigInt,
  keccak256,
  numberToHex,
  recoverTypedDataAddress,
  slice,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import {
  encodeTeeSignature,
  hashWords,
  signTeeResult,
  TEE_SIGNATURE_BYTES,
  type TeeError,
  type TeeResult,
  type TeeResultDomain,
  teeResultTypedData,
} from "../../../tee/index.ts";

// Hardhat's first development key: public, never used for value.
const enclave = privateKeyToAccount("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const domain: TeeResultDomain = { chainId: 31337, verifier: "0x5FbDB2315678afecb367f032d93F642f64180aa3" };
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

const result: TeeResult = {
  hub: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  requestId: keccak256("0x01"),
  modelId: 7n,
  inputHash: hashWords([1n, 2n, 3n]),
  outputHash: hashWords([2n ** 256n - 1n]),
  node: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  expiry: 1_900_000_000n,
};

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as TeeError).reason;
  }
  throw new Error("expected an error");
}

describe("hashWords", () => {
  it("is keccak256 of the words as 32-byte big-endian values, like abi.encodePacked(uint256[])", () => {
    const words = [0n, 1n, 2n ** 255n, 2n ** 256n - 1n];
    expect(hashWords(words)).toBe(keccak256(concatHex(words.map((w) => numberToHex(w, { size: 32 })))));
    expect(hashWords(words)).toBe(keccak256(encodePacked(["uint256[]"], [words])));
    expect(hashWords([])).toBe(keccak256("0x"));
  });

  it("refuses words outside uint256", () => {
    expect(reasonOf(() => hashWords([2n ** 256n]))).toBe("invalid-argument");
    expect(reasonOf(() => hashWords([-1n]))).toBe("invalid-argument");
  });
});

describe("teeResultTypedData", () => {
  it("uses the domain and type of ITeeResultVerifier", () => {
    const typed = teeResultTypedData(domain, result);
    expect(typed.domain).toEqual({
      name: "OPG HACA TEE",
      version: "1",
      chainId: 31337n,
      verifyingContract: domain.verifier,
    });
    expect(typed.primaryType).toBe("TeeResult");
    const fields = typed.types.TeeResult.map((f) => `${f.type} ${f.name}`).join(",");
    expect(`TeeResult(${fields})`).toBe(
      "TeeResult(address hub,bytes32 requestId,uint64 modelId,bytes32 inputHash,bytes32 outputHash,address node,uint64 expiry)",
    );
  });

  it("refuses a modelId or expiry outside uint64", () => {
    expect(reasonOf(() => teeResultTypedData(domain, { ...result, modelId: 2n ** 64n }))).toBe("invalid-argument");
    expect(reasonOf(() => teeResultTypedData(domain, { ...result, expiry: -1n }))).toBe("invalid-argument");
  });
});

describe("signTeeResult", () => {
  it("returns expiry(8) ‖ r ‖ s ‖ v(27/28) whose signature recovers to the enclave key", async () => {
    const packed = await signTeeResult(enclave, domain, result);
    expect((packed.length - 2) / 2).toBe(TEE_SIGNATURE_BYTES);
    expect(hexToBigInt(slice(packed, 0, 8))).toBe(result.expiry);
    const v = Number(hexToBigInt(slice(packed, 72, 73)));
    expect([27, 28]).toContain(v);
    expect(hexToBigInt(slice(packed, 40, 72))).toBeLessThanOrEqual(SECP256K1_N / 2n);
    const signature = slice(packed, 8, 73);
    const recovered = await recoverTypedDataAddress({ ...teeResultTypedData(domain, result), signature });
    expect(recovered).toBe(enclave.address);
  });

  it("binds every field: changing one recovers another address", async () => {
    const signature = slice(await signTeeResult(enclave, domain, result), 8, 73);
    const changed: [TeeResult, typeof domain][] = [
      [{ ...result, node: result.hub }, domain],
      [{ ...result, expiry: result.expiry + 1n }, domain],
      [{ ...result, outputHash: hashWords([0n]) }, domain],
      [result, { ...domain, chainId: 1 }],
    ];
    for (const [message, where] of changed) {
      const recovered = await recoverTypedDataAddress({ ...teeResultTypedData(where, message), signature });
      expect(recovered).not.toBe(enclave.address);
    }
  });
});

describe("encodeTeeSignature", () => {
  const r = `0x${"11".repeat(32)}` as Hex;
  const s = `0x${"22".repeat(32)}` as Hex;

  it("normalizes v 0/1 to 27/28 and keeps 27/28", () => {
    for (const [v, expected] of [
      [0, "1b"],
      [1, "1c"],
      [27, "1b"],
      [28, "1c"],
    ] as const) {
      const packed = encodeTeeSignature(5n, concatHex([r, s, numberToHex(v, { size: 1 })]));
      expect(packed).toBe(`0x0000000000000005${"11".repeat(32)}${"22".repeat(32)}${expected}`);
    }
  });

  it("refuses a high s, a wrong length, a bad v and an expiry outside uint64", () => {
    const highS = numberToHex(SECP256K1_N - 1n, { size: 32 });
    expect(reasonOf(() => encodeTeeSignature(1n, concatHex([r, highS, "0x1b"])))).toBe("invalid-argument");
    expect(reasonOf(() => encodeTeeSignature(1n, concatHex([r, s])))).toBe("invalid-argument");
    expect(reasonOf(() => encodeTeeSignature(1n, concatHex([r, s, "0x02"])))).toBe("invalid-argument");
    expect(reasonOf(() => encodeTeeSignature(2n ** 64n, concatHex([r, s, "0x1b"])))).toBe("invalid-argument");
  });
});
