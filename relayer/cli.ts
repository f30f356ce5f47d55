import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parseDeployment } from "../sdk/deployment.ts";
import { releaseProverThreads } from "../zkml/index.ts";
import { loadConfig } from "./common/config.ts";
import { RelayerError } from "./common/errors.ts";
import { createLogger, type Logger } from "./common/logger.ts";
import { preflight } from "./common/preflight.ts";
import { runDemo } from "./dev/demo.ts";
import { embeddedDir, startEmbedded } from "./dev/embedded.ts";
import { runTeeDemo } from "./dev/teeDemo.ts";
import { startRelayer } from "./relayer.ts";

/** Exit code after a second SIGINT/SIGTERM cut the drain short (128 + SIGINT, as shells report it). */
const EXIT_ON_SECOND_SIGNAL = 130;
/** After a clean stop nothing should keep the process alive; past this, it exits anyway and says what held it. */
const EXIT_GRACE_MS = 5_000;

/**
 * A stopped relayer has released every handle, so the process exits by itself. Should a dependency
 * leak one, exit anyway (an operator's supervisor must not have to SIGKILL) and name what was left.
 */
function warnIfHandlesRemain(log: Logger): void {
  setTimeout(() => {
    log.warn({ resources: process.getActiveResourcesInfo() }, "handles left open after shutdown: exiting anyway");
    process.exit(process.exitCode ?? 0);
  }, EXIT_GRACE_MS).unref();
}

type RelayerStartOptions = {
  config?: string;
  dryRun?: boolean;
  metricsPort?: string;
  chainPort?: string;
  deployment?: string;
};

/** The hub and start block of a deployment JSON, as relayer config overrides. */
function readDeploymentOverrides(file: string): { hub: string; startBlock: string } {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new RelayerError(`cannot read deployment ${file}`, { details: "deploy first: npm run deploy", cause });
  }
  const { hub, startBlock } = parseDeployment(json);
  return { hub, startBlock: startBlock.toString() };
}

/** Adds `opg relayer start` and `opg demo`. */
export function registerRelayerCommands(program: Command): void {
  const relayer = program.command("relayer").description("run an inference node: watch, infer, commit, prove, settle");
  relayer
    .command("start")
    .description("start the relayer (with no RPC URL configured: a local hardhat node with the demo model)")
    .option("-c, --config <file>", "JSON config file (env: OPG_RPC_URLS, OPG_PRIVATE_KEY, OPG_HUB, … override it)")
    .option("--dry-run", "do everything but send transactions")
    .option("--metrics-port <port>", "port for /metrics, /healthz and the status page on 127.0.0.1 (default 9464)")
    .option("--deployment <file>", "deployment JSON (npm run deploy): sets the hub and the start block")
    .option("--chain-port <port>", "port of the local chain started when no RPC URL is configured (default 8545)")
    .action(async (opts: RelayerStartOptions) => {
      const overrides: Record<string, unknown> = {};
      if (opts.deployment) Object.assign(overrides, readDeploymentOverrides(opts.deployment));
      if (opts.dryRun) overrides.dryRun = true;
      if (opts.metricsPort !== undefined) overrides.metrics = { port: Number(opts.metricsPort) };
      let config = loadConfig({ file: opts.config, overrides });
      await preflight(config);
      const log = createLogger(config.logLevel);
      let stopChain: (() => Promise<void>) | undefined;
      if (config.rpcUrls.length === 0) {
        const port = opts.chainPort === undefined ? undefined : Number(opts.chainPort);
        const dataDir = config.dataDir;
        const embedded = await startEmbedded(config, log, { port });
        config = embedded.config;
        stopChain = embedded.chain.stop;
        console.error(
          `local chain ${embedded.deployment.rpcUrl} · hub ${embedded.deployment.hub} · model ${embedded.deployment.modelId}\n` +
            `deployment ${embeddedDir(dataDir)}/deployment.json\n` +
            "send demo requests from another terminal with: npx opg demo (ZK) or npx opg demo --tee (TEE)",
        );
      }
      const node = await startRelayer(config, log);
      const shutdown = (signal: NodeJS.Signals) => {
        log.info({ signal }, "shutting down: draining in-flight work (send the signal again to exit at once)");
        process.once(signal, () => {
          log.warn({ signal }, "second signal: exiting without draining");
          process.exit(EXIT_ON_SECOND_SIGNAL);
        });
        void node.stop();
      };
      process.once("SIGTERM", shutdown);
      process.once("SIGINT", shutdown);
      await node.done;
      await node.stop();
      await stopChain?.();
      warnIfHandlesRemain(log);
    });

  program
    .command("demo")
    .description("send demo requests to the local relayer started by `opg relayer start` and print what they cost")
    .option("-n, --count <n>", "number of requests", "3")
    .option("--data-dir <dir>", "the relayer's data directory", ".opg/relayer")
    .option("--tee", "the OCR text-direction classifier in TEE mode (inputs by reference, one commitAndSettle each)")
    .action(async (opts: { count: string; dataDir: string; tee?: boolean }) => {
      const count = Number(opts.count);
      if (!Number.isInteger(count) || count < 1)
        throw new Error(`--count must be a positive integer, got ${opts.count}`);
      const config = loadConfig({ overrides: { dataDir: opts.dataDir } });
      if (opts.tee) {
        await runTeeDemo({ dataDir: config.dataDir, count, print: (line) => console.log(line) });
        return;
      }
      await runDemo({ dataDir: config.dataDir, count, print: (line) => console.log(line) });
      await releaseProverThreads();
    });
}
