import { createHash } from "node:crypto";
import { TeeError } from "./errors.ts";

/**
 * SHA-256 of the DER of the AWS Nitro Enclaves root CA (`CN=aws.nitro-enclaves`, P-384, valid
 * 2019-10-28 to 2049-10-28), the root AWS distributes as `AWS_NitroEnclaves_Root-G1.zip`. Every
 * genuine attestation's `cabundle[0]` hashes to this.
 */
export const AWS_NITRO_ROOT_SHA256 = "641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b";

const SHA256_HEX = /^(0x)?[0-9a-fA-F]{64}$/;

/** SHA-256 of `bytes`, lowercase hex without 0x. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * The pinned root as a lowercase SHA-256 hex string: from the root certificate's DER bytes, or a
 * SHA-256 given as 64 hex digits (with or without 0x). Refuses anything else (`invalid-argument`).
 */
export function pinnedRootSha256(root: Uint8Array | string | undefined): string {
  if (root === undefined) return AWS_NITRO_ROOT_SHA256;
  if (root instanceof Uint8Array) {
    if (root.length === 0) throw new TeeError("invalid-argument", "pinned root certificate is empty");
    return sha256Hex(root);
  }
  if (!SHA256_HEX.test(root)) {
    throw new TeeError("invalid-argument", `pinned root must be DER bytes or a SHA-256 in hex, got "${root}"`);
  }
  return root.replace(/^0x/, "").toLowerCase();
}
