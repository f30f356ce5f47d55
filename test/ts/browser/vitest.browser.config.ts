import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * `npm run test:browser`: the tests that drive headless chromium (Debian's `chromium` package) against
 * a relayer on a real `hardhat node`. Kept out of `npm test` so the default suite does not need a browser;
 * `.ci/run` installs chromium and runs this too.
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../../..", import.meta.url)),
    include: ["test/ts/**/*.browser.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
