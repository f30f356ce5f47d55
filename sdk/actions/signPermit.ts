import { type Address, type Hex, parseSignature } from "viem";
import { opgTokenAbi } from "../../abi/index.ts";
import type { SdkClients } from "../clients.ts";

/** An EIP-2612 permit signature, split as `requestWithPermit` takes it. */
export type PermitSignature = { deadline: bigint; v: number; r: Hex; s: Hex };

/**
 * Signs an EIP-2612 permit letting `spender` pull `value` of `token` from the wallet's account until
 * `deadline` (unix seconds). The EIP-712 domain is read from the token (ERC-5267 `eip712Domain`), the
 * nonce from `nonces(owner)`; nothing is sent.
 */
export async function signPermit(
  { publicClient, walletClient }: SdkClients,
  { token, spender, value, deadline }: { token: Address; spender: Address; value: bigint; deadline: bigint },
): Promise<PermitSignature> {
  const owner = walletClient.account.address;
  const [[, name, version, chainId, verifyingContract], nonce] = await Promise.all([
    publicClient.readContract({ address: token, abi: opgTokenAbi, functionName: "eip712Domain" }),
    publicClient.readContract({ address: token, abi: opgTokenAbi, functionName: "nonces", args: [owner] }),
  ]);
  const signature = await walletClient.signTypedData({
    account: walletClient.account,
    domain: { name, version, chainId, verifyingContract },
    types: {
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint256" },
      ],
    },
    primaryType: "Permit",
    message: { owner, spender, value, nonce, deadline },
  });
  const { r, s, v, yParity } = parseSignature(signature);
  return { deadline, v: Number(v ?? BigInt(yParity + 27)), r, s };
}
