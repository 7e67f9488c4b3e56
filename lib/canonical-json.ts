// RFC 8785 JSON Canonicalization Scheme (JCS), the one canonical JSON of the project: the transparency
// log's leaves, the audit chain's row hashes and idempotent filing's request fingerprint all use it, so an
// outside verifier can reproduce them with any JCS implementation. It covers JSON's values (strings,
// finite numbers, booleans, null, arrays, plain objects); object members that are undefined are left out. ECMAScript's JSON.stringify of a string and of a number is
// exactly JCS's serialisation; objects are sorted by key in UTF-16 code-unit order, which is the default
// order of Array.prototype.sort on strings.
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError("JCS: numbers must be finite");
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
      const o = value as Record<string, unknown>;
      const keys = Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
    }
    default:
      throw new TypeError(`JCS: cannot encode a ${typeof value}`);
  }
}
