import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

function opg(...args: string[]) {
  return spawnSync(process.execPath, ["bin/opg.mjs", ...args], { cwd: root, encoding: "utf8" });
}

describe("opg CLI", () => {
  it("prints help naming the program", () => {
    const res = opg("--help");
    expect(res.status).toBe(0);
    expect(res.stdout).toContain("Usage: opg");
    expect(res.stdout).toContain("verifiable AI inference");
  });

  it("prints the package version", () => {
    const res = opg("--version");
    expect(res.status).toBe(0);
    expect(res.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("rejects an unknown command with a non-zero exit code", () => {
    const res = opg("no-such-command");
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain("no-such-command");
  });
});
