import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContentRefusedError, fetchContent } from "../../../relayer/teeJobs/fetchContent.ts";
import { isPrivateAddress, privateAddressesOf } from "../../../relayer/teeJobs/publicHost.ts";

describe("content a TEE request references", () => {
  let url: string;
  const server = createServer((req, res) => {
    if (req.url === "/moved") return res.writeHead(302, { location: "/content" }).end();
    res.writeHead(200, { "content-type": "application/octet-stream" }).end(Buffer.from([1, 2, 3, 4]));
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const opts = { allowFileUris: false, timeoutMs: 2_000, maxBytes: 1_024 };

  it("classifies private, loopback, link-local and reserved addresses", () => {
    for (const a of [
      "127.0.0.1",
      "10.1.2.3",
      "172.31.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
    ]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ["::1", "fd00::1", "fe80::1", "::ffff:127.0.0.1", "ff02::1"])
      expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700::1111", "::ffff:8.8.8.8"]) {
      expect(isPrivateAddress(a), a).toBe(false);
    }
  });

  it("resolves names before judging them (localhost is this machine)", async () => {
    expect((await privateAddressesOf("localhost")).length).toBeGreaterThan(0);
    expect(await privateAddressesOf("[::1]")).toEqual(["::1"]);
  });

  it("refuses a requester's URI into the node's own network unless the operator allows it", async () => {
    const refused = fetchContent(`${url}/content`, opts);
    await expect(refused).rejects.toBeInstanceOf(ContentRefusedError);
    await expect(fetchContent(`${url}/content`, opts)).rejects.toThrow(/private address \(127\.0\.0\.1\)/);
    await expect(fetchContent("http://169.254.169.254/latest/meta-data/", opts)).rejects.toThrow(/private address/);
    const allowed = await fetchContent(`${url}/content`, { ...opts, allowPrivateHosts: true });
    expect([...allowed]).toEqual([1, 2, 3, 4]);
  });

  it("refuses redirects, which would need the check again", async () => {
    await expect(fetchContent(`${url}/moved`, { ...opts, allowPrivateHosts: true })).rejects.toThrow(/cannot fetch/);
  });

  it("still refuses file URIs by default and reads data: URIs", async () => {
    await expect(fetchContent("file:///etc/hostname", opts)).rejects.toThrow(/file URIs are not served/);
    expect([...(await fetchContent("data:application/octet-stream;base64,AQID", opts))]).toEqual([1, 2, 3]);
  });
});
