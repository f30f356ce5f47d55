import pino from "pino";

/** Structured logger (pino): JSON lines, one `module` binding per component. */
export type Logger = pino.Logger;

/** Creates the root logger; at a terminal the JSON is still one line per event (pipe to pino-pretty if wanted). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: "opg-relayer" }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
