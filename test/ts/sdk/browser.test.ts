import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..", "..");
/** Packages a browser cannot load (native, WebAssembly provers, Node-only), besides `node:` built-ins. */
const FORBIDDEN = /^(onnxruntime-node|snarkjs|circom2|pino|prom-client|hardhat|@nomicfoundation\/.*)$/;
/** Node's built-in modules, with or without the `node:` prefix. */
const NODE_BUILTINS =
  /^(node:.*|fs|path|os|crypto|child_process|net|http|https|url|util|stream|module|worker_threads)(\/.*)?$/;

describe("the SDK's import graph loads in a browser", () => {
  it("bundles for platform browser with no Node built-in and no native or prover package", async () => {
    const offending: string[] = [];
    const result = await build({
      entryPoints: [join(ROOT, "sdk", "index.ts")],
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      metafile: true,
      logLevel: "silent",
      plugins: [
        {
          name: "forbid-node",
          setup(b) {
            b.onResolve({ filter: /.*/ }, (args) => {
              if (NODE_BUILTINS.test(args.path) || FORBIDDEN.test(args.path)) {
                offending.push(`${args.path} (imported by ${args.importer.replace(ROOT, "")})`);
                return { path: args.path, external: true };
              }
              return undefined;
            });
          },
        },
      ],
    });
    expect(offending).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    // The graph reaches the compiler's browser-safe encoding, nothing else of zkml/ or the relayer.
    expect(inputs.filter((f) => f.startsWith("zkml/")).sort()).toEqual([
      "zkml/argmax.ts",
      "zkml/codec.ts",
      "zkml/compiler/quantize.ts",
      "zkml/errors.ts",
      "zkml/packing.ts",
    ]);
    expect(inputs.some((f) => f.startsWith("relayer/") || f.startsWith("deploy/"))).toBe(false);
  });
});
