/**
 * The hub's packed settlement encodings (contracts/libraries/RequestHashing.sol `bindSettlement`,
 * `IInferenceHub.settleBatch`), computed off chain. viem only, nothing Node-specific.
 */
import { type Address, concat, encodePacked, type Hex, keccak256, size } from "viem";
import type { HubRequest } from "./index.ts";

/** `callbackFlags` bit of a settle callback (the hub's `CALLBACK_ON_SETTLE`). */
const CALLBACK_ON_SETTLE = 2;
/** Bytes of a Groth16 proof in the verifier's layout (`abi.encode(uint256[8])`). */
const PROOF_BYTES = 256;

/** A commitment as `Committed` (or `requestState`) reports it: who committed and until when it may be proven. */
export type Commitment = { node: Address; proofDeadline: bigint };

/** One request to settle in a `settleBatch`: the request as emitted, its committed output, commitment and proof. */
export type SettleBatchEntry = Commitment & {
  requestId: Hex;
  req: HubRequest;
  output: readonly bigint[];
  proof: Hex;
};

/** The 100 bytes of an item's terms: node, proof deadline, the four fees, the settle callback's gas, requester. */
function packedTerms(req: HubRequest, commitment: Commitment): Hex {
  const settleCallbackGas = (req.callbackFlags & CALLBACK_ON_SETTLE) !== 0 ? req.callbackGasLimit : 0;
  return encodePacked(
    ["address", "uint64", "uint96", "uint96", "uint96", "uint96", "uint32", "address"],
    [
      commitment.node,
      commitment.proofDeadline,
      req.modelFee,
      req.callbackFee,
      req.settlementFee,
      req.bond,
      settleCallbackGas,
      req.requester,
    ],
  );
}

/**
 * The binding the hub stores for a committed request (`requestState(id).binding` while Committed):
 * keccak256 of the verifier, the word counts, the committing node, the proof deadline, the fees, the settle
 * callback's gas, the requester and the signals (output then input), packed. Equal to the stored binding exactly when the chain
 * holds this output, committed by `node` with this deadline, for this request.
 */
export function settlementBinding(req: HubRequest, output: readonly bigint[], commitment: Commitment): Hex {
  return keccak256(
    concat([
      encodePacked(["address", "uint16", "uint16"], [req.verifier, output.length, req.input.length]),
      packedTerms(req, commitment),
      encodePacked(["uint256[]", "uint256[]"], [output, req.input]),
    ]),
  );
}

/**
 * `settleBatch`'s arguments for `entries` (one verifier, one shape): the verifier, the word counts and the
 * packed items `requestId ‖ terms ‖ output ‖ input ‖ proof`. Throws naming the first entry that does not
 * fit the first one's verifier and shape, or whose proof is not 256 bytes.
 */
export function encodeSettleBatch(entries: readonly SettleBatchEntry[]): readonly [Address, number, number, Hex] {
  const first = entries[0];
  if (!first) throw new Error("settleBatch needs at least one entry");
  const verifier = first.req.verifier;
  const [outputWords, inputWords] = [first.output.length, first.req.input.length];
  const items = entries.map((entry, i) => {
    if (entry.req.verifier.toLowerCase() !== verifier.toLowerCase()) {
      throw new Error(`settleBatch entry ${i} has verifier ${entry.req.verifier}, the batch ${verifier}`);
    }
    if (entry.output.length !== outputWords || entry.req.input.length !== inputWords) {
      throw new Error(`settleBatch entry ${i} has another shape than entry 0 (output and input word counts)`);
    }
    if (size(entry.proof) !== PROOF_BYTES) {
      throw new Error(`settleBatch entry ${i}'s proof is ${size(entry.proof)} bytes, not ${PROOF_BYTES}`);
    }
    return concat([
      entry.requestId,
      packedTerms(entry.req, entry),
      encodePacked(["uint256[]", "uint256[]"], [entry.output, entry.req.input]),
      entry.proof,
    ]);
  });
  return [verifier, outputWords, inputWords, concat(items)] as const;
}

/** One item of a `settleBatch` call as the hub reads it. */
export type DecodedSettleItem = Commitment & {
  requestId: Hex;
  modelFee: bigint;
  callbackFee: bigint;
  settlementFee: bigint;
  bond: bigint;
  /** The settle callback's gas limit; zero when the request asked for none. */
  settleCallbackGas: number;
  requester: Address;
  output: bigint[];
  input: bigint[];
  proof: Hex;
};

/** Bytes of an item before its signals: `requestId` then the terms. */
const ITEM_HEAD_BYTES = 132;

/**
 * Splits `settleBatch`'s packed `items` (as a transaction carried them) into their fields, with the word counts
 * the call named. Throws when the bytes are not a whole number of items of that shape.
 */
export function decodeSettleBatch(outputWords: number, inputWords: number, items: Hex): DecodedSettleItem[] {
  const itemBytes = ITEM_HEAD_BYTES + 32 * (outputWords + inputWords) + PROOF_BYTES;
  const bytes = size(items);
  if (bytes === 0 || bytes % itemBytes !== 0) {
    throw new Error(`settleBatch items of ${bytes} bytes are not a whole number of ${itemBytes}-byte items`);
  }
  const hex = items.slice(2);
  const field = (at: number, length: number) => `0x${hex.slice(2 * at, 2 * (at + length))}` as Hex;
  const words = (at: number, count: number) => Array.from({ length: count }, (_, k) => BigInt(field(at + 32 * k, 32)));
  return Array.from({ length: bytes / itemBytes }, (_, i) => {
    const at = i * itemBytes;
    const signalsAt = at + ITEM_HEAD_BYTES;
    return {
      requestId: field(at, 32),
      node: field(at + 32, 20),
      proofDeadline: BigInt(field(at + 52, 8)),
      modelFee: BigInt(field(at + 60, 12)),
      callbackFee: BigInt(field(at + 72, 12)),
      settlementFee: BigInt(field(at + 84, 12)),
      bond: BigInt(field(at + 96, 12)),
      settleCallbackGas: Number(BigInt(field(at + 108, 4))),
      requester: field(at + 112, 20),
      output: words(signalsAt, outputWords),
      input: words(signalsAt + 32 * outputWords, inputWords),
      proof: field(signalsAt + 32 * (outputWords + inputWords), PROOF_BYTES),
    };
  });
}
