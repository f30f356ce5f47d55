import { createPublicKey } from "node:crypto";
import { type Address, bytesToHex, getAddress } from "viem";
import { publicKeyToAddress } from "viem/accounts";

/** DER prefix of a SubjectPublicKeyInfo for an uncompressed secp256k1 point (id-ecPublicKey, secp256k1). */
const SECP256K1_SPKI_PREFIX = Buffer.from("3056301006072a8648ce3d020106052b8104000a034200", "hex");
const UNCOMPRESSED_POINT_BYTES = 65;
const ADDRESS_BYTES = 20;

/** True when `key` is `0x04‖x‖y` and (x, y) lies on secp256k1 (OpenSSL checks the point on import). */
function isSecp256k1Point(key: Uint8Array): boolean {
  if (key.length !== UNCOMPRESSED_POINT_BYTES || key[0] !== 0x04) return false;
  try {
    createPublicKey({ key: Buffer.concat([SECP256K1_SPKI_PREFIX, key]), format: "der", type: "spki" });
    return true;
  } catch {
    return false;
  }
}

/**
 * The Ethereum account an attestation binds, or null: the address of `public_key` when it is an
 * uncompressed secp256k1 point (`0x04‖x‖y`, 65 bytes, on the curve); else `user_data` when it is
 * exactly 20 bytes (an address the enclave put there); else null. A 65-byte key that is not a
 * secp256k1 point (e.g. P-256) is no Ethereum key, so `user_data` is considered next.
 */
export function enclaveSigner(publicKey: Uint8Array | null, userData: Uint8Array | null): Address | null {
  if (publicKey !== null && isSecp256k1Point(publicKey)) return publicKeyToAddress(bytesToHex(publicKey));
  if (userData !== null && userData.length === ADDRESS_BYTES) return getAddress(bytesToHex(userData));
  return null;
}
