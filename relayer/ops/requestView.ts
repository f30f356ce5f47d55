import type { HubRequest } from "../../abi/index.ts";
import { fromJson } from "../common/codec.ts";
import { type Job, OPEN_STATES } from "../store/store.ts";

/** How a request ended for this node; null while the node still has work to do on it. */
export type RequestOutcome =
  | "settled"
  | "refunded"
  | "slashed"
  | "declined"
  | "rejected"
  | "lost"
  | "expired"
  | "failed"
  | "simulated"
  | null;

/** One step of a request's lifecycle. Times in ms since the epoch; amounts and gas as decimal strings. */
export type StepView = {
  step: "requested" | "committed" | "proved" | "settled";
  /** When this node saw (requested), sent (committed), finished proving, or saw mined (settled); null if not (yet). */
  at: number | null;
  /** The step's transaction, and its page on the configured block explorer. */
  tx?: string | null;
  txUrl?: string | null;
  /** Gas used by the step's transaction. */
  gas?: string | null;
  /** Block of the request's log (requested). */
  block?: number;
  /** Proving time (proved). */
  ms?: number | null;
  /** Proofs settled in the same transaction (settled): 1 unless the store records a batch. */
  batchSize?: number;
};

/** A request as the status page and `/api/requests/<id>` show it. */
export type RequestView = {
  requestId: string;
  modelId: string;
  /** The job's state in the store (see docs/relayer-jobs.md). */
  state: string;
  outcome: RequestOutcome;
  /** Why the job ended as it did or what last failed (URLs and secrets redacted). */
  error: string | null;
  /** Fees the requester escrowed (OPG wei): the model and callback fees pay the node, the settlement fee is burned. */
  modelFee: string;
  callbackFee: string;
  settlementFee: string;
  /** OPG wei burned by our settlement, as the hub's `Settled` event reported it; null when not settled by us. */
  burned: string | null;
  /** Proofs settled in this request's settlement transaction (1 unless a batch settlement recorded more). */
  batchSize: number;
  /** From seeing the request to sending the commitment. */
  commitLatencyMs: number | null;
  steps: StepView[];
};

/** Maps a finished job to how it ended; an `expired` row's error says whether it was refunded or slashed. */
function outcomeOf(job: Job): RequestOutcome {
  if (OPEN_STATES.includes(job.state)) return null;
  if (job.state === "expired" && (job.error === "refunded" || job.error === "slashed")) return job.error;
  return job.state as Exclude<RequestOutcome, null>;
}

/** `<explorerUrl>/tx/<hash>`, or null without an explorer or a hash. */
function txLink(explorerUrl: string | undefined, hash: string | null): string | null {
  return explorerUrl && hash ? `${explorerUrl}/tx/${hash}` : null;
}

/** The request's fees from the stored `Request` struct (strings; zeros if the row is unreadable). */
function fees(job: Job): Pick<RequestView, "modelFee" | "callbackFee" | "settlementFee"> {
  try {
    const req = fromJson<HubRequest>(job.requestJson);
    return {
      modelFee: req.modelFee.toString(),
      callbackFee: req.callbackFee.toString(),
      settlementFee: req.settlementFee.toString(),
    };
  } catch {
    return { modelFee: "0", callbackFee: "0", settlementFee: "0" };
  }
}

/**
 * Builds the page's view of one job. Only named fields are copied (never the proof, the output or the
 * raw request), and free text goes through `redact`.
 */
export function requestView(job: Job, opts: { explorerUrl?: string; redact: (text: string) => string }): RequestView {
  const settled = job.state === "settled";
  const batchSize = job.batchSize ?? 1;
  return {
    requestId: job.requestId,
    modelId: job.modelId,
    state: job.state,
    outcome: outcomeOf(job),
    error: job.error === null ? null : opts.redact(job.error),
    ...fees(job),
    burned: settled ? job.burned : null,
    batchSize,
    commitLatencyMs: job.committedAt === null ? null : job.committedAt - job.seenAt,
    steps: [
      { step: "requested", at: job.seenAt, block: job.requestBlock },
      {
        step: "committed",
        at: job.committedAt,
        tx: job.commitTx,
        txUrl: txLink(opts.explorerUrl, job.commitTx),
        gas: job.commitGas,
      },
      { step: "proved", at: job.provedAt, ms: job.proveMs },
      {
        step: "settled",
        at: settled ? job.settledAt : null,
        tx: job.settleTx,
        txUrl: txLink(opts.explorerUrl, job.settleTx),
        gas: job.settleGas,
        batchSize,
      },
    ],
  };
}
