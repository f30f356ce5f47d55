import { type Address, getAddress, isAddress } from "viem";
import { OpgError } from "../common/errors.ts";

/** A model served on a deployment, as the deployment JSON lists it. */
export type DeployedModel = {
  modelId: bigint;
  /** The model's name (its manifest's `name`), when the deployer recorded it. */
  name?: string;
};

/**
 * Where the protocol lives on one chain: what `npm run deploy` (Ignition) and `opg relayer start` (local)
 * write to a deployment JSON, parsed. The SDK, the relayer config and scripts all read it.
 */
export type OpgDeployment = {
  chainId: number;
  hub: Address;
  token: Address;
  registry: Address;
  staking: Address;
  /** The block of the first deployment transaction: where log scans start. */
  startBlock: bigint;
  /** Models registered on it (may be empty right after deploying). */
  models: readonly DeployedModel[];
};

/** Thrown by `parseDeployment` for JSON that is not a deployment. */
export class DeploymentInvalidError extends OpgError {
  override name = "DeploymentInvalidError";
}

function address(json: Record<string, unknown>, key: string): Address {
  const value = json[key];
  if (typeof value !== "string" || !isAddress(value, { strict: false })) {
    throw new DeploymentInvalidError(`deployment field ${key} is not an address: ${String(value)}`);
  }
  return getAddress(value);
}

function integer(value: unknown, key: string): bigint {
  if ((typeof value === "string" && /^\d+$/.test(value)) || (typeof value === "number" && Number.isInteger(value))) {
    return BigInt(value);
  }
  if (typeof value === "bigint") return value;
  throw new DeploymentInvalidError(`deployment field ${key} is not a non-negative integer: ${String(value)}`);
}

/**
 * Parses a deployment JSON (the object, already `JSON.parse`d): addresses checksummed, numbers as bigint.
 * Accepts the local deployment `opg relayer start` writes (`deployBlock`, one `modelId`) as well.
 *
 * @throws DeploymentInvalidError naming the field that is missing or wrong.
 */
export function parseDeployment(json: unknown): OpgDeployment {
  if (typeof json !== "object" || json === null) throw new DeploymentInvalidError("a deployment is a JSON object");
  const o = json as Record<string, unknown>;
  const rawModels = Array.isArray(o.models) ? o.models : o.modelId !== undefined ? [{ modelId: o.modelId }] : [];
  const models = rawModels.map((m, i) => {
    const entry = (typeof m === "object" && m !== null ? m : { modelId: m }) as Record<string, unknown>;
    const model: DeployedModel = { modelId: integer(entry.modelId, `models[${i}].modelId`) };
    if (typeof entry.name === "string") model.name = entry.name;
    return model;
  });
  return Object.freeze({
    chainId: Number(integer(o.chainId, "chainId")),
    hub: address(o, "hub"),
    token: address(o, "token"),
    registry: address(o, "registry"),
    staking: address(o, "staking"),
    startBlock: integer(o.startBlock ?? o.deployBlock, "startBlock"),
    models: Object.freeze(models),
  });
}
