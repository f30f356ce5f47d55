import pino, { type Logger } from "pino";
import { zkmlConfig } from "./config.ts";

/** Reports long steps: a human line per step at a terminal, structured pino events otherwise. */
export interface Progress {
  /** Starts a named step; returns a function that marks it done. */
  step(name: string, detail?: Record<string, unknown>): () => void;
  /** Structured logger (snarkjs-compatible: debug/info/warn/error). */
  logger: Logger;
}

/** Creates the compiler's logger (pino on stderr, module binding `zkml`). */
export function createZkmlLogger(): Logger {
  return pino({ level: zkmlConfig().logLevel, base: { module: "zkml" } }, pino.destination(2));
}

/**
 * Creates a progress reporter. `tty` defaults to whether stderr is a terminal; `quiet` silences
 * the human lines (library use).
 */
export function createProgress(opts: { logger?: Logger; tty?: boolean; quiet?: boolean } = {}): Progress {
  const logger = opts.logger ?? createZkmlLogger();
  const tty = opts.tty ?? process.stderr.isTTY === true;
  let index = 0;
  return {
    logger,
    step(name, detail = {}) {
      const started = Date.now();
      index++;
      if (tty && !opts.quiet) process.stderr.write(`[${index}] ${name} …\n`);
      else logger.info({ step: name, ...detail }, "step started");
      return () => {
        const ms = Date.now() - started;
        if (tty && !opts.quiet) process.stderr.write(`    ✓ ${name} (${(ms / 1000).toFixed(1)} s)\n`);
        else logger.info({ step: name, ms }, "step done");
      };
    },
  };
}
