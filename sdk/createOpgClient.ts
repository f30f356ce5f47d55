import type { Account, Chain, Hex, Transport, WalletClient } from "viem";
import { OpgError } from "../common/errors.ts";
import { approve } from "./actions/approve.ts";
import { getInference } from "./actions/getInference.ts";
import type { WaitForInferenceParameters } from "./actions/pollInference.ts";
import { quote } from "./actions/quote.ts";
import { type RequestParameters, request } from "./actions/request.ts";
import { refund, slash } from "./actions/resolveExpired.ts";
import { waitForCommitment } from "./actions/waitForCommitment.ts";
import { waitForSettlement } from "./actions/waitForSettlement.ts";
import { type WatchInferencesParameters, watchInferences } from "./actions/watchInferences.ts";
import type { ReadClient, SdkClients } from "./clients.ts";
import { type OpgDeployment, parseDeployment } from "./deployment.ts";

/** What `createOpgClient` takes. */
export type OpgClientConfig = {
  publicClient: ReadClient;
  /** Needed by the actions that send transactions (request, approve, refund, slash). */
  walletClient?: WalletClient<Transport, Chain | undefined, Account>;
  /** The deployment JSON (as parsed JSON or `parseDeployment`'s result). */
  deployment: OpgDeployment | Record<string, unknown>;
};

/** Parameters with the hub filled in; `modelId` defaults to the deployment's first model. */
type WithHub<parameters> = Omit<parameters, "hub" | "modelId"> &
  ("modelId" extends keyof parameters ? { modelId?: bigint } : unknown);
/** Parameters of the per-request reads and waits; `fromBlock` defaults to the deployment's start block. */
type ForRequest<parameters> = Omit<parameters, "hub" | "fromBlock"> & { fromBlock?: bigint };

/**
 * A client bound to one deployment: every action of the SDK with the hub, default model and start block
 * filled in. The actions are also exported standalone (`request(clients, { hub, ... })`) in viem's style.
 * The chain the public client is on must be the deployment's (checked on first use).
 */
export function createOpgClient(config: OpgClientConfig) {
  const deployment =
    typeof config.deployment.startBlock === "bigint"
      ? (config.deployment as OpgDeployment)
      : parseDeployment(config.deployment);
  const { publicClient, walletClient } = config;
  const { hub, startBlock } = deployment;
  let chainChecked: Promise<void> | undefined;
  const checkChain = () => {
    chainChecked ??= publicClient.getChainId().then((chainId) => {
      if (chainId !== deployment.chainId) {
        chainChecked = undefined;
        throw new OpgError(`the client is on chain ${chainId}, the deployment on chain ${deployment.chainId}`, {
          details: "connect the clients to the deployment's chain, or load that chain's deployment JSON",
        });
      }
    });
    return chainChecked;
  };
  const wallet = (): SdkClients => {
    if (!walletClient) throw new OpgError("this action sends a transaction: pass a walletClient to createOpgClient");
    return { publicClient, walletClient };
  };
  const modelOf = (modelId: bigint | undefined) => {
    const id = modelId ?? deployment.models[0]?.modelId;
    if (id === undefined) throw new OpgError("the deployment lists no model: pass modelId");
    return id;
  };
  const forRequest = <p extends { requestId: Hex; fromBlock?: bigint }>(p: p) => ({
    ...p,
    hub,
    fromBlock: p.fromBlock ?? startBlock,
  });

  return {
    deployment,
    publicClient,
    walletClient,
    /** `quote` for a model of this deployment (default its first). */
    async quote(p: { modelId?: bigint; callbackGasLimit?: number; callbackFlags?: number } = {}) {
      await checkChain();
      return quote(publicClient, { ...p, hub, modelId: modelOf(p.modelId) });
    },
    /** `request` from the wallet's account. */
    async request(p: WithHub<RequestParameters>) {
      await checkChain();
      return request(wallet(), { ...p, hub, modelId: modelOf(p.modelId) });
    },
    /** `approve` the hub for `amount` OPG. */
    async approve(p: { amount: bigint }) {
      await checkChain();
      return approve(wallet(), { hub, token: deployment.token, amount: p.amount });
    },
    /** `getInference`: status, deadlines, node, output. */
    async getInference(p: { requestId: Hex; fromBlock?: bigint; blockNumber?: bigint }) {
      await checkChain();
      return getInference(publicClient, forRequest(p));
    },
    /** `waitForCommitment`: the optimistic result. */
    async waitForCommitment(p: ForRequest<WaitForInferenceParameters>) {
      await checkChain();
      return waitForCommitment(publicClient, forRequest(p));
    },
    /** `waitForSettlement`: the proven result. */
    async waitForSettlement(p: ForRequest<WaitForInferenceParameters>) {
      await checkChain();
      return waitForSettlement(publicClient, forRequest(p));
    },
    /** `watchInferences` on this hub. */
    watchInferences(p: Omit<WatchInferencesParameters, "hub">) {
      return watchInferences(publicClient, { ...p, hub });
    },
    /** `refund` an uncommitted request past its commit deadline. */
    async refund(p: { requestId: Hex; fromBlock?: bigint }) {
      await checkChain();
      return refund(wallet(), forRequest(p));
    },
    /** `slash` an unproven commitment past its proof deadline. */
    async slash(p: { requestId: Hex; fromBlock?: bigint }) {
      await checkChain();
      return slash(wallet(), forRequest(p));
    },
  };
}

/** The client `createOpgClient` returns. */
export type OpgClient = ReturnType<typeof createOpgClient>;
