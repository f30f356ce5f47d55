import type { Address, Hex } from "viem";
import type { TensorValues } from "../../sdk/index.ts";

/** One result to produce and sign: everything the EIP-712 `TeeResult` binds, and the request's input. */
export type TeeTask = {
  readonly chainId: number;
  /** The model's `ITeeResultVerifier` (the enclave registry): the EIP-712 `verifyingContract`. */
  readonly verifier: Address;
  readonly hub: Address;
  readonly requestId: Hex;
  readonly modelId: bigint;
  /** The request's input words, exactly as on chain (their hash is signed). */
  readonly input: readonly bigint[];
  /** Per input tensor, manifest order: the fetched content (its hash already checked) when by reference, else null. */
  readonly contents: readonly (Uint8Array | null)[];
  /** The decoded input tensors, manifest order. */
  readonly inputs: readonly TensorValues[];
  /** The node to be paid (this relayer's account): signed, so a copied signature pays nobody else. */
  readonly node: Address;
  /** Last second (inclusive) the signature is valid: the request's commit deadline. */
  readonly expiry: bigint;
  /**
   * Where this node publishes outputs by reference (`<tee.contentStore.publicBaseUrl>/content/`): a referenced
   * output's URI is this followed by its content hash. Set when the model has outputs by reference.
   */
  readonly contentBaseUrl?: string;
};

/**
 * What a signer returns: the result words, the 73-byte signature, the key that made it, and per output tensor
 * the content of an output by reference (null for an inline one), which the node checks and publishes.
 */
export type TeeSignedResult = {
  readonly output: bigint[];
  readonly signature: Hex;
  readonly signer: Address;
  readonly contents: readonly (Uint8Array | null)[];
};

/**
 * Produces signed results for a TEE model. `dev`: the relayer runs the model and signs with a key it holds
 * (INSECURE, local chain only). `remote`: an enclave runs the model and signs (docs/tee-enclave-protocol.md).
 * Whatever a signer returns is checked by the relayer before anything is sent (`checkTeeResult`).
 */
export interface TeeSigner {
  readonly kind: "dev" | "remote";
  run(task: TeeTask): Promise<TeeSignedResult>;
  close(): Promise<void>;
}
