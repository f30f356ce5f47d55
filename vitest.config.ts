import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/ts/**/*.test.ts", "{cli,relayer,zkml,sdk}/**/*.test.ts"],
    exclude: ["**/node_modules/**", "test/ts/**/*.slow.test.ts", "test/ts/**/*.browser.test.ts"],
    // Integration tests start real chains and provers on a 2-core machine: generous, not flaky.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // One file at a time: tests bind ports and share cached circuit artifacts.
    fileParallelism: false,
    reporters: process.env.CI ? ["default"] : ["default"],
  },
});
