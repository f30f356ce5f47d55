/**
 * TEST DOUBLE of a TEE enclave (no enclave can exist here): a separate Node process that speaks the enclave
 * protocol of docs/tee-enclave-protocol.md. It loads the model's ONNX file itself with onnxruntime-node,
 * checks referenced content against the hash in the input words, runs the model and signs the result with
 * the key in ENCLAVE_TEST_DOUBLE_KEY. It attests nothing: tests register its key through the INSECURE dev
 * adapter.
 *
 * Usage: `node --import tsx enclaveTestDouble.ts <manifest.json>`; prints `{"url","signer"}` on one line.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import type { Address, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { decodeTensors, encodeInlineTensor, parseTeeManifest, verifyReferencedContent } from "../../../../sdk/index.ts";
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
  const output = manifest.outputs.flatMap((spec) =>
    encodeInlineTensor(spec, outputs[spec.name]!.data as Float32Array | BigInt64Array),
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
  return { output: output.map(String), signature, signer: account.address };
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
server.listen(0, "127.0.0.1", () => {
  const address = server.address() as { port: number };
  console.log(JSON.stringify({ url: `http://127.0.0.1:${address.port}`, signer: account.address }));
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
