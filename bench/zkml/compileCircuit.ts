import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, relative, resolve } from "node:path";

/** Result of one circom2 run. */
export interface CircomRun {
  readonly r1csPath: string;
  readonly wasmPath: string;
  readonly seconds: number;
  /** Peak resident memory of the compiler process in MiB (from `/usr/bin/time`), when available. */
  readonly peakRssMiB?: number;
}

const require = createRequire(import.meta.url);
/** circomlib's folder, added to circom's include path so `circomlib/circuits/...` resolves. */
const NODE_MODULES = dirname(dirname(require.resolve("circomlib/package.json")));
/** GNU time reports the child's peak RSS; it is optional (absent on some hosts). */
const GNU_TIME = "/usr/bin/time";

/**
 * Compiles `circuitPath` with circom2 (WebAssembly build of circom) to R1CS + WASM witness
 * generator, `--O2` unless told otherwise, into `outDir`, timing it and measuring the compiler's peak memory. Both paths
 * must lie under the directory holding `node_modules`.
 */
export async function compileCircuit(
  circuitPath: string,
  outDir: string,
  opts: { useTime?: boolean; optimization?: "--O1" | "--O2" } = {},
): Promise<CircomRun> {
  mkdirSync(outDir, { recursive: true });
  const circom = join(NODE_MODULES, ".bin", "circom2");
  // circom2 (WASI) resolves paths only below its working directory: run it from the directory that
  // holds node_modules (the repository), so the circuit and its output must live under it too.
  const cwd = dirname(NODE_MODULES);
  const below = (path: string): string => {
    const rel = relative(cwd, resolve(path));
    if (rel.startsWith("..")) throw new Error(`circom2 can only reach files under ${cwd}; got ${path}`);
    return rel || ".";
  };
  const circomArgs = [
    below(circuitPath),
    "--r1cs",
    "--wasm",
    opts.optimization ?? "--O2",
    "-l",
    "node_modules",
    "-o",
    below(outDir),
  ];
  const useTime = opts.useTime ?? true;
  const [cmd, args] = useTime ? [GNU_TIME, ["-f", "PEAK_RSS_KB=%M", circom, ...circomArgs]] : [circom, circomArgs];
  const started = performance.now();
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (d) => (text += d));
    child.stderr.on("data", (d) => (text += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(text) : reject(new Error(`circom2 failed (${code}):\n${text}`))));
  });
  const seconds = (performance.now() - started) / 1000;
  const name = basename(circuitPath, ".circom");
  const peak = /PEAK_RSS_KB=(\d+)/.exec(output);
  return {
    r1csPath: join(outDir, `${name}.r1cs`),
    wasmPath: join(outDir, `${name}_js`, `${name}.wasm`),
    seconds,
    ...(peak ? { peakRssMiB: Number(peak[1]) / 1024 } : {}),
  };
}
