#!/usr/bin/env node
// Entry point of the `opg` CLI (`npx opg …`). Checks the Node version before loading anything
// that needs Node 22, then loads the TypeScript CLI through tsx.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  console.error(
    `opg needs Node >= 22.13, but runs on ${process.version}. Run it as \`npx opg …\` from the project ` +
      "(after `npm run setup`), which puts the project's Node 22 first on PATH.",
  );
  process.exit(1);
}
// The relayer's store uses node:sqlite, stable in use but still flagged experimental on Node 22.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) =>
  String(warning).includes("SQLite is an experimental feature")
    ? undefined
    : emitWarning.call(process, warning, ...rest);
const { register } = await import("tsx/esm/api");
register();
const { main } = await import("../cli/opg.ts");
process.exitCode = await main(process.argv);
