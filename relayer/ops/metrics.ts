import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** Latency buckets in seconds: sub-second commits up to multi-minute proofs. */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600];

/** Items per transaction: powers of two up to the largest configurable batch. */
const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/** The relayer's Prometheus metrics, in a registry of their own. */
export function createMetrics() {
  const registry = new Registry();
  const metrics = {
    registry,
    jobs: new Gauge({ name: "opg_relayer_jobs", help: "Jobs by state", labelNames: ["state"], registers: [registry] }),
    requestToCommit: new Histogram({
      name: "opg_relayer_request_to_commit_seconds",
      help: "From seeing a request to its commitment being sent",
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    commitToSettle: new Histogram({
      name: "opg_relayer_commit_to_settle_seconds",
      help: "From commitment sent to settlement mined",
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    proving: new Histogram({
      name: "opg_relayer_proving_seconds",
      help: "Groth16 proving time",
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    gasUsed: new Counter({
      name: "opg_relayer_gas_used_total",
      help: "Gas used by the relayer's transactions",
      labelNames: ["tx"],
      registers: [registry],
    }),
    earnings: new Counter({
      name: "opg_relayer_earnings_opg_wei_total",
      help: "Model fees credited to this node (OPG wei)",
      registers: [registry],
    }),
    errors: new Counter({
      name: "opg_relayer_errors_total",
      help: "Errors by stage",
      labelNames: ["stage"],
      registers: [registry],
    }),
    stuckJobs: new Gauge({
      name: "opg_relayer_stuck_jobs",
      help: "Open jobs whose last steps kept failing (see /healthz)",
      registers: [registry],
    }),
    declined: new Counter({
      name: "opg_relayer_declined_total",
      help: "Requests declined without a transaction (operator terms, or a model not served), by reason",
      labelNames: ["reason"],
      registers: [registry],
    }),
    txAlerts: new Counter({
      name: "opg_relayer_tx_alerts_total",
      help: "Transaction problems: estimateFailed, feeCapReached, stuck, cancelling, replaceFailed",
      labelNames: ["kind"],
      registers: [registry],
    }),
    deferred: new Counter({
      name: "opg_relayer_deferred_total",
      help: "Job steps postponed without a transaction (e.g. base fee above the operator's cap), by reason",
      labelNames: ["reason"],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: "opg_relayer_batch_size",
      help: "Items per commit or settle transaction (1: a plain commit/settle)",
      labelNames: ["op"],
      buckets: BATCH_SIZE_BUCKETS,
      registers: [registry],
    }),
    teeKeyRefused: new Counter({
      name: "opg_relayer_tee_key_refused_total",
      help: "TEE results whose signing key the enclave registry refused (revoked, expired, not approved): signed again",
      registers: [registry],
    }),
    teeParked: new Counter({
      name: "opg_relayer_tee_parked_total",
      help: "TEE jobs parked as failed, by reason (signerKeyInactive: the signer's key stayed refused)",
      labelNames: ["reason"],
      registers: [registry],
    }),
    blockLag: new Gauge({
      name: "opg_relayer_block_lag",
      help: "Chain head minus processed cursor",
      registers: [registry],
    }),
  };
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
