/// <reference path="../../../artifacts/contracts/ModelRegistry.sol/artifacts.d.ts" />
/// <reference path="../../../artifacts/contracts/tee/EnclaveRegistry.sol/artifacts.d.ts" />
/// <reference path="../../../artifacts/contracts/tee/adapters/AutomataNitroAdapter.sol/artifacts.d.ts" />
/// <reference path="../../../artifacts/contracts/mocks/AutomataNitroVerifierDouble.sol/artifacts.d.ts" />
/// <reference path="../../../artifacts/contracts/tee/adapters/InsecureDevAttestationAdapter.sol/artifacts.d.ts" />
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { network } from "hardhat";
import {
  encodeAbiParameters,
  encodeFunctionData,
  getAddress,
  type Hex,
  keccak256,
  parseEventLogs,
  slice,
  stringToHex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { hashWords, signTeeResult, verifyNitroAttestation } from "../../../tee/index.ts";

/** Real Nitro documents and the signer address each binds, per test/fixtures/tee/nitro/README.md. */
const NITRO_DIR = join(import.meta.dirname, "..", "..", "fixtures", "tee", "nitro");
const DOCUMENTS = [
  {
    file: "nitro-2024-11-30-secp256k1-public-key.cbor",
    signer: "0x3c32c4ad111a12d7d3af032cffaff7789dfa555f",
    attestedAt: 1_732_983_768, // 2024-11-30 16:22:48 UTC
  },
  {
    file: "nitro-2026-01-03-user-data-address.cbor",
    signer: "0x69553adc61d6e9fcdecbe1ea49bb2b52a60238e0",
    attestedAt: 1_767_472_867, // 2026-01-03 20:41:07 UTC
  },
] as const;

/**
 * Most gas a key registration through the Automata adapter may cost beyond Automata's verifier itself (whose real
 * cost, ≈ 220–258k, the double does not have). Measured: ≈ 53.2k at transaction level (a new key: one 20k slot, journal decoding, calls, calldata).
 */
const REGISTRATION_GAS_BUDGET = 150_000n;
/**
 * Most gas a transaction calling `verifyResult` alone may use: 21,000 intrinsic, ≈ 3.5k calldata, the registry's cold
 * account (2,600), ecrecover (3,000), three cold slots (6,300), hashing and decoding. Measured: 37,389 in all.
 */
const VERIFY_RESULT_TX_GAS_BUDGET = 40_000n;

/** The ZK coprocessor named in the attestation (Automata's `ZkCoProcessorType.RiscZero`); the double checks no proof. */
const RISC_ZERO = 1;

describe("Automata Nitro adapter with real attestation documents", () => {
  it.each(DOCUMENTS)("registers the enclave key of $file", async ({ file, signer, attestedAt }) => {
    // Verified off chain (COSE_Sign1 ES384, chain to the pinned AWS root) at the document's own time; the double then
    // returns these facts as Automata's verifier would after checking its ZK proof of the same verification.
    const document = readFileSync(join(NITRO_DIR, file));
    const facts = verifyNitroAttestation(document, { at: attestedAt });
    expect(facts.signer?.toLowerCase()).toBe(signer);
    const timestampMs = BigInt(facts.timestamp);
    const pcrs = [facts.pcrs[0]!, facts.pcrs[1]!, facts.pcrs[2]!] as const;
    const pcr48 = (p: Hex) => ({ head: slice(p, 0, 32), tail: slice(p, 32, 48) });
    // The chain's clock starts a minute after the document, as if it had just been submitted.
    const connection = await network.connect({ override: { initialDate: new Date(facts.timestamp + 60_000) } });
    try {
      const { viem } = connection;
      const [deployer] = await viem.getWalletClients();
      const models = await viem.deployContract("ModelRegistry", []);
      const enclaves = await viem.deployContract("EnclaveRegistry", [
        deployer!.account.address,
        models.address,
        3_600n,
        86_400n,
      ]);
      const automata = await viem.deployContract("AutomataNitroVerifierDouble", []);
      const adapter = await viem.deployContract("AutomataNitroAdapter", [automata.address]);
      await enclaves.write.setAdapterAllowed([adapter.address, true]);
      await models.write.register([1, enclaves.address, keccak256(stringToHex(file)), "", 2, 1, 0n]);
      const { measurement } = facts;
      expect(await enclaves.read.measurementOf([[pcr48(pcrs[0]), pcr48(pcrs[1]), pcr48(pcrs[2])]])).toBe(measurement);
      await enclaves.write.approveMeasurement([1n, measurement]);

      await automata.write.setJournal([
        {
          result: 0,
          trustedCertsPrefixLen: 1,
          timestamp: timestampMs,
          certs: [],
          userData: facts.userData ?? "0x",
          nonce: "0x",
          publicKey: facts.publicKey ?? "0x",
          pcrs: pcrs.map((pcr, index) => ({
            index: BigInt(index),
            value: { first: slice(pcr, 0, 32), second: slice(pcr, 32, 48) },
          })),
          moduleId: "",
        },
      ]);
      const attestation: Hex = encodeAbiParameters(
        [{ type: "bytes" }, { type: "uint8" }, { type: "bytes" }],
        ["0x00", RISC_ZERO, "0x00"],
      );
      const publicClient = await viem.getPublicClient();
      // The double's own cost, in a transaction of its own (so nothing it touches is warm for the registration).
      const doubleReceipt = await publicClient.waitForTransactionReceipt({
        hash: await automata.write.verify(["0x00", RISC_ZERO, "0x00"]),
      });
      const hash = await enclaves.write.registerEnclave([adapter.address, attestation]);
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      expect(receipt.gasUsed - doubleReceipt.gasUsed).toBeLessThanOrEqual(REGISTRATION_GAS_BUDGET);
      const [registered] = parseEventLogs({ abi: enclaves.abi, logs: receipt.logs, eventName: "KeyRegistered" });
      expect(registered!.args.signer).toBe(getAddress(signer));
      expect(registered!.args.measurement).toBe(measurement);
      expect(registered!.args.attestedAtMs).toBe(timestampMs);
      const key = await enclaves.read.enclaveKey([getAddress(signer)]);
      expect(key.measurement).toBe(measurement);
      expect(key.expiresAt).toBe(timestampMs / 1000n + 86_400n);
    } finally {
      await connection.close();
    }
  });

  it("verifyResult accepts a result signed with tee/'s EIP-712 helpers by a key the dev adapter registered", async () => {
    const connection = await network.connect();
    try {
      const { viem } = connection;
      const [deployer, hub, node] = await viem.getWalletClients();
      const publicClient = await viem.getPublicClient();
      const models = await viem.deployContract("ModelRegistry", []);
      const enclaves = await viem.deployContract("EnclaveRegistry", [
        deployer!.account.address,
        models.address,
        3_600n,
        86_400n,
      ]);
      const dev = await viem.deployContract("InsecureDevAttestationAdapter", []);
      await enclaves.write.setAdapterAllowed([dev.address, true]);
      await models.write.register([1, enclaves.address, keccak256(stringToHex("tee")), "", 2, 1, 0n]);
      const pcr48 = (i: number) => ({
        head: keccak256(stringToHex(`pcr${i}`)),
        tail: slice(keccak256(stringToHex(`tail${i}`)), 0, 16),
      });
      const pcrs = [pcr48(0), pcr48(1), pcr48(2)] as const;

      await enclaves.write.approveMeasurement([1n, await enclaves.read.measurementOf([pcrs])]);
      const enclave = privateKeyToAccount(keccak256(stringToHex("enclave key")));
      const { timestamp } = await publicClient.getBlock();
      const attestation = encodeAbiParameters(
        [
          { type: "address" },
          { type: "uint64" },
          {
            type: "tuple[3]",
            components: [
              { name: "head", type: "bytes32" },
              { name: "tail", type: "bytes16" },
            ],
          },
        ],
        [enclave.address, timestamp * 1000n, pcrs],
      );
      await publicClient.waitForTransactionReceipt({
        hash: await enclaves.write.registerEnclave([dev.address, attestation]),
      });

      const result = {
        hub: hub!.account.address,
        requestId: keccak256(stringToHex("request")),
        modelId: 1n,
        inputHash: hashWords([3n, 4n]),
        outputHash: hashWords([29n]),
        node: node!.account.address,
        expiry: timestamp + 600n,
      };
      const chainId = await publicClient.getChainId();
      const signature = await signTeeResult(enclave, { chainId, verifier: enclaves.address }, result);
      const args = [result.requestId, 1n, result.inputHash, result.outputHash, result.node, signature] as const;
      expect(await enclaves.read.verifyResult(args, { account: hub!.account.address })).toBe(enclave.address);
      // A view function, which viem's typed gas estimation leaves out: estimate the raw call.
      const gas = await publicClient.estimateGas({
        account: hub!.account.address,
        to: enclaves.address,
        data: encodeFunctionData({ abi: enclaves.abi, functionName: "verifyResult", args }),
      });
      expect(gas).toBeLessThanOrEqual(VERIFY_RESULT_TX_GAS_BUDGET);
      await expect(enclaves.read.verifyResult(args, { account: node!.account.address })).rejects.toThrow(
        /EnclaveKeyUnknown/,
      );
    } finally {
      await connection.close();
    }
  });
});
