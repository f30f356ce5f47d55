import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { RelayerError } from "./errors.ts";

/** Callback gas a node provisions by default: the hub's default governance cap. */
const DEFAULT_MAX_CALLBACK_GAS = 500_000;

/** Reorg window: deeper than any reorg expected past the default finality, small enough to keep cheaply. */
const DEFAULT_REORG_WINDOW_BLOCKS = 256;
/** Finished jobs are kept a week: long enough to inspect recent history, short enough to bound the store. */
const DEFAULT_FINISHED_JOBS_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Default fee cap: 500 gwei, above what L1 and testnet spikes have reached for long, so it only stops a
 * runaway bump loop; operators set their own.
 */
export const DEFAULT_MAX_FEE_PER_GAS = 500_000_000_000n;

/** Commit items per `commitBatch` by default: ~40k gas each, so 64 stay far below any block's limit. */
export const DEFAULT_MAX_COMMIT_ITEMS = 64;
/** Settle items per `settleBatch` by default: 32 × ≤ 340k (loop-fallback verifier) stays under EIP-7825's cap. */
export const DEFAULT_MAX_SETTLE_ITEMS = 32;
/** A commit batch waits this long for a reserved step's item (4× in all at most): latency is what dApps see. */
export const DEFAULT_COMMIT_WAIT_MS = 10;
/** A settle batch waits this long for the next proof (2 s in all at most): the proof window is long. */
export const DEFAULT_SETTLE_WAIT_MS = 500;

const DEFAULT_BATCH = {
  maxCommitItems: DEFAULT_MAX_COMMIT_ITEMS,
  maxSettleItems: DEFAULT_MAX_SETTLE_ITEMS,
  commitWaitMs: DEFAULT_COMMIT_WAIT_MS,
  settleWaitMs: DEFAULT_SETTLE_WAIT_MS,
};

/** Default Prometheus/health port (loopback only unless configured). */
export const DEFAULT_METRICS_PORT = 9464;

const hex = (bytes: number, what: string) =>
  z.string().regex(new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`), `must be a 0x-prefixed ${what}`);

const address = hex(20, "20-byte address");

/** An http(s) base URL: no credentials, no query or fragment; trailing slashes removed (paths are appended). */
const httpBaseUrl = () =>
  z
    .string()
    .url()
    .refine((u) => /^https?:$/.test(URL.parse(u)?.protocol ?? ""), "must be an http(s) URL")
    .refine((u) => !URL.parse(u)?.username && !URL.parse(u)?.password, "must not contain credentials")
    .refine((u) => !URL.parse(u)?.search && !URL.parse(u)?.hash, "must not have a query or a fragment")
    .transform((u) => u.replace(/\/+$/, ""));

const ModelConfig = z.object({
  /** The model's id in the ModelRegistry. */
  modelId: z.coerce.bigint().refine((v) => v >= 0n, "must be ≥ 0"),
  /** A directory written by `opg model compile`. */
  dir: z.string().min(1),
});

/** Who vouches for a TEE model's results (see relayer/tee/teeSigner.ts). */
const TeeSignerConfig = z.discriminatedUnion("kind", [
  /**
   * INSECURE, local chain (31337) only: the relayer holds the "enclave" key (here, or in the environment as
   * OPG_TEE_DEV_SIGNER_KEY) and runs the model itself.
   */
  z.object({ kind: z.literal("dev"), privateKey: hex(32, "32-byte private key").optional() }).strict(),
  /** An enclave reached over HTTP that runs the model and signs (docs/tee-enclave-protocol.md). */
  z.object({ kind: z.literal("remote"), url: z.string().url() }).strict(),
]);

const TeeModelConfig = z
  .object({
    /** The model's id in the ModelRegistry (registered with mode TEE). */
    modelId: z.coerce.bigint().refine((v) => v >= 0n, "must be ≥ 0"),
    /** The TEE manifest whose keccak256 the model registered. */
    manifest: z.string().min(1),
    signer: TeeSignerConfig,
  })
  .strict();

/** How long fetching one referenced input may take (a 110 KB tensor over a slow link, with head-room). */
const DEFAULT_TEE_FETCH_TIMEOUT_MS = 10_000;
/** Published output content is kept 30 days: dApps read a result soon after it settles, and may re-read it later. */
const DEFAULT_CONTENT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
/** At most 1 GiB of published output content (the oldest goes first): bounded disk use on a small node. */
const DEFAULT_CONTENT_MAX_BYTES = 1024 ** 3;

const ContentStoreConfig = z
  .object({
    /**
     * Public base URL of this node's operations server (or a proxy in front of it): a TEE output by reference is
     * published at `<publicBaseUrl>/content/<hash>`, and that URI goes into the signed result words. Required to
     * serve a model with outputs by reference.
     */
    publicBaseUrl: httpBaseUrl().optional(),
    /** How long published content is kept after it was stored. */
    retentionMs: z.number().int().min(60_000).default(DEFAULT_CONTENT_RETENTION_MS),
    /** Total bytes of published content kept (the oldest is removed first). */
    maxBytes: z.number().int().min(1024).default(DEFAULT_CONTENT_MAX_BYTES),
  })
  .strict();
const DEFAULT_CONTENT_STORE = { retentionMs: DEFAULT_CONTENT_RETENTION_MS, maxBytes: DEFAULT_CONTENT_MAX_BYTES };

const ConfigSchema = z
  .object({
    /** JSON-RPC endpoints, tried in order with fallback. Empty: embedded local chain. */
    rpcUrls: z.array(z.string().url()).default([]),
    /**
     * WebSocket endpoint for new-head notifications (`eth_subscribe`), which wake the watcher at once
     * instead of at its next poll. Default: the first RPC URL with its scheme swapped to ws(s), tried
     * once at start; `false` turns subscriptions off. Polling stays the authority either way.
     */
    wsUrl: z.union([z.string().url(), z.literal(false)]).optional(),
    /** The node's key (hex). Read from the environment (OPG_PRIVATE_KEY), never from a committed file. */
    privateKey: hex(32, "32-byte private key").optional(),
    /** InferenceHub address. */
    hub: address.optional(),
    /** First block to scan for requests when the store has no cursor. */
    startBlock: z.coerce.bigint().default(0n),
    models: z.array(ModelConfig).default([]),
    /** TEE-mode models: run with onnxruntime, signed by an enclave, settled by one `commitAndSettle`. */
    teeModels: z.array(TeeModelConfig).default([]),
    /** Key of `dev` TEE signers that give none (from OPG_TEE_DEV_SIGNER_KEY). */
    teeDevSignerKey: hex(32, "32-byte private key").optional(),
    tee: z
      .object({
        /** Whether `file://` input references are read (never on a shared or public node). */
        allowFileUris: z.boolean().default(false),
        /** Whether http(s) input references may name private or loopback addresses (never on a public node). */
        allowPrivateHosts: z.boolean().default(false),
        fetchTimeoutMs: z.number().int().min(100).max(120_000).default(DEFAULT_TEE_FETCH_TIMEOUT_MS),
        /** Where outputs by reference are kept (`<dataDir>/content`) and published (`GET /content/<hash>`). */
        contentStore: ContentStoreConfig.default(DEFAULT_CONTENT_STORE),
      })
      .default({
        allowFileUris: false,
        allowPrivateHosts: false,
        fetchTimeoutMs: DEFAULT_TEE_FETCH_TIMEOUT_MS,
        contentStore: DEFAULT_CONTENT_STORE,
      }),
    finality: z
      .object({
        mode: z.enum(["confirmations", "safe", "finalized"]).default("confirmations"),
        /** Blocks behind the head before a log counts (mode `confirmations`); 0 on instant-finality chains. */
        confirmations: z.number().int().min(0).max(1000).default(2),
        /**
         * Blocks below the cursor whose hashes are kept to find a reorg's fork point. A deeper reorg
         * rewinds by this many blocks only (with a warning).
         */
        reorgWindowBlocks: z.number().int().min(1).max(10_000).default(DEFAULT_REORG_WINDOW_BLOCKS),
      })
      .default({ mode: "confirmations", confirmations: 2, reorgWindowBlocks: DEFAULT_REORG_WINDOW_BLOCKS }),
    pollIntervalMs: z.number().int().min(50).max(60_000).default(1_000),
    /** Blocks per eth_getLogs call. */
    logChunkBlocks: z.number().int().min(1).max(100_000).default(2_000),
    retention: z
      .object({
        /**
         * How long a finished job stays in the store before it is pruned. Keep it well above the time a
         * reorg can reach back: a pruned job is not reopened.
         */
        finishedJobsMs: z.number().int().min(60_000).default(DEFAULT_FINISHED_JOBS_RETENTION_MS),
      })
      .default({ finishedJobsMs: DEFAULT_FINISHED_JOBS_RETENTION_MS }),
    dataDir: z.string().default(".opg/relayer"),
    executionProvider: z.enum(["auto", "cuda", "cpu"]).default("auto"),
    proverConcurrency: z.number().int().min(1).max(64).default(1),
    metrics: z
      .object({
        host: z.string().default("127.0.0.1"),
        port: z.number().int().min(0).max(65_535).default(DEFAULT_METRICS_PORT),
        enabled: z.boolean().default(true),
      })
      .default({ host: "127.0.0.1", port: DEFAULT_METRICS_PORT, enabled: true }),
    gas: z
      .object({
        /** A transaction with no receipt after this long is replaced with higher fees. */
        stuckAfterMs: z.number().int().min(500).default(30_000),
        /**
         * Replacements one send waits through before it returns a retryable "still pending" error; the
         * transaction itself is never given up (it keeps being replaced, up to `maxFeePerGas`).
         */
        maxBumps: z.number().int().min(0).max(20).default(5),
        /** Fee increase per replacement (nodes require ≥ 10–12.5 %). */
        bumpPercent: z.number().int().min(13).max(500).default(25),
        /** Absolute cap on the fee per gas (wei) of any transaction or replacement: the most a spike can cost. */
        maxFeePerGas: z.coerce
          .bigint()
          .refine((v) => v > 0n, "must be > 0")
          .default(DEFAULT_MAX_FEE_PER_GAS),
      })
      .default({ stuckAfterMs: 30_000, maxBumps: 5, bumpPercent: 25, maxFeePerGas: DEFAULT_MAX_FEE_PER_GAS }),
    /**
     * The operator's terms: requests that pay less or ask for more are declined before any
     * transaction is sent (the requester's escrow stays refundable by anyone after the commit window).
     */
    policy: z
      .object({
        /** Smallest model fee (OPG wei) worth serving. */
        minModelFee: z.coerce
          .bigint()
          .refine((v) => v >= 0n, "must be ≥ 0")
          .default(0n),
        /** Largest callback gas limit (per callback) this node will provision. */
        maxCallbackGas: z.number().int().min(0).max(30_000_000).default(DEFAULT_MAX_CALLBACK_GAS),
      })
      .default({ minModelFee: 0n, maxCallbackGas: DEFAULT_MAX_CALLBACK_GAS }),
    /**
     * Transaction batching: commitments of any model go out in one `commitBatch`, settlements of one
     * verifier in one `settleBatch`. A batch is sent once every job that started a commit- or settle-bound
     * step has handed in its item or dropped out, when it is full, or after the wait, whichever is first.
     * `maxCommitItems: 1` / `maxSettleItems: 1` turn batching off for that operation.
     */
    batch: z
      .object({
        maxCommitItems: z.number().int().min(1).max(256).default(DEFAULT_MAX_COMMIT_ITEMS),
        maxSettleItems: z.number().int().min(1).max(128).default(DEFAULT_MAX_SETTLE_ITEMS),
        /**
         * How long a commit batch waits for the next item of a step still running (inference); it is sent
         * after four such waits from its first item at the latest.
         */
        commitWaitMs: z.number().int().min(0).max(1_000).default(DEFAULT_COMMIT_WAIT_MS),
        /** The same for settle batches (steps still proving). */
        settleWaitMs: z.number().int().min(0).max(15_000).default(DEFAULT_SETTLE_WAIT_MS),
      })
      .default(DEFAULT_BATCH),
    /** Withdraw earnings once they reach this many OPG wei (0: never). */
    withdrawThreshold: z.coerce.bigint().default(0n),
    /**
     * A block explorer's base URL (e.g. `https://sepolia.etherscan.io`): the status page links
     * transaction hashes to `<explorerUrl>/tx/<hash>`. Left out: hashes are shown without links.
     */
    explorerUrl: httpBaseUrl().optional(),
    dryRun: z.boolean().default(false),
    logLevel: z.enum(["trace", "debug", "info", "warn", "error", "silent"]).default("info"),
  })
  .strict()
  .superRefine((c, ctx) => {
    for (const [i, m] of c.teeModels.entries()) {
      if (m.signer.kind === "dev" && !m.signer.privateKey && !c.teeDevSignerKey) {
        ctx.addIssue({
          code: "custom",
          path: ["teeModels", i, "signer", "privateKey"],
          message: "a dev signer needs a key (or set OPG_TEE_DEV_SIGNER_KEY)",
        });
      }
    }
    if (c.rpcUrls.length === 0) return;
    if (!c.privateKey)
      ctx.addIssue({ code: "custom", path: ["privateKey"], message: "required with rpcUrls (set OPG_PRIVATE_KEY)" });
    if (!c.hub) ctx.addIssue({ code: "custom", path: ["hub"], message: "required with rpcUrls (set OPG_HUB)" });
    if (c.models.length === 0 && c.teeModels.length === 0)
      ctx.addIssue({ code: "custom", path: ["models"], message: "serve at least one model (models or teeModels)" });
  });

/** The relayer's validated, frozen configuration. */
export type RelayerConfig = Readonly<z.infer<typeof ConfigSchema>>;
/** Input accepted by `parseConfig` (a config file's JSON, before defaults). */
export type RelayerConfigInput = z.input<typeof ConfigSchema>;

/** Environment variables that override the file (the only place the relayer reads `process.env`). */
function envOverrides(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (env.OPG_RPC_URLS)
    o.rpcUrls = env.OPG_RPC_URLS.split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  if (env.OPG_PRIVATE_KEY) o.privateKey = env.OPG_PRIVATE_KEY;
  if (env.OPG_HUB) o.hub = env.OPG_HUB;
  if (env.OPG_DATA_DIR) o.dataDir = env.OPG_DATA_DIR;
  if (env.OPG_EXECUTION_PROVIDER) o.executionProvider = env.OPG_EXECUTION_PROVIDER;
  if (env.OPG_LOG_LEVEL) o.logLevel = env.OPG_LOG_LEVEL;
  if (env.OPG_TEE_DEV_SIGNER_KEY) o.teeDevSignerKey = env.OPG_TEE_DEV_SIGNER_KEY;
  return o;
}

/** Validates raw config; each bad field is named in one error. */
export function parseConfig(raw: unknown): RelayerConfig {
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new RelayerError("invalid relayer config", { details: `\n${lines.join("\n")}` });
  }
  return Object.freeze({ ...parsed.data, dataDir: resolve(parsed.data.dataDir) });
}

/**
 * Loads the config: the JSON file (if given), then environment overrides, then CLI overrides;
 * validated once and frozen.
 */
export function loadConfig(
  opts: { file?: string; env?: NodeJS.ProcessEnv; overrides?: Record<string, unknown> } = {},
): RelayerConfig {
  let fromFile: Record<string, unknown> = {};
  if (opts.file) {
    let text: string;
    try {
      text = readFileSync(opts.file, "utf8");
    } catch (cause) {
      throw new RelayerError(`cannot read config file ${opts.file}`, { cause });
    }
    try {
      fromFile = JSON.parse(text) as Record<string, unknown>;
    } catch (cause) {
      throw new RelayerError(`config file ${opts.file} is not valid JSON`, { details: String(cause), cause });
    }
  }
  const env = envOverrides(opts.env ?? process.env);
  const merged = { ...fromFile, ...env, ...opts.overrides };
  const metricsPort = (opts.env ?? process.env).OPG_METRICS_PORT;
  if (metricsPort) merged.metrics = { ...(merged.metrics as object), port: Number(metricsPort) };
  return parseConfig(merged);
}
