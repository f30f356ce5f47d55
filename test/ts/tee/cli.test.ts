import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { main } from "../../../cli/opg.ts";
import { NITRO_DOCUMENTS, NITRO_FIXTURES, readNitroDocument } from "./nitroFixtures.ts";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const fixture = NITRO_DOCUMENTS[0]!;
const documentPath = fileURLToPath(new URL(fixture.file, NITRO_FIXTURES));

function opg(...args: string[]) {
  return spawnSync(process.execPath, ["bin/opg.mjs", ...args], { cwd: root, encoding: "utf8" });
}

describe("opg tee verify-attestation", () => {
  it("prints exactly one JSON object with the attested fields and exits 0", () => {
    const at = String(Math.floor(fixture.timestampMs / 1000));
    const res = opg("tee", "verify-attestation", documentPath, "--at", at, "--json");
    expect(res.stderr).toBe("");
    expect(res.status).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out.moduleId).toBe(fixture.moduleId);
    expect(out.timestamp).toBe(fixture.timestampMs);
    expect(out.pcrs["0"].startsWith(`0x${fixture.pcr0Prefix}`)).toBe(true);
    expect(out.measurement).toMatch(/^0x[0-9a-f]{64}$/);
    expect(out.publicKey).toMatch(/^0x04[0-9a-f]{128}$/);
    expect(out.userData).toBeNull();
    expect(out.nonce).toBeNull();
    expect(out.signer.toLowerCase()).toBe(fixture.signer);
  });

  it("exits non-zero with one line naming the reason for a flipped byte", () => {
    const flipped = readNitroDocument(fixture.file);
    flipped[flipped.length - 10]! ^= 0x01; // inside the signature
    const path = join(mkdtempSync(join(tmpdir(), "opg-tee-")), "flipped.cbor");
    writeFileSync(path, flipped);
    const res = opg(
      "tee",
      "verify-attestation",
      path,
      "--at",
      String(Math.floor(fixture.timestampMs / 1000)),
      "--json",
    );
    expect(res.status).toBe(1);
    expect(res.stdout).toBe("");
    expect(res.stderr.trim().split("\n")).toEqual([
      "opg: bad-signature: ES384 signature does not verify with the leaf certificate's key",
    ]);
  });

  it("refuses an --at that is not unix seconds (in process, through main)", async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((line: string) => void errors.push(line));
    try {
      const code = await main(["node", "opg", "tee", "verify-attestation", documentPath, "--at", "2024-11-30"]);
      expect(code).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(errors).toEqual(['opg: invalid-argument: --at must be unix seconds, got "2024-11-30"']);
  });
});
