import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** Slow model-compiler checks (`npm run test:zkml:slow`): large reference circuits, minutes each. */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../../..", import.meta.url)),
    include: ["test/ts/zkml/**/*.slow.test.ts"],
    testTimeout: 1_800_000,
    hookTimeout: 1_800_000,
    fileParallelism: false,
  },
});
