import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/** Repository root (zkml/ lives directly under it). */
const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

const ConfigSchema = z.object({
  OPG_CACHE_DIR: z.string().min(1).optional(),
  OPG_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

/** Model-compiler settings read from the environment, once. */
export interface ZkmlConfig {
  /** Root of caches; dev ptau files live in `<cacheDir>/ptau`. */
  cacheDir: string;
  logLevel: string;
  /** circom2 (WebAssembly circom) entry point. */
  circomBin: string;
  repoRoot: string;
}

let cached: ZkmlConfig | undefined;

/** Parses the environment once into a frozen config. The only place the compiler reads `process.env`. */
export function zkmlConfig(): ZkmlConfig {
  if (cached) return cached;
  const env = ConfigSchema.parse(process.env);
  cached = Object.freeze({
    cacheDir: resolve(env.OPG_CACHE_DIR ?? resolve(REPO_ROOT, ".opg/cache")),
    logLevel: env.OPG_LOG_LEVEL,
    circomBin: resolve(REPO_ROOT, "node_modules/circom2/cli.js"),
    repoRoot: REPO_ROOT,
  });
  return cached;
}
