/** JSON that round-trips bigints (`123n` strings), for request structs and words kept in the store. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `${v}n` : v));
}

/** Inverse of {@link toJson}. */
export function fromJson<T>(text: string): T {
  return JSON.parse(text, (_k, v) => (typeof v === "string" && /^\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v)) as T;
}
