import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type Address,
  decodeAbiParameters,
  encodeFunctionData,
  type Hex,
  keccak256,
  parseEventLogs,
  stringToHex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { insecureDevAttestation, measurementOf, type Pcrs } from "../../deploy/registerTeeModel.ts";
import {
  readTestCircuitProof,
  settleBatchArgs,
  TEST_CIRCUIT_DIR,
  type TestProtocol,
} from "../../deploy/testProtocol.ts";
import { hashWords, signTeeResult } from "../../tee/index.ts";

/** An operation the bench measures: its snapshot key, what the figure covers, and its budget if it has one. */
export type GasOperation = {
  /** Key in the snapshot and first column of the table. */
  readonly name: string;
  /** What the measured call does, shown beside the name. */
  readonly detail: string;
  /** Most gas the steady-state (warm) call may use; the bench fails above it. */
  readonly budget?: number;
};

/** Records the gas of one call of `operation`; the first call recorded is cold, the last one warm. */
export type RecordGas = (operation: string, gas: bigint) => void;

/**
 * A sequence of calls on a fresh deployment that records the gas of the operations it declares. Each
 * scenario gets its own deployment, so adding one (batch settlement, TEE attestations) leaves the figures
 * of the others as they were.
 */
export type GasScenario = {
  readonly name: string;
  readonly operations: readonly GasOperation[];
  readonly run: (protocol: TestProtocol, record: RecordGas) => Promise<void>;
};

/** Price per inference of the models the scenarios register beside the fixture's. */
const PRICE = 2n * 10n ** 18n;

/** Calls per operation: the first is cold (first storage writes of the node and accounting slots), the last warm. */
const ROUNDS = 3;

/** The committed test-circuit proof every settlement uses (3 public signals: 1 output word, 2 input words). */
const PROOF = readTestCircuitProof("proof-a");
const INPUT = PROOF.input.map(BigInt);
const OUTPUT = PROOF.output.map(BigInt);

/** Approves the hub for the requester once, and returns a function that sends one request and its `Requested` args. */
async function requester(p: TestProtocol, modelId = p.modelId, input: readonly bigint[] = INPUT) {
  const { hub, token, accounts, wait } = p;
  await wait(await token.write.approve([hub.address, 10n ** 30n], { account: accounts.requester.account }));
  const [, , total] = await hub.read.quote([modelId]);
  return async () => {
    const receipt = await wait(
      await hub.write.request([modelId, input, 0, 0, total], { account: accounts.requester.account }),
    );
    const [event] = parseEventLogs({ abi: hub.abi, logs: receipt.logs, eventName: "Requested" });
    if (!event) throw new Error("Requested not emitted");
    return { gasUsed: receipt.gasUsed, ...event.args };
  };
}

/**
 * Requests in a row. The first pays for creating the hub's token balance and its accounting slot; later ones
 * find both non-zero, as on a hub that holds other requests' escrow.
 */
const requests: GasScenario = {
  name: "requests",
  operations: [{ name: "request", detail: "2 input words, `approve` allowance", budget: 120_000 }],
  async run(p, record) {
    const request = await requester(p);
    for (let i = 0; i < ROUNDS; i++) record("request", (await request()).gasUsed);
  },
};

/** commit → settle → withdrawEarnings → flushBurn on a fresh request, ROUNDS times. */
const lifecycle: GasScenario = {
  name: "lifecycle",
  operations: [
    { name: "commit", detail: "1 output word, bond locked", budget: 80_000 },
    { name: "settle", detail: "Groth16 check, 3 public signals", budget: 260_000 },
    { name: "withdrawEarnings", detail: "node pulls its fees" },
    { name: "flushBurn", detail: "pending settlement fees burned" },
  ],
  async run(p, record) {
    const { hub, wait, accounts } = p;
    const { node, other } = accounts;
    const request = await requester(p);
    for (let i = 0; i < ROUNDS; i++) {
      const { requestId, request: req } = await request();
      record(
        "commit",
        (await wait(await hub.write.commit([requestId, req, OUTPUT], { account: node.account }))).gasUsed,
      );
      const settle = await hub.write.settle([requestId, req, OUTPUT, PROOF.proofBytes], { account: other.account });
      record("settle", (await wait(settle)).gasUsed);
      const withdraw = await hub.write.withdrawEarnings([node.account.address], { account: node.account });
      record("withdrawEarnings", (await wait(withdraw)).gasUsed);
      record("flushBurn", (await wait(await hub.write.flushBurn({ account: other.account }))).gasUsed);
    }
  },
};

/** Requests that time out: one never committed (refund), one committed and never proven (slash), ROUNDS times. */
const timeouts: GasScenario = {
  name: "timeouts",
  operations: [
    { name: "refund", detail: "no commitment before the deadline" },
    { name: "slash", detail: "commitment never proven, bond slashed" },
  ],
  async run(p, record) {
    const { hub, wait, accounts, testClient } = p;
    const { node, other } = accounts;
    const request = await requester(p);
    const params = await hub.read.params();
    for (let i = 0; i < ROUNDS; i++) {
      const toRefund = await request();
      const toSlash = await request();
      await wait(await hub.write.commit([toSlash.requestId, toSlash.request, OUTPUT], { account: node.account }));
      await testClient.increaseTime({ seconds: params.commitWindow + params.proofWindow + 1 });
      await testClient.mine({ blocks: 1 });
      const refund = await hub.write.refund([toRefund.requestId, toRefund.request], { account: other.account });
      record("refund", (await wait(refund)).gasUsed);
      const slash = await hub.write.slash([toSlash.requestId, toSlash.request, OUTPUT], { account: other.account });
      record("slash", (await wait(slash)).gasUsed);
    }
  },
};

/** Commitments per `commitBatch` in the batched scenarios: the size the relayer's default config reaches. */
export const BATCH_SIZE = 32;

/** The test circuit's first committed batch proof (`batch-proofs.json`): output word, then the two input words. */
function batchFixture() {
  const fixture = JSON.parse(readFileSync(join(TEST_CIRCUIT_DIR, "batch-proofs.json"), "utf8"));
  const [output, x0, x1] = (fixture.publicSignals as string[]).slice(0, 3).map(BigInt) as [bigint, bigint, bigint];
  return { input: [x0, x1], output: [output], proof: `0x${(fixture.proofs as string).slice(2, 2 + 512)}` as Hex };
}

/**
 * `commitBatch`, then `settleBatch` of BATCH_SIZE fresh requests of a model verified by the test circuit's generated
 * batch verifier, ROUNDS times; each figure is the transaction's gasUsed ÷ BATCH_SIZE.
 */
const batches: GasScenario = {
  name: "batches",
  operations: [
    {
      name: `commitBatch/${BATCH_SIZE}`,
      detail: `per commitment, ${BATCH_SIZE} per transaction, bonds locked`,
      budget: 40_000,
    },
    {
      name: `settleBatch/${BATCH_SIZE}`,
      detail: `per settled inference, ${BATCH_SIZE} proofs in one pairing check, 3 public signals`,
    },
  ],
  async run(p, record) {
    const { hub, wait, accounts, registry, staking } = p;
    const verifier = await p.viem.deployContract("TestCircuitBatchVerifier");
    const receipt = await wait(
      await registry.write.register([0, verifier.address, keccak256(stringToHex("affine batch")), "", 2, 1, PRICE]),
    );
    const [registered] = parseEventLogs({ abi: registry.abi, logs: receipt.logs, eventName: "ModelRegistered" });
    const modelId = registered!.args.modelId;
    await wait(await staking.write.optIn([modelId], { account: accounts.node.account }));
    const { input, output, proof } = batchFixture();
    const request = await requester(p, modelId, input);
    for (let round = 0; round < ROUNDS; round++) {
      const items = [];
      for (let i = 0; i < BATCH_SIZE; i++) {
        const { requestId, request: req } = await request();
        items.push({ requestId, request: req, output });
      }
      const committed = await wait(await hub.write.commitBatch([items], { account: accounts.node.account }));
      record(`commitBatch/${BATCH_SIZE}`, committed.gasUsed / BigInt(BATCH_SIZE));
      const settleItems = items.map((item) => ({ ...item, proof }));
      const settled = await wait(
        await hub.write.settleBatch(settleBatchArgs(committed, settleItems), { account: accounts.other.account }),
      );
      record(`settleBatch/${BATCH_SIZE}`, settled.gasUsed / BigInt(BATCH_SIZE));
    }
  },
};

/** The bench's enclave key (a fixed test key: the INSECURE dev adapter vouches for it on the local chain only). */
const ENCLAVE = privateKeyToAccount(keccak256(stringToHex("opg bench enclave")));

/** PCR0–2 of the bench's (pretend) enclave image, 48 bytes each: non-zero, so not a debug enclave. */
const PCRS = [1, 2, 3].map((i) => {
  const head = keccak256(stringToHex(`pcr${i}`));
  return `${head}${head.slice(2, 34)}` as Hex;
}) as unknown as Pcrs;

/** Registers a TEE model served through the enclave registry, approves the image and registers the enclave key. */
async function teeModel(p: TestProtocol): Promise<bigint> {
  const { registry, staking, wait, accounts, viem, addresses, publicClient } = p;
  const enclaves = await viem.getContractAt("EnclaveRegistry", addresses.enclaveRegistry);
  const devAdapter = addresses.insecureDevAttestationAdapter as Address;
  const receipt = await wait(
    await registry.write.register([1, enclaves.address, keccak256(stringToHex("tee")), "test://tee", 2, 1, PRICE]),
  );
  const [registered] = parseEventLogs({ abi: registry.abi, logs: receipt.logs, eventName: "ModelRegistered" });
  if (!registered) throw new Error("ModelRegistered not emitted");
  const modelId = registered.args.modelId;
  await wait(await enclaves.write.approveMeasurement([modelId, measurementOf(PCRS)]));
  const { timestamp } = await publicClient.getBlock();
  const attestation = insecureDevAttestation({ signer: ENCLAVE.address, timestampMs: timestamp * 1000n, pcrs: PCRS });
  await wait(await enclaves.write.registerEnclave([devAdapter, attestation]));
  await wait(await staking.write.optIn([modelId], { account: accounts.node.account }));
  return modelId;
}

/** request → commitAndSettle of a TEE model (enclave signature checked by the enclave registry), ROUNDS times. */
const tee: GasScenario = {
  name: "tee",
  operations: [
    {
      name: "commitAndSettle",
      detail: "TEE model: enclave signature, node paid, fee burned",
      budget: 80_000,
    },
  ],
  async run(p, record) {
    const { hub, wait, accounts, addresses, publicClient } = p;
    const modelId = await teeModel(p);
    const request = await requester(p, modelId);
    const chainId = await publicClient.getChainId();
    for (let i = 0; i < ROUNDS; i++) {
      const { requestId, request: req } = await request();
      const { timestamp } = await publicClient.getBlock();
      const signature = await signTeeResult(
        ENCLAVE,
        { chainId, verifier: addresses.enclaveRegistry },
        {
          hub: hub.address,
          requestId,
          modelId,
          inputHash: hashWords(INPUT),
          outputHash: hashWords(OUTPUT),
          node: accounts.node.account.address,
          expiry: timestamp + 600n,
        },
      );
      const settled = await hub.write.commitAndSettle([requestId, req, OUTPUT, signature], {
        account: accounts.node.account,
      });
      record("commitAndSettle", (await wait(settled)).gasUsed);
    }
  },
};

/** The Groth16 check alone, as `eth_estimateGas` of a direct call (21,000 base included): what settle pays for it. */
const verifier: GasScenario = {
  name: "verifier",
  operations: [
    { name: "groth16.verifyProof", detail: "snarkjs verifier alone, eth_estimateGas" },
    { name: "adapter.verifyProof", detail: "verifier through the adapter, eth_estimateGas" },
  ],
  async run(p, record) {
    const signals = [...OUTPUT, ...INPUT] as [bigint, bigint, bigint];
    const words = decodeAbiParameters([{ type: "uint256[8]" }], PROOF.proofBytes)[0];
    const groth16 = await p.viem.getContractAt("TestCircuitGroth16Verifier", p.addresses.groth16Verifier);
    const adapter = await p.viem.getContractAt("Groth16VerifierAdapter", p.addresses.adapter);
    const estimate = (to: Hex, data: Hex) =>
      p.publicClient.estimateGas({ account: p.accounts.other.account, to, data });
    const pB = [
      [words[2], words[3]],
      [words[4], words[5]],
    ] as const;
    const direct = encodeFunctionData({
      abi: groth16.abi,
      functionName: "verifyProof",
      args: [[words[0], words[1]], pB, [words[6], words[7]], signals],
    });
    record("groth16.verifyProof", await estimate(groth16.address, direct));
    const viaAdapter = encodeFunctionData({
      abi: adapter.abi,
      functionName: "verifyProof",
      args: [PROOF.proofBytes, signals],
    });
    record("adapter.verifyProof", await estimate(adapter.address, viaAdapter));
  },
};

/** Every scenario the gas bench runs, in table order. */
export const HUB_GAS_SCENARIOS: readonly GasScenario[] = [requests, lifecycle, timeouts, batches, tee, verifier];
