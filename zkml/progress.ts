import pino, { type Logger } from "pino";
import { zkmlConfig } from "./config.ts";

/** Interval of "still working" lines for long steps at a terminal. */
const TICK_MS = 15_000;

/** Reports long steps: a human line per step at a terminal, structured pino events otherwise. */
export interface Progress {
  /** Starts a named step; returns a function that marks it done. */
  step(name: string, detail?: Record<string, unknown>): () => void;
  /** A result worth showing: a human line at a terminal, a structured event otherwise. */
  note(message: string, fields?: Record<string, unknown>): void;
  /** Structured logger. */
  logger: Logger;
  /** Logger handed to snarkjs (debug/info/warn/error); warnings only at a terminal. */
  toolLogger: Logger;
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
  const human = tty && !opts.quiet;
  return {
    logger,
    toolLogger: human ? logger.child({}, { level: "warn" }) : logger,
    note(message, fields = {}) {
      if (human) process.stderr.write(`    ${message}\n`);
      else logger.info(fields, message);
    },
    step(name, detail = {}) {
      const started = Date.now();
      index++;
      if (human) process.stderr.write(`[${index}] ${name} …\n`);
      else logger.info({ step: name, ...detail }, "step started");
      // At a terminal, long steps (ptau generation, setup) say they are alive.
      const ticker = human
        ? setInterval(() => process.stderr.write(`    … ${((Date.now() - started) / 1000).toFixed(0)} s\n`), TICK_MS)
        : undefined;
      ticker?.unref();
      return () => {
        clearInterval(ticker);
        const ms = Date.now() - started;
        if (human) process.stderr.write(`    ✓ ${name} (${(ms / 1000).toFixed(1)} s)\n`);
        else logger.info({ step: name, ms }, "step done");
      };
    },
  };
}
