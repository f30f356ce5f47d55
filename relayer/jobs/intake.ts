import { toJson } from "../common/codec.ts";
import type { Logger } from "../common/logger.ts";
import type { Metrics } from "../ops/metrics.ts";
import type { Job, Store } from "../store/store.ts";
import type { RequestedLog } from "../sync/watcher.ts";

/**
 * Turns `Requested` logs into jobs for the models this node serves. A request id seen before with a
 * different request (ids come from the hub's nonce, so a reorg can give one id to another request) is
 * a new job: the row is reset, whatever state it was in, by a compare-and-set on the old request, so a
 * step still running for the old request can no longer write into it.
 */
export function createIntake(deps: {
  store: Store;
  servedModels: ReadonlySet<string>;
  log: Logger;
  /** Counts requests for models this node does not serve (`declined_total{reason="modelNotServed"}`). */
  metrics?: Pick<Metrics, "declined">;
}) {
  const { store, log } = deps;

  /**
   * Resets the row of a reused id to the new request (compare-and-set on the old one): `seen` when this
   * node serves it, else `declined`, final, so nothing keeps acting for a request that no longer exists.
   */
  function replace(ev: RequestedLog, known: Job, requestJson: string, served: boolean): void {
    const replaced = store.updateJob(
      ev.requestId,
      {
        modelId: ev.modelId.toString(),
        requestJson,
        requestBlock: Number(ev.blockNumber),
        state: served ? "seen" : "declined",
        outputJson: null,
        proofBytes: null,
        commitTx: null,
        settleTx: null,
        settleGas: null,
        commitGas: null,
        burned: null,
        batchSize: null,
        error: served ? null : "request id reused by a request for a model this node does not serve",
        committedAt: null,
        provedAt: null,
        settledAt: null,
        proveMs: null,
        lastBlock: null,
      },
      { expect: { requestJson: known.requestJson } },
    );
    log.warn({ requestId: ev.requestId, was: known.state, replaced, served }, "request id reused by another request");
  }

  return function onRequested(ev: RequestedLog): boolean {
    const modelId = ev.modelId.toString();
    const requestJson = toJson(ev.request);
    if (!deps.servedModels.has(modelId)) {
      deps.metrics?.declined.inc({ reason: "modelNotServed" });
      log.debug({ requestId: ev.requestId, modelId }, "request ignored: model not served by this node");
      // A reorg can give the id of a request we served to one for a model we do not serve.
      const known = store.getJob(ev.requestId);
      if (known && known.requestJson !== requestJson) replace(ev, known, requestJson, false);
      return false;
    }
    const requestBlock = Number(ev.blockNumber);
    if (store.addJob({ requestId: ev.requestId, modelId, requestJson, requestBlock, state: "seen" })) return true;
    const known = store.getJob(ev.requestId);
    if (!known || known.requestJson === requestJson) return known !== undefined;
    replace(ev, known, requestJson, true);
    return true;
  };
}
