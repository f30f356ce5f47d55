import { encodeAbiParameters, encodePacked, getAbiItem, type Hex, keccak256 } from "viem";
import { type HubRequest, inferenceHubAbi } from "../../abi/index.ts";

/** The `Request` tuple as the hub's `commit` takes it (and `abi.encode(req)` hashes it). */
const REQUEST_PARAMETER = getAbiItem({ abi: inferenceHubAbi, name: "commit" }).inputs[1];

/**
 * The binding the hub stores for a committed request, computed off chain:
 * `keccak256(abi.encode(keccak256(abi.encode(req)), keccak256(abi.encodePacked(output))))`
 * (contracts/libraries/RequestHashing.sol). Equal to `requestState(id).binding` exactly when the
 * chain holds this output for this request.
 */
export function outputBinding(req: HubRequest, output: readonly bigint[]): Hex {
  const requestHash = keccak256(encodeAbiParameters([REQUEST_PARAMETER], [req]));
  const outputHash = keccak256(encodePacked(["uint256[]"], [output]));
  return keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [requestHash, outputHash]));
}
