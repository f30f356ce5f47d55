#!/usr/bin/env node
// One-command setup for a fresh clone: `npm run setup`.
//
// Hardhat 3 needs Node >= 22.13, and npm running on an older Node silently skips Hardhat's native
// EDR package (its `engines` says >= 22). So the dependency install must itself run on Node 22.
// When the system Node is older, this script fetches Node 22 from the npm registry (package
// `node`) into `.toolchain/` and runs npm's own CLI with it. The project's `node` dependency then
// puts that same Node 22 first on PATH for every `npm run …` / `npx …`, without touching the
// machine's global Node. Written for Node >= 18 with no dependencies: it runs before any install.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Minimum Node for Hardhat 3. */
const MIN_NODE = [22, 13, 0];
/** Node 22 line fetched from the npm registry when the system Node is older (pinned for reproducibility). */
const NODE22_PACKAGE = "node@22.23.3";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const isTty = process.stdout.isTTY;

function log(step, message) {
  if (isTty) console.log(`\u001b[1m[setup]\u001b[0m ${step}: ${message}`);
  else console.log(JSON.stringify({ level: "info", module: "setup", step, msg: message }));
}

function fail(message) {
  if (isTty) console.error(`[setup] error: ${message}`);
  else console.error(JSON.stringify({ level: "error", module: "setup", msg: message }));
  process.exit(1);
}

function versionAtLeast(version, min) {
  const parts = version.replace(/^v/, "").split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    if (parts[i] !== min[i]) return parts[i] > min[i];
  }
  return true;
}

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
  if (res.error) fail(`${cmd} ${args.join(" ")}: ${res.error.message}`);
  if (res.status !== 0) fail(`${cmd} ${args.join(" ")} exited with ${res.status}`);
}

/** Locates npm's CLI script, so it can be run under a different Node binary. */
function npmCli() {
  const candidates = [];
  if (process.env.npm_execpath?.endsWith(".js")) candidates.push(process.env.npm_execpath);
  const which = spawnSync("sh", ["-c", "command -v npm"], { encoding: "utf8" });
  if (which.status === 0) {
    const npmBin = realpathSync(which.stdout.trim());
    candidates.push(npmBin, join(dirname(npmBin), "..", "lib", "node_modules", "npm", "bin", "npm-cli.js"));
  }
  const found = candidates.find((p) => p.endsWith(".js") && existsSync(p));
  if (!found) fail("cannot locate npm's npm-cli.js; is npm installed?");
  return found;
}

function node22() {
  if (versionAtLeast(process.version, MIN_NODE)) {
    log("node", `system Node ${process.version} is new enough`);
    return process.execPath;
  }
  const bin = join(root, ".toolchain", "node_modules", "node", "bin", "node");
  if (!existsSync(bin)) {
    log(
      "node",
      `system Node ${process.version} < 22.13; installing ${NODE22_PACKAGE} from the npm registry into .toolchain/`,
    );
    // The `node` package installs the platform's binary from its preinstall script; this manifest lets
    // it run without npm's notice about install scripts not covered by `allowScripts`.
    mkdirSync(join(root, ".toolchain"), { recursive: true });
    writeFileSync(
      join(root, ".toolchain", "package.json"),
      `${JSON.stringify({ private: true, allowScripts: { node: true } }, null, 2)}\n`,
    );
    run(process.execPath, [
      npmCli(),
      "install",
      "--prefix",
      ".toolchain",
      "--no-save",
      "--no-package-lock",
      "--no-audit",
      "--no-fund",
      NODE22_PACKAGE,
    ]);
  }
  const v = spawnSync(bin, ["--version"], { encoding: "utf8" });
  if (v.status !== 0 || !versionAtLeast(v.stdout.trim(), MIN_NODE)) fail(`${bin} is not a working Node >= 22.13`);
  log("node", `using ${v.stdout.trim()} from .toolchain/`);
  return bin;
}

const node = node22();
const lock = existsSync(join(root, "package-lock.json"));
const path = `${dirname(node)}:${process.env.PATH}`;
log("deps", `npm ${lock ? "ci" : "install"} under Node 22 (installs Hardhat's native EDR package)`);
// onnxruntime-node ships its CPU binaries in the npm package; its install script only adds the CUDA ones,
// downloaded from NuGet. package.json's `allowScripts` denies that script (npm >= 11.16); the variable
// below makes older npm releases, which run every script, skip it too.
run(node, [npmCli(), lock ? "ci" : "install", "--no-audit", "--no-fund"], {
  env: { ...process.env, PATH: path, ONNXRUNTIME_NODE_INSTALL: "skip" },
});

// GPU hosts opt in with ONNXRUNTIME_NODE_INSTALL=cuda12 (network access to NuGet needed): the script npm
// skipped is run here, by name, with the caller's choice.
const ortInstall = process.env.ONNXRUNTIME_NODE_INSTALL;
if (ortInstall !== undefined && ortInstall !== "skip") {
  log(
    "onnxruntime",
    `ONNXRUNTIME_NODE_INSTALL=${ortInstall}: running onnxruntime-node's installer (downloads from NuGet)`,
  );
  run(node, [join(root, "node_modules", "onnxruntime-node", "script", "install.js")], {
    cwd: join(root, "node_modules", "onnxruntime-node"),
    env: { ...process.env, PATH: path },
  });
}

const localNode = join(root, "node_modules", ".bin", "node");
if (!existsSync(localNode)) fail("node_modules/.bin/node missing: the `node` dependency did not install");
log("check", "Hardhat runs on the project's Node 22 with its native EDR package");
run(localNode, [join(root, "node_modules", "hardhat", "dist", "src", "cli.js"), "--version"]);
log("build", "compiling contracts offline with the solc npm package");
run(localNode, [join(root, "node_modules", "hardhat", "dist", "src", "cli.js"), "build", "--quiet"]);
log("done", "setup complete; run `npm test`");
