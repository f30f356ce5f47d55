import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { encodeResultTensors } from "../../sdk/index.ts";
import { hashWords, signTeeResult } from "../../tee/index.ts";
import { RelayerError } from "../common/errors.ts";
import type { Logger } from "../common/logger.ts";
import type { TeeModel } from "./loadTeeModel.ts";
import type { TeeSigner } from "./teeSigner.ts";

/** The only chain on which a node may hold an enclave key itself: Hardhat's local chain. */
export const DEV_SIGNER_CHAIN_ID = 31337;

/**
 * INSECURE development signer: the relayer runs the model itself and signs with an "enclave" key it holds,
 * so nothing is attested. Refused on every chain but the local one (31337), and logged as insecure.
 */
export function createDevSigner(opts: { model: TeeModel; privateKey: Hex; chainId: number; log: Logger }): TeeSigner {
  if (opts.chainId !== DEV_SIGNER_CHAIN_ID) {
    throw new RelayerError(`the dev TEE signer is refused on chain ${opts.chainId}`, {
      details: `it holds its enclave key outside any enclave; it runs only on the local chain ${DEV_SIGNER_CHAIN_ID}: use a remote signer`,
    });
  }
  const account = privateKeyToAccount(opts.privateKey);
  opts.log.warn(
    { signer: account.address, insecure: true },
    "INSECURE dev TEE signer: this relayer holds the enclave key and runs the model outside any enclave",
  );
  return {
    kind: "dev",
    async run(task) {
      const outputs = await opts.model.infer(task.inputs);
      const { words, contents } = encodeResultTensors(opts.model.manifest.outputs, outputs, {
        contentBaseUrl: task.contentBaseUrl,
      });
      const signature = await signTeeResult(
        account,
        { chainId: task.chainId, verifier: task.verifier },
        {
          hub: task.hub,
          requestId: task.requestId,
          modelId: task.modelId,
          inputHash: hashWords(task.input),
          outputHash: hashWords(words),
          node: task.node,
          expiry: task.expiry,
        },
      );
      return { output: words, signature, signer: account.address, contents };
    },
    close: async () => undefined,
  };
}
