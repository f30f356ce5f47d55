import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RelayerConfig } from "../../../relayer/common/config.ts";
import type { Relayer } from "../../../relayer/relayer.ts";
import { chromiumAvailable, launchChromium } from "../support/chromium.ts";
import { startTestNetwork, type TestNetwork, waitFor } from "./harness.ts";

/** A fake API key in the RPC URL: hardhat node ignores the path, the page must never show it. */
const RPC_API_KEY = "k3y0fTheRpcProvider";
const EXPLORER = "https://explorer.example";
/** Where the screenshot goes: OPG_SCREENSHOT=docs/status-page.png refreshes the README's picture. */
const SCREENSHOT = process.env.OPG_SCREENSHOT ?? join(tmpdir(), "opg-status-page.png");

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, read by path in assertions
type Json = Record<string, any>;

describe("status page on a real relayer", () => {
  const browserTests = chromiumAvailable();
  let net: TestNetwork;
  let relayer: Relayer;
  let config: RelayerConfig;
  let url: string;
  let settledIds: `0x${string}`[];
  let rejectedId: `0x${string}`;

  const get = async (path: string, init?: RequestInit) => fetch(`${url}${path}`, init);
  const getJson = async (path: string): Promise<Json> => (await get(path)).json() as Promise<Json>;

  beforeAll(async () => {
    net = await startTestNetwork();
    ({ relayer, config } = await net.runRelayer({
      rpcUrls: [`${net.chain.url}/v2/${RPC_API_KEY}?apiKey=${RPC_API_KEY}`],
      explorerUrl: `${EXPLORER}/`,
    }));
    url = relayer.operationsUrl!;
    settledIds = [await net.request([0.25, -0.5, 0.75, 0.1]), await net.request([-0.3, 0.2, 0.9, -0.8])];
    const words = net.model.manifest.publicSignals.input.words;
    rejectedId = await net.requestWords(Array.from({ length: words }, () => 2n ** 252n));
    await waitFor(
      async () => {
        const { jobsByState } = await getJson("/api/status");
        return jobsByState.settled === 2 && jobsByState.rejected === 1;
      },
      120_000,
      "two settlements and one rejection",
    );
  });
  afterAll(async () => {
    await net?.stop();
  });

  it("answers /api/status and /api/requests/<id> from the store and the chain", async () => {
    const status = await getJson("/api/status");
    expect(status.node.address).toBe(relayer.address);
    expect(BigInt(status.node.balances.staked)).toBeGreaterThan(0n);
    expect(status.chain).toMatchObject({ rpcOk: true, rpcHosts: [new URL(net.chain.url).host] });
    expect(status.chain.head).toBeGreaterThan(0);
    expect(status.charts.commitLatencyMs.length).toBeGreaterThanOrEqual(2);

    const [, settlementFee] = await net.publicClient.readContract({
      address: net.deployment.hub,
      abi: net.hubAbi,
      functionName: "quote",
      args: [BigInt(net.deployment.modelId)],
    });
    for (const id of settledIds) {
      const view = await getJson(`/api/requests/${id}`);
      const settle = view.steps.find((s: Json) => s.step === "settled");
      const receipt = await net.publicClient.getTransactionReceipt({ hash: settle.tx });
      expect(view).toMatchObject({ outcome: "settled", batchSize: 1, burned: settlementFee.toString() });
      expect(settle).toMatchObject({ gas: receipt.gasUsed.toString(), txUrl: `${EXPLORER}/tx/${settle.tx}` });
    }
    expect(await getJson(`/api/requests/${rejectedId.toUpperCase().replace("0X", "0x")}`)).toMatchObject({
      outcome: "rejected",
    });
    expect((await get(`/api/requests/0x${"0".repeat(64)}`)).status).toBe(404);
    expect((await get("/api/requests/0x1234")).status).toBe(400);
  });

  it("is read-only, sends security headers, and never shows the key or the RPC URL's secrets", async () => {
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const res = await get("/api/status", { method });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, HEAD");
    }
    const page = await get("/");
    expect(page.headers.get("content-security-policy")).toMatch(/default-src 'none'; script-src 'self'/);
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    const key = config.privateKey!.slice(2).toLowerCase();
    const bodies = [await page.text()];
    for (const path of ["/status.js", "/render.js", "/api/status", `/api/requests/${settledIds[0]}`]) {
      bodies.push(await (await get(path)).text());
    }
    for (const body of bodies) {
      expect(body.toLowerCase()).not.toContain(key);
      expect(body).not.toContain(RPC_API_KEY);
    }
  });

  it.skipIf(!browserTests)("renders jobs, a settled request, charts and a lookup in headless chromium", async () => {
    const chromium = await launchChromium();
    try {
      const page = await chromium.browser.newPage();
      await page.setViewport({ width: 1400, height: 1300 });
      const problems: string[] = [];
      const origins = new Set<string>();
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      page.on("pageerror", (e) => problems.push(String(e)));
      page.on("request", (r) => origins.add(new URL(r.url()).origin));
      await page.goto(url, { waitUntil: "load" });
      await page.waitForFunction("document.body.dataset.loaded !== undefined", { timeout: 10_000 });

      const count = (state: string) =>
        page.$eval(`#jobs-by-state tr[data-state="${state}"] .count`, (e) => e.textContent);
      expect(await count("settled")).toBe("2");
      expect(await count("rejected")).toBe("1");
      // Two model fees of 2 OPG each, credited by the hub and not withdrawn (threshold 0): read from the chain.
      await page.waitForFunction("document.querySelector('#node [data-field=earnings]').textContent === '4 OPG'", {
        timeout: 10_000,
      });
      const row = `#recent tr[data-request-id="${settledIds[0]}"]`;
      const view = await getJson(`/api/requests/${settledIds[0]}`);
      const settle = view.steps.find((s: Json) => s.step === "settled");
      expect(await page.$eval(`${row} .step-settled .gas`, (e) => e.textContent)).toBe(`gas ${settle.gas}`);
      expect(await page.$eval(`${row} .burned`, (e) => e.textContent)).toBe("0.2 OPG");
      expect(await page.$eval(`${row} .step-settled a`, (e) => e.getAttribute("href"))).toBe(settle.txUrl);
      expect(await page.$$eval("#chart-commit-latency circle.point", (c) => c.length)).toBeGreaterThanOrEqual(2);
      const perMinute = await page.$$eval("#chart-settlements rect.point", (r) => r.map((e) => Number(e.dataset.v)));
      expect(perMinute.reduce((a, b) => a + b, 0)).toBe(2);

      await page.type("#lookup-id", settledIds[1]!);
      await page.click("#lookup button");
      await page.waitForSelector("#lookup-result .request-detail");
      const detail = await page.$eval("#lookup-result", (e) => e.textContent ?? "");
      expect(detail).toContain(settledIds[1]);
      expect(detail).toContain("batch of 1");
      expect(await page.$eval("#lookup-result .outcome", (e) => e.textContent)).toBe("settled");

      const html = (await page.content()).toLowerCase();
      expect(html).not.toContain(config.privateKey!.slice(2).toLowerCase());
      expect(html).not.toContain(RPC_API_KEY.toLowerCase());
      expect([...origins]).toEqual([url]);
      expect(problems).toEqual([]);
      await page.screenshot({ path: SCREENSHOT as `${string}.png`, fullPage: true });
    } finally {
      await chromium.close();
    }
  });
});
