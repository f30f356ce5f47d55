import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { HubRequest } from "../../../abi/index.ts";
import { createLogger } from "../../../relayer/common/logger.ts";
import { createIntake } from "../../../relayer/jobs/intake.ts";
import { openStore } from "../../../relayer/store/store.ts";

const ID = `0x${"ab".repeat(32)}` as const;

/** A request struct for `modelId` with input `word` (only its identity matters to intake). */
function request(modelId: bigint, word: bigint): HubRequest {
  return {
    requester: `0x${"11".repeat(20)}`,
    modelId,
    verifier: `0x${"22".repeat(20)}`,
    outputWords: 1,
    callbackFlags: 0,
    callbackGasLimit: 0,
    modelFee: 2n,
    settlementFee: 1n,
    callbackFee: 0n,
    bond: 10n,
    commitDeadline: 1_000n,
    proofWindow: 3_600,
    input: [word],
  };
}

describe("intake", () => {
  it("closes the row of a reused id when the new request is for a model this node does not serve", () => {
    const store = openStore(join(mkdtempSync(join(tmpdir(), "opg-intake-")), "relayer.sqlite"));
    try {
      const intake = createIntake({ store, servedModels: new Set(["1"]), log: createLogger("silent") });
      expect(intake({ requestId: ID, modelId: 1n, request: request(1n, 7n), blockNumber: 10n })).toBe(true);
      store.updateJob(ID, { state: "settled", lastBlock: 12 });
      // A reorg dropped it, and the hub's nonce gave its id to a request for model 2.
      store.reopenAfter(11);
      expect(intake({ requestId: ID, modelId: 2n, request: request(2n, 8n), blockNumber: 10n })).toBe(false);
      const row = store.getJob(ID)!;
      // Before: the row stayed open with the old request, and steps kept acting for a request that is gone.
      expect(row.state).toBe("declined");
      expect(row.requestJson).toContain('"8n"');
      expect(row.error).toMatch(/does not serve/);
    } finally {
      store.close();
    }
  });
});
