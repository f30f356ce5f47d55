import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openStore } from "../../../relayer/store/store.ts";

const hash = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;

/**
 * Found by the chaos run after the batching merge: a settlement step that outlived a reorg recorded its
 * receipt (from the dropped branch) after the watcher had rewound and already scanned past that height on
 * the new branch; the store said `settled` for a request another node settled on the chain.
 */
describe("noteBlockHash", () => {
  it("refuses an observation from a block the watcher saw replaced, and keeps notes above the cursor", () => {
    const store = openStore(join(mkdtempSync(join(tmpdir(), "opg-note-")), "relayer.sqlite"));
    try {
      store.advanceCursor(10, [
        { number: 9, hash: hash(9) },
        { number: 10, hash: hash(10) },
      ]);
      expect(store.noteBlockHash(10, hash(10))).toBe(true); // the watcher's own block: consistent
      expect(store.noteBlockHash(10, hash(0xdead))).toBe(false); // a receipt from a dropped branch
      expect(store.noteBlockHash(12, hash(12))).toBe(true); // ahead of the cursor: noted for the watcher
      expect(store.blockHash(12)).toBe(hash(12));
      expect(store.noteBlockHash(12, hash(0xbeef))).toBe(true); // the first note is kept
      expect(store.blockHash(12)).toBe(hash(12));
    } finally {
      store.close();
    }
  });
});
