import type { Abi } from "viem";
import { readArtifact } from "../../deploy/artifacts.ts";

/**
 * The hub's ABI merged with the errors of the contracts it calls (token, staking, registry, verifier
 * adapter), so a revert bubbling up from any of them is decoded by name. Read from Hardhat artifacts.
 */
export function loadHubAbi(): Abi {
  const hub = readArtifact("InferenceHub").abi;
  const seen = new Set(hub.filter((i) => i.type === "error").map((i) => (i as { name: string }).name));
  const extra: Abi[number][] = [];
  for (const name of ["OPGToken", "NodeStaking", "ModelRegistry", "Groth16VerifierAdapter"] as const) {
    for (const item of readArtifact(name).abi) {
      if (item.type === "error" && !seen.has(item.name)) {
        seen.add(item.name);
        extra.push(item);
      }
    }
  }
  return [...hub, ...extra];
}

/** `IInferenceHub.RequestStatus`. */
export const RequestStatus = { None: 0, Requested: 1, Committed: 2, Settled: 3, Refunded: 4, Slashed: 5 } as const;

/** The `Request` struct as decoded by viem. */
export type HubRequest = {
  requester: `0x${string}`;
  modelId: bigint;
  verifier: `0x${string}`;
  outputWords: number;
  callbackFlags: number;
  callbackGasLimit: number;
  modelFee: bigint;
  settlementFee: bigint;
  bond: bigint;
  commitDeadline: bigint;
  proofWindow: number;
  input: readonly bigint[];
};
