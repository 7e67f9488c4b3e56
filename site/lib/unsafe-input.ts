import { findUnsafePair, isSafeText } from "../../lib/unsafe-text";

// lib/unsafe-text.ts's rule for page requests (site/middleware.ts): path, query and form fields.

const FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"];

/** The name of the first field carrying NUL or an unpaired surrogate ("path" for the path); null if none. */
export async function unsafePageField(request: Request, url: URL): Promise<string | null> {
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return "path";
  }
  if (!isSafeText(path)) return "path";
  const query = findUnsafePair(url.searchParams.entries());
  if (query !== null) return query;
  if (request.method === "GET" || request.method === "HEAD") return null;
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  if (!FORM_TYPES.some((t) => type.startsWith(t))) return null;
  // A clone: the page reads the original body itself.
  const form = await request
    .clone()
    .formData()
    .catch(() => null);
  return form ? findUnsafePair(form.entries()) : null;
}

/** Where a page request with bad input is answered (site/pages/bad-request.astro). */
export function badRequestUrl(url: URL, field: string, reason: "text" | "value" = "text"): URL {
  const target = new URL("/bad-request", url);
  target.searchParams.set("field", field.replace(/[^\w.[\]-]/g, "").slice(0, 40));
  target.searchParams.set("reason", reason);
  return target;
}
