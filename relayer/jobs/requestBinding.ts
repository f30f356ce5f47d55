import { type Abi, type AbiParameter, encodeAbiParameters, encodePacked, type Hex, keccak256 } from "viem";
import type { HubRequest } from "../../abi/index.ts";
import { RelayerError } from "../common/errors.ts";

/** The `Request` tuple parameter of the hub's `commit` (the struct as the hub hashes it). */
function requestParameter(abi: Abi): AbiParameter {
  const commit = abi.find((item) => item.type === "function" && item.name === "commit");
  const param = commit?.type === "function" ? commit.inputs[1] : undefined;
  if (!param || param.type !== "tuple") throw new RelayerError("hub ABI has no commit(bytes32, Request, uint256[])");
  return param;
}

/**
 * The binding the hub stores for a committed request, computed off chain:
 * `keccak256(abi.encode(keccak256(abi.encode(req)), keccak256(abi.encodePacked(output))))`
 * (contracts/libraries/RequestHashing.sol). Equal to `requestState(id).binding` exactly when the
 * chain holds this output for this request.
 */
export function outputBinding(abi: Abi, req: HubRequest, output: readonly bigint[]): Hex {
  const requestHash = keccak256(encodeAbiParameters([requestParameter(abi)], [req]));
  const outputHash = keccak256(encodePacked(["uint256[]"], [output]));
  return keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [requestHash, outputHash]));
}
