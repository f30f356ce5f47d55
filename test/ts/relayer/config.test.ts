import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../../../relayer/common/config.ts";
import { classifyError, RelayerError } from "../../../relayer/common/errors.ts";
import { withRetry } from "../../../relayer/common/retry.ts";

describe("relayer config", () => {
  it("names every bad field in one error", () => {
    expect(() =>
      parseConfig({ rpcUrls: ["not a url"], hub: "0x1234", finality: { mode: "soon" }, proverConcurrency: 0 }),
    ).toThrow(/rpcUrls\.0[\s\S]*hub[\s\S]*finality\.mode[\s\S]*proverConcurrency/);
  });

  it("requires a key, a hub and a model when an RPC URL is set", () => {
    expect(() => parseConfig({ rpcUrls: ["http://127.0.0.1:1"] })).toThrow(/privateKey[\s\S]*hub[\s\S]*models/);
  });

  it("rejects unknown fields rather than ignoring a typo", () => {
    expect(() => parseConfig({ pollIntervalMS: 5 })).toThrow(/pollIntervalMS/);
  });

  it("applies environment overrides over the file and freezes the result", () => {
    const dir = mkdtempSync(join(tmpdir(), "opg-cfg-"));
    const file = join(dir, "relayer.json");
    writeFileSync(file, JSON.stringify({ pollIntervalMs: 500, executionProvider: "cpu" }));
    const config = loadConfig({ file, env: { OPG_EXECUTION_PROVIDER: "cuda", OPG_METRICS_PORT: "9999" } });
    expect(config.executionProvider).toBe("cuda");
    expect(config.pollIntervalMs).toBe(500);
    expect(config.metrics.port).toBe(9999);
    expect(config.rpcUrls).toEqual([]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("takes an optional http(s) block explorer URL without credentials, trailing slash dropped", () => {
    expect(parseConfig({}).explorerUrl).toBeUndefined();
    expect(parseConfig({ explorerUrl: "https://sepolia.etherscan.io/" }).explorerUrl).toBe(
      "https://sepolia.etherscan.io",
    );
    expect(() => parseConfig({ explorerUrl: "javascript:alert(1)" })).toThrow(/explorerUrl: must be an http\(s\) URL/);
    expect(() => parseConfig({ explorerUrl: "https://user:pw@x.example" })).toThrow(/explorerUrl: must not contain/);
    expect(() => parseConfig({ explorerUrl: "explorer" })).toThrow(/explorerUrl/);
  });

  it("takes the TEE content store's public base URL and bounds, with defaults", () => {
    const { contentStore } = parseConfig({}).tee;
    expect(contentStore).toEqual({ retentionMs: 30 * 24 * 60 * 60 * 1000, maxBytes: 1024 ** 3 });
    const set = parseConfig({ tee: { contentStore: { publicBaseUrl: "https://node.example/opg/" } } });
    expect(set.tee.contentStore.publicBaseUrl).toBe("https://node.example/opg");
    expect(() => parseConfig({ tee: { contentStore: { publicBaseUrl: "ftp://node.example" } } })).toThrow(
      /tee\.contentStore\.publicBaseUrl: must be an http\(s\) URL/,
    );
    expect(() => parseConfig({ tee: { contentStore: { publicBaseUrl: "https://node.example/?a=1" } } })).toThrow(
      /tee\.contentStore\.publicBaseUrl: must not have a query/,
    );
  });

  it("reports an unreadable or invalid file by name", () => {
    expect(() => loadConfig({ file: "/nonexistent/relayer.json", env: {} })).toThrow(/cannot read config file/);
    const dir = mkdtempSync(join(tmpdir(), "opg-cfg-"));
    writeFileSync(join(dir, "bad.json"), "{ nope");
    expect(() => loadConfig({ file: join(dir, "bad.json"), env: {} })).toThrow(/not valid JSON/);
  });
});

describe("retry policy", () => {
  it("retries retryable errors a bounded number of times", async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new RelayerError("flaky", { retryable: true });
        },
        { maxAttempts: 4, baseDelayMs: 1 },
      ),
    ).rejects.toThrow(/flaky/);
    expect(calls).toBe(4);
  });

  it("never retries a non-retryable error", async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw new RelayerError("reverted", { retryable: false });
      }),
    ).rejects.toThrow(/reverted/);
    expect(calls).toBe(1);
  });

  it("classifies connection failures as retryable", () => {
    expect(classifyError(new Error("fetch failed: ECONNREFUSED")).retryable).toBe(true);
    expect(classifyError(new Error("invalid argument")).retryable).toBe(false);
  });
});
