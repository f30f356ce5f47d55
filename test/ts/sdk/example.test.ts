import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../../relayer/dev/localChain.ts";
import { waitFor } from "../relayer/harness.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const tsx = (script: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 240_000,
  });
const opg = (args: string[], env: NodeJS.ProcessEnv = {}) => tsx("bin/opg.mjs", args, env);

/** No stack trace: the CLI's failures are one `opg: …` line (plus nothing else on stderr). */
function expectOneLine(res: ReturnType<typeof opg>, ...fragments: string[]) {
  expect(res.status).toBe(1);
  const lines = res.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).not.toMatch(/^\s+at /);
  for (const f of fragments) expect(lines[0]).toContain(f);
}

describe("npm run example:sdk against `opg relayer start`", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "opg-example-"));
  let relayer: ChildProcess;
  let stderr = "";

  beforeAll(async () => {
    const chainPort = await freePort();
    relayer = spawn(
      process.execPath,
      ["bin/opg.mjs", "relayer", "start", "--chain-port", String(chainPort), "--metrics-port", "0"],
      {
        cwd: ROOT,
        env: { ...process.env, OPG_DATA_DIR: dataDir, OPG_LOG_LEVEL: "warn", OPG_EXECUTION_PROVIDER: "cpu" },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    relayer.stderr?.on("data", (d) => {
      stderr += d;
    });
    // The banner comes after the deployment is written; the relayer is polling a moment later.
    await waitFor(() => stderr.includes("npx opg demo") || relayer.exitCode !== null, 280_000, "the local relayer");
    expect(relayer.exitCode, stderr).toBeNull();
  });

  afterAll(async () => {
    if (relayer && relayer.exitCode === null) {
      const exited = new Promise((r) => relayer.once("exit", r));
      relayer.kill("SIGTERM");
      await exited;
    }
  });

  it("quotes, requests, prints each status and the decoded output, and ends settled", () => {
    const res = tsx("examples/sdkRequest.ts", ["--data-dir", dataDir]);
    expect(res.status, res.stderr).toBe(0);
    const out = res.stdout;
    expect(out).toMatch(/quote: model fee 2\.0? ?OPG|quote: model fee 2 OPG/);
    expect(out).toContain("paid by permit");
    expect(out).toMatch(/status: requested[\s\S]*status: committed[\s\S]*status: settled/);
    expect(out).toMatch(/committed by 0x[0-9a-fA-F]{40}: risk (low|medium|high) \(provisional/);
    expect(out).toMatch(/costs: fee .* OPG to the node, .* OPG burned; gas: request \d+, settle \d+/);
    expect(out.trim().split("\n").at(-1)).toMatch(/^settled: 0x[0-9a-f]{64} → (low|medium|high) risk/);
  });

  it("the ethers example does the same with the TypeChain contracts", () => {
    const res = tsx("examples/ethersRequest.ts", ["--data-dir", dataDir]);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout.trim().split("\n").at(-1)).toMatch(/^settled: 0x[0-9a-f]{64} → (low|medium|high) risk/);
  });

  it("a second `opg relayer start` on the taken chain port fails in one line naming --chain-port", () => {
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(stderr)?.[1]);
    const res = opg(["relayer", "start", "--chain-port", String(port)], {
      OPG_DATA_DIR: mkdtempSync(join(tmpdir(), "opg-")),
    });
    expectOneLine(res, `port ${port} is already in use`, "--chain-port");
  });
});

describe("CLI failures are one line naming the fix", () => {
  let busy: Server;
  let busyPort: number;

  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => busy.close(() => r())));

  it("no local deployment: opg demo and the example say how to start one", () => {
    const empty = mkdtempSync(join(tmpdir(), "opg-"));
    expectOneLine(opg(["demo", "--data-dir", empty]), "no local deployment", "npx opg relayer start");
    const example = tsx("examples/sdkRequest.ts", ["--data-dir", empty]);
    expect(example.status).toBe(1);
    expect(example.stderr.trim()).toMatch(
      /^example:sdk: no local deployment at .*: start one first: npx opg relayer start$/,
    );
  });

  it("an RPC that does not answer, and a model directory that is missing", () => {
    const dir = mkdtempSync(join(tmpdir(), "opg-"));
    const config = (models: unknown[]) => {
      const file = join(dir, `config-${models.length}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          rpcUrls: [`http://127.0.0.1:${busyPort}`],
          hub: "0x0000000000000000000000000000000000000001",
          models,
          dataDir: dir,
        }),
      );
      return file;
    };
    const key = { OPG_PRIVATE_KEY: `0x${"11".repeat(32)}` };
    // preflight only looks for the manifest; the RPC check comes after it.
    const compiled = join(dir, "compiled");
    mkdirSync(compiled);
    writeFileSync(join(compiled, "manifest.json"), "{}");
    expectOneLine(
      opg(["relayer", "start", "--config", config([{ modelId: "1", dir: compiled }])], key),
      "no RPC answers",
      "rpcUrls",
    );
    const missing = join(dir, "no-such-model");
    expect(existsSync(missing)).toBe(false);
    expectOneLine(
      opg(["relayer", "start", "--config", config([{ modelId: "1", dir: missing }])], key),
      `directory ${missing} does not exist`,
      "npx opg model compile",
    );
  });
});
