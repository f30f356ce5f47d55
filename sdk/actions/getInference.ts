import type { Address, GetContractEventsReturnType, Hex } from "viem";
import { type HubRequest, inferenceHubAbi, RequestStatus } from "../../abi/index.ts";
import type { ReadClient } from "../clients.ts";
import { getRequestState } from "./getRequestState.ts";

/** A request's status by name. `none`: not on the chain (never made, or dropped by a reorganization). */
export type InferenceStatus = "none" | "requested" | "committed" | "settled" | "refunded" | "slashed";

/** `RequestStatus` value → name. */
export const INFERENCE_STATUS: Readonly<Record<RequestStatus, InferenceStatus>> = {
  [RequestStatus.None]: "none",
  [RequestStatus.Requested]: "requested",
  [RequestStatus.Committed]: "committed",
  [RequestStatus.Settled]: "settled",
  [RequestStatus.Refunded]: "refunded",
  [RequestStatus.Slashed]: "slashed",
};

type HubLog<name extends "Requested" | "Committed" | "Settled" | "Refunded" | "Slashed"> = GetContractEventsReturnType<
  typeof inferenceHubAbi,
  name,
  true
>[number];
/** The `Requested` log of a request. */
export type RequestedLog = HubLog<"Requested">;
/** The `Committed` log of a request. */
export type CommittedLog = HubLog<"Committed">;
/** The `Settled` log of a request. */
export type SettledLog = HubLog<"Settled">;
/** The `Refunded` log of a request. */
export type RefundedLog = HubLog<"Refunded">;
/** The `Slashed` log of a request. */
export type SlashedLog = HubLog<"Slashed">;

/** Everything known about a request at one block: its stored state and the logs of its transitions. */
export type Inference = {
  requestId: Hex;
  status: InferenceStatus;
  /** The same as a `RequestStatus` value. */
  statusCode: RequestStatus;
  /** The block the state and logs were read at. */
  blockNumber: bigint;
  /** The request as emitted (fees, bond, input); absent when the `Requested` log is not found. */
  request: HubRequest | undefined;
  /** Last second a commit is accepted. */
  commitDeadline: bigint | undefined;
  /** Last second the proof is accepted; set once committed. */
  proofDeadline: bigint | undefined;
  /** The committing node; set once committed. */
  node: Address | undefined;
  /** The committed output words (`decodeOutput` turns them into values); set once committed. */
  output: readonly bigint[] | undefined;
  logs: {
    requested?: RequestedLog;
    committed?: CommittedLog;
    settled?: SettledLog;
    refunded?: RefundedLog;
    slashed?: SlashedLog;
  };
};

export type GetInferenceParameters = {
  hub: Address;
  requestId: Hex;
  /** Where log queries start: the request's block, or the deployment's start block (default 0). */
  fromBlock?: bigint;
  /** Read at this block (default the latest). */
  blockNumber?: bigint;
};

/**
 * Reads a request's status, deadlines, node and (once committed) output: `requestState` and the
 * request's logs, all at one block so they agree. A log the node serving logs has not indexed yet is
 * left out (`output` undefined although `status` is `committed`); the waits poll until both agree.
 */
export async function getInference(publicClient: ReadClient, parameters: GetInferenceParameters): Promise<Inference> {
  const { hub, requestId } = parameters;
  // viem caches the block number for the client's polling interval: a stale one would read the past.
  const blockNumber = parameters.blockNumber ?? (await publicClient.getBlockNumber({ cacheTime: 0 }));
  const query = {
    address: hub,
    abi: inferenceHubAbi,
    args: { requestId },
    fromBlock: parameters.fromBlock ?? 0n,
    toBlock: blockNumber,
    strict: true,
  } as const;
  const state = await getRequestState(publicClient, { hub, requestId, blockNumber });
  const status = INFERENCE_STATUS[state.status];
  const [requested, committed, settled, refunded, slashed] = await Promise.all([
    publicClient.getContractEvents({ ...query, eventName: "Requested" }).then((l) => l.at(-1)),
    status === "requested" || status === "none" || status === "refunded"
      ? undefined
      : publicClient.getContractEvents({ ...query, eventName: "Committed" }).then((l) => l.at(-1)),
    status === "settled"
      ? publicClient.getContractEvents({ ...query, eventName: "Settled" }).then((l) => l.at(-1))
      : undefined,
    status === "refunded"
      ? publicClient.getContractEvents({ ...query, eventName: "Refunded" }).then((l) => l.at(-1))
      : undefined,
    status === "slashed"
      ? publicClient.getContractEvents({ ...query, eventName: "Slashed" }).then((l) => l.at(-1))
      : undefined,
  ]);
  const request = requested?.args.request;
  const logs: Inference["logs"] = {};
  for (const [key, log] of Object.entries({ requested, committed, settled, refunded, slashed })) {
    if (log) Object.assign(logs, { [key]: log });
  }
  return {
    requestId,
    status,
    statusCode: state.status,
    blockNumber,
    request,
    commitDeadline: request?.commitDeadline ?? (status === "requested" ? state.deadline : undefined),
    proofDeadline: committed?.args.proofDeadline ?? (status === "committed" ? state.deadline : undefined),
    node: committed?.args.node ?? (status === "committed" ? state.node : undefined),
    output: committed?.args.output,
    logs,
  };
}
