/**
 * TEST DOUBLE of a TEE enclave (no enclave can exist here): a separate Node process that speaks the enclave
 * protocol of docs/tee-enclave-protocol.md. It loads the model's ONNX file itself with onnxruntime-node,
 * checks referenced content against the hash in the input words, runs the model, encodes outputs by reference
 * under the request's `contentBaseUrl` (returning their content) and signs the result with the key in
 * ENCLAVE_TEST_DOUBLE_KEY. It attests nothing: tests register its key through the INSECURE dev adapter.
 *
 * Usage: `node --import tsx enclaveTestDouble.ts <manifest.json> [port]`; prints `{"url","signer"}` on one line.
 * A fixed port lets a test restart it with a new key at the same URL, as a rebooted enclave would come back.
 * With ENCLAVE_TEST_DOUBLE_LIE=content it returns output content with one bit flipped (what it signed is honest),
 * for tests of the relayer's check.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import type { Address, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  decodeTensors,
  encodeResultTensors,
  parseTeeManifest,
  verifyReferencedContent,
} from "../../../../sdk/index.ts";
import { hashWords, signTeeResult } from "../../../../tee/index.ts";

type Body = {
  chainId: number;
  verifier: Address;
  hub: Address;
  requestId: Hex;
  modelId: string;
  input: string[];
  contents: (string | null)[];
  node: Address;
  expiry: string;
  contentBaseUrl?: string;
};

const manifestPath = process.argv[2]!;
const manifest = parseTeeManifest(JSON.parse(readFileSync(manifestPath, "utf8")));
const pkg = manifest.onnx.package!;
const onnxPath = manifest.onnx.file
  ? join(dirname(manifestPath), manifest.onnx.file)
  : join(process.cwd(), "node_modules", pkg.name, pkg.path);
const onnx = readFileSync(onnxPath);
if (createHash("sha256").update(onnx).digest("hex") !== manifest.onnx.sha256) throw new Error("ONNX sha256 mismatch");
const session = await ort.InferenceSession.create(onnxPath, { executionProviders: ["cpu"] });
const account = privateKeyToAccount(process.env.ENCLAVE_TEST_DOUBLE_KEY as Hex);

const lie = process.env.ENCLAVE_TEST_DOUBLE_LIE === "content";

function flipFirstBit(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  copy[0] = copy[0]! ^ 1;
  return copy;
}

async function result(body: Body) {
  const input = body.input.map(BigInt);
  const feeds: Record<string, ort.Tensor> = {};
  for (const [i, tensor] of decodeTensors(manifest.inputs, input).entries()) {
    const values =
      tensor.kind === "inline"
        ? tensor.values
        : verifyReferencedContent(tensor.spec, tensor, Buffer.from(body.contents[i] ?? "", "base64"));
    feeds[tensor.spec.name] = new ort.Tensor(tensor.spec.dtype, values, tensor.spec.shape);
  }
  const outputs = await session.run(feeds);
  const { words: output, contents } = encodeResultTensors(
    manifest.outputs,
    manifest.outputs.map((spec) => outputs[spec.name]!.data as Float32Array | BigInt64Array),
    { contentBaseUrl: body.contentBaseUrl },
  );
  const signature = await signTeeResult(
    account,
    { chainId: body.chainId, verifier: body.verifier },
    {
      hub: body.hub,
      requestId: body.requestId,
      modelId: BigInt(body.modelId),
      inputHash: hashWords(input),
      outputHash: hashWords(output),
      node: body.node,
      expiry: BigInt(body.expiry),
    },
  );
  return {
    output: output.map(String),
    signature,
    signer: account.address,
    contents: contents.map((c) => (c ? Buffer.from(lie ? flipFirstBit(c) : c).toString("base64") : null)),
  };
}

const server = createServer((req, res) => {
  let text = "";
  req.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  req.on("end", () => {
    if (req.method !== "POST" || req.url !== "/v1/results") {
      res.writeHead(404).end();
      return;
    }
    result(JSON.parse(text) as Body).then(
      (answer) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer)),
      (error: Error) =>
        res
          .writeHead(422, { "content-type": "application/json" })
          .end(JSON.stringify({ error: { message: error.message } })),
    );
  });
});
server.listen(Number(process.argv[3] ?? 0), "127.0.0.1", () => {
  const address = server.address() as { port: number };
  console.log(JSON.stringify({ url: `http://127.0.0.1:${address.port}`, signer: account.address }));
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
