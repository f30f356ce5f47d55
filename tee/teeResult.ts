import {
  type Address,
  bytesToHex,
  concatHex,
  encodePacked,
  type Hex,
  hexToBytes,
  keccak256,
  type LocalAccount,
  numberToHex,
  type TypedDataDefinition,
} from "viem";
import { TeeError } from "./errors.ts";

/** EIP-712 domain name and version of `ITeeResultVerifier` (contracts/interfaces/ITeeResultVerifier.sol). */
export const TEE_RESULT_DOMAIN = { name: "OPG HACA TEE", version: "1" } as const;

/** `TeeResult(address hub,bytes32 requestId,uint64 modelId,bytes32 inputHash,bytes32 outputHash,address node,uint64 expiry)`. */
export const TEE_RESULT_TYPES = {
  TeeResult: [
    { name: "hub", type: "address" },
    { name: "requestId", type: "bytes32" },
    { name: "modelId", type: "uint64" },
    { name: "inputHash", type: "bytes32" },
    { name: "outputHash", type: "bytes32" },
    { name: "node", type: "address" },
    { name: "expiry", type: "uint64" },
  ],
} as const;

/** Bytes of the signature `ITeeResultVerifier.verifyResult` takes: expiry (8) ‖ r (32) ‖ s (32) ‖ v (1). */
export const TEE_SIGNATURE_BYTES = 73;

const UINT64_MAX = 2n ** 64n - 1n;
const UINT256_MAX = 2n ** 256n - 1n;
/** secp256k1 group order / 2: EIP-2 accepts only s at or below it. */
const SECP256K1_HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/** Where the result is verified: the chain and the `ITeeResultVerifier` contract. */
export interface TeeResultDomain {
  readonly chainId: number | bigint;
  /** The verifier contract (EIP-712 `verifyingContract`). */
  readonly verifier: Address;
}

/** The message an enclave signs for one result. */
export interface TeeResult {
  /** The hub that will call `verifyResult`. */
  readonly hub: Address;
  readonly requestId: Hex;
  readonly modelId: bigint;
  /** {@link hashWords} of the request's input words. */
  readonly inputHash: Hex;
  /** {@link hashWords} of the output words. */
  readonly outputHash: Hex;
  /** The node paid for the result. */
  readonly node: Address;
  /** Unix seconds after which the signature is refused. */
  readonly expiry: bigint;
}

/** `keccak256(abi.encodePacked(words))` for `uint256[] words`: each word as 32 big-endian bytes. */
export function hashWords(words: readonly bigint[]): Hex {
  for (const [i, word] of words.entries()) {
    if (word < 0n || word > UINT256_MAX) throw new TeeError("invalid-argument", `word ${i} (${word}) is not a uint256`);
  }
  return keccak256(encodePacked(["uint256[]"], [words]));
}

/** The EIP-712 typed data of a result, for viem's `signTypedData`, `hashTypedData` and `recoverTypedDataAddress`. */
export function teeResultTypedData(
  domain: TeeResultDomain,
  result: TeeResult,
): TypedDataDefinition<typeof TEE_RESULT_TYPES, "TeeResult"> {
  for (const [name, value] of [
    ["modelId", result.modelId],
    ["expiry", result.expiry],
  ] as const) {
    if (value < 0n || value > UINT64_MAX) throw new TeeError("invalid-argument", `${name} ${value} is not a uint64`);
  }
  return {
    domain: { ...TEE_RESULT_DOMAIN, chainId: BigInt(domain.chainId), verifyingContract: domain.verifier },
    types: TEE_RESULT_TYPES,
    primaryType: "TeeResult",
    message: { ...result },
  };
}

/**
 * Packs a 65-byte ECDSA signature (r‖s‖v, v as 0/1 or 27/28) and its expiry into the 73 bytes the
 * verifier takes: `expiry (uint64, big-endian) ‖ r ‖ s ‖ v` with v normalized to 27/28. Refuses a
 * high s (EIP-2), which the verifier would reject.
 */
export function encodeTeeSignature(expiry: bigint, signature: Hex): Hex {
  if (expiry < 0n || expiry > UINT64_MAX) throw new TeeError("invalid-argument", `expiry ${expiry} is not a uint64`);
  const bytes = hexToBytes(signature);
  if (bytes.length !== 65) {
    throw new TeeError("invalid-argument", `signature is ${bytes.length} bytes, expected 65 (r‖s‖v)`);
  }
  const s = BigInt(bytesToHex(bytes.subarray(32, 64)));
  if (s > SECP256K1_HALF_ORDER) throw new TeeError("invalid-argument", "signature has a high s (EIP-2)");
  const v = bytes[64]! < 27 ? bytes[64]! + 27 : bytes[64]!;
  if (v !== 27 && v !== 28)
    throw new TeeError("invalid-argument", `signature has v = ${bytes[64]}, expected 0, 1, 27 or 28`);
  return concatHex([numberToHex(expiry, { size: 8 }), bytesToHex(bytes.subarray(0, 64)), numberToHex(v, { size: 1 })]);
}

/**
 * Signs a result as an enclave key does and returns the 73-byte signature for
 * `ITeeResultVerifier.verifyResult` (see {@link encodeTeeSignature}).
 */
export async function signTeeResult(account: LocalAccount, domain: TeeResultDomain, result: TeeResult): Promise<Hex> {
  const signature = await account.signTypedData(teeResultTypedData(domain, result));
  return encodeTeeSignature(result.expiry, signature);
}
