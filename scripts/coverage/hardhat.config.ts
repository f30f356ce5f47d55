import { defineConfig } from "hardhat/config";
import projectConfig from "../../hardhat.config.ts";

/**
 * The project's Hardhat config for `npm run coverage:sol`, with its own artifacts and cache folders:
 * a coverage build compiles instrumented contracts, which must never replace the artifacts that
 * `npm test`, the benches and the relayer deploy. The project root is still the repository (Hardhat
 * takes the closest package.json), so sources, tests and the `coverage/` report stay where they are.
 */
export default defineConfig({
  ...projectConfig,
  paths: {
    ...projectConfig.paths,
    artifacts: "./cache/coverage/artifacts",
    cache: "./cache/coverage/cache",
  },
  coverage: {
    // Test doubles and snarkjs output are not the protocol: the generated verifier is snarkjs' template,
    // exercised by every settlement test, and mocks exist only to drive the hub from tests.
    skipFiles: ["contracts/mocks/**", "contracts/verifiers/generated/**"],
  },
});
