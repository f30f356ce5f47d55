import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { TeeError } from "./errors.ts";
import { type NitroAttestation, verifyNitroAttestation } from "./verifyNitroAttestation.ts";

const UNIX_SECONDS = /^\d+$/;

function parseAt(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!UNIX_SECONDS.test(text)) throw new TeeError("invalid-argument", `--at must be unix seconds, got "${text}"`);
  return Number(text);
}

async function readDocument(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new TeeError("invalid-argument", `cannot read attestation document ${path}`, { cause });
  }
}

function printText(r: NitroAttestation): void {
  const lines = [
    "attestation verified",
    `moduleId     ${r.moduleId}`,
    `timestamp    ${r.timestamp} (${new Date(r.timestamp).toISOString()})`,
    `measurement  ${r.measurement}`,
    ...Object.entries(r.pcrs).map(([index, pcr]) => `PCR${index.padEnd(9)} ${pcr}`),
    `publicKey    ${r.publicKey ?? "null"}`,
    `userData     ${r.userData ?? "null"}`,
    `nonce        ${r.nonce ?? "null"}`,
    `signer       ${r.signer ?? "null"}`,
    `valid        ${new Date(r.certificateValidity.notBefore * 1000).toISOString()} → ${new Date(r.certificateValidity.notAfter * 1000).toISOString()}`,
  ];
  console.log(lines.join("\n"));
}

/** Adds `opg tee verify-attestation`. */
export function registerTeeCommands(program: Command): void {
  const tee = program.command("tee").description("verify TEE enclave attestations");

  tee
    .command("verify-attestation")
    .description("verify an AWS Nitro attestation document (CBOR COSE_Sign1) against the pinned AWS root")
    .argument("<file>", "attestation document, raw CBOR")
    .option("--at <seconds>", "verification time in unix seconds (default: now); leaf certificates live ~3 hours")
    .option("--json", "print one JSON object")
    .action(async (file: string, o: { at?: string; json?: boolean }) => {
      const attestation = verifyNitroAttestation(await readDocument(file), { at: parseAt(o.at) });
      if (o.json) console.log(JSON.stringify(attestation));
      else printText(attestation);
    });
}
