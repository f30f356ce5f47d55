import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";

/** Debian's package (`apt-get install -y chromium`): the only browser the tests use; none is downloaded. */
export const CHROMIUM_PACKAGE = "chromium";
/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/**
 * Flags for a closed network: no GPU, no QUIC, no first-run, background, component-update or sync
 * traffic (each would try to reach Google and stall or log errors on a machine without internet).
 */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Whether browser tests run here: true with chromium installed; false without it outside CI (the test
 * is skipped, with a message naming the package); throws in CI (CI=true), where a skip would hide it.
 */
export function chromiumAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const hint = `${CHROMIUM_PATH} not found: install Debian's package (apt-get install -y ${CHROMIUM_PACKAGE})`;
  if (env.CI === "true") throw new Error(`browser tests must run in CI: ${hint}`);
  console.warn(`skipping browser tests: ${hint}`);
  return false;
}

/** Launches headless chromium over the DevTools protocol with a fresh profile; `close()` removes it. */
export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), "opg-chromium-"));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, `--user-data-dir=${profile}`],
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
