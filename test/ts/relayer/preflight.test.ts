import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../relayer/common/config.ts";
import { preflight } from "../../../relayer/common/preflight.ts";
import { startFaultyProxy } from "../support/faultyRpcProxy.ts";

/**
 * Found by the chaos run after the merge of the start-up checks: a relayer restarted after a SIGKILL
 * exited at once ("no RPC answers") because the first `eth_chainId` through the faulty RPC got a 503.
 */
describe("start-up RPC check", () => {
  it("tolerates transient faults on the first probes and still names a dead URL", async () => {
    const node = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end('{"jsonrpc":"2.0","id":1,"result":"0x7a69"}');
    });
    await new Promise<void>((r) => node.listen(0, "127.0.0.1", () => r()));
    const upstream = `http://127.0.0.1:${(node.address() as AddressInfo).port}`;
    // The first two requests fail (a 503, then a reset), the rest pass.
    const proxy = await startFaultyProxy(upstream, { schedule: (n) => (n === 1 ? "5xx" : n === 2 ? "reset" : "none") });
    const config = (rpcUrls: string[]) =>
      parseConfig({
        rpcUrls,
        privateKey: `0x${"11".repeat(32)}`,
        hub: `0x${"22".repeat(20)}`,
        models: [{ modelId: 1, dir: "unused" }],
      });
    try {
      await expect(preflight({ ...config([proxy.url]), models: [] })).resolves.toBeUndefined();
      expect(proxy.counts["5xx"] + proxy.counts.reset).toBe(2);
      proxy.setOutage(true);
      await expect(preflight({ ...config([proxy.url]), models: [] })).rejects.toThrow(/no RPC answers/);
    } finally {
      await proxy.close();
      await new Promise<void>((r) => node.close(() => r()));
    }
  });
});
