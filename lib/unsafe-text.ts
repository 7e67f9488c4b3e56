// The one rule for text arriving at any edge (query, path, form field, JSON string, file name): a NUL
// character or an unpaired UTF-16 surrogate is refused with 400 naming the field. Neither can be stored
// by PostgreSQL (NUL) or encoded as UTF-8 (a lone surrogate), and no person types them; let through,
// they surfaced as 500s deep inside queries and encoders.

/** Is this string storable text (no NUL, no unpaired surrogate)? */
export function isSafeText(s: string): boolean {
  return s.isWellFormed() && !s.includes("\u0000");
}

/** Where in a decoded JSON value (keys included) the first unsafe string is, as a dotted path; null if none. */
export function findUnsafeText(value: unknown, path = ""): string | null {
  if (typeof value === "string") return isSafeText(value) ? null : path || "(body)";
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findUnsafeText(value[i], path ? `${path}.${i}` : String(i));
      if (hit !== null) return hit;
    }
    return null;
  }
  if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const here = path ? `${path}.${printable(k)}` : printable(k);
      if (!isSafeText(k)) return here;
      const hit = findUnsafeText(v, here);
      if (hit !== null) return hit;
    }
  }
  return null;
}

/** The first unsafe name or value among (name, value) pairs (a query string, a form); null if none. */
export function findUnsafePair(pairs: Iterable<[string, unknown]>): string | null {
  for (const [name, value] of pairs) {
    if (!isSafeText(name)) return printable(name);
    if (typeof value === "string" && !isSafeText(value)) return printable(name);
    if (typeof value === "object" && value !== null && "name" in value && typeof value.name === "string") {
      if (!isSafeText(value.name)) return printable(name); // an uploaded file's name
    }
  }
  return null;
}

/** A field name fit to show back (the offending characters removed, bounded). */
export function printable(name: string): string {
  return name.replaceAll("\u0000", "").toWellFormed().slice(0, 60) || "(空)";
}

export const UNSAFE_TEXT_MESSAGE = "含有不允许的字符（空字符 NUL 或不成对的代理字符），请删除后重试";
