import type { Command } from "commander";
import { releaseProverThreads } from "../zkml/index.ts";
import { loadConfig } from "./common/config.ts";
import { createLogger, type Logger } from "./common/logger.ts";
import { runDemo } from "./dev/demo.ts";
import { startEmbedded } from "./dev/embedded.ts";
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

/** Adds `opg relayer start` and `opg demo`. */
export function registerRelayerCommands(program: Command): void {
  const relayer = program.command("relayer").description("run an inference node: watch, infer, commit, prove, settle");
  relayer
    .command("start")
    .description("start the relayer (with no RPC URL configured: a local hardhat node with the demo model)")
    .option("-c, --config <file>", "JSON config file (env: OPG_RPC_URLS, OPG_PRIVATE_KEY, OPG_HUB, … override it)")
    .option("--dry-run", "do everything but send transactions")
    .option("--metrics-port <port>", "port for /metrics, /healthz and the status page on 127.0.0.1 (default 9464)")
    .action(async (opts: { config?: string; dryRun?: boolean; metricsPort?: string }) => {
      const overrides: Record<string, unknown> = {};
      if (opts.dryRun) overrides.dryRun = true;
      if (opts.metricsPort !== undefined) overrides.metrics = { port: Number(opts.metricsPort) };
      let config = loadConfig({ file: opts.config, overrides });
      const log = createLogger(config.logLevel);
      let stopChain: (() => Promise<void>) | undefined;
      if (config.rpcUrls.length === 0) {
        const embedded = await startEmbedded(config, log);
        config = embedded.config;
        stopChain = embedded.chain.stop;
        console.error(
          `local chain ${embedded.deployment.rpcUrl} · hub ${embedded.deployment.hub} · model ${embedded.deployment.modelId}\n` +
            "send demo requests from another terminal with: npx opg demo",
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
    .action(async (opts: { count: string; dataDir: string }) => {
      const count = Number(opts.count);
      if (!Number.isInteger(count) || count < 1)
        throw new Error(`--count must be a positive integer, got ${opts.count}`);
      const config = loadConfig({ overrides: { dataDir: opts.dataDir } });
      await runDemo({ dataDir: config.dataDir, count, print: (line) => console.log(line) });
      await releaseProverThreads();
    });
}
