import { createHash } from "node:crypto";

// HTTP caching of what anyone may read. Anonymous GETs of public pages and public API reads carry a
// validator (a weak ETag of the body) and `Cache-Control: public, max-age=0, s-maxage=N`: a browser
// revalidates every time (304 when nothing changed), a shared cache — nginx's micro-cache in front of
// the nodes — may answer for N seconds without asking. So a correction, an amendment or a withdrawal
// is visible everywhere within N seconds (PUBLIC_CACHE_SECONDS). Everything else — staff pages,
// /track, /report and other forms, anything answered to a staff session or setting a cookie — is
// `private, no-store`.

const PUBLIC_PAGES =
  /^\/(|funds(\/\d+)?|notices(\/\d+)?|projects(\/\d+)?|assets|villages(\/\d+)?|stats|search|archive(\/(items|photos\/\d+|yearbook(\/\d+)?))?|honors(\/\d+)?|policies(\/[\w-]+)?|help(\/[\w-]+)?|feeds\/[\w.-]+|sitemap\.xml|robots\.txt)\/?$/;
const PUBLIC_API =
  /^\/api\/(funds(\/(\d+|\d+\/trail|summary|datapackage\.json))?|notices(\/\d+)?|projects(\/\d+)?|assets|villages\/\d+|money\/(progress|stuck|changes)|stats\/hotline|search|archive\/items(\/\d+)?|honors(\/\d+)?|policies(\/[\w-]+)?|yearbook(\/\d+)?|reference(\/[\w-]+)*)$/;

export const STAFF_COOKIE_PREFIX = "sunshine_staff=";

/** May this request's answer be shared with anyone who asks the same URL? Pure. */
export function isPublicRead(method: string, path: string, cookie: string | null | undefined): boolean {
  if (method !== "GET" && method !== "HEAD") return false;
  if (cookie?.includes(STAFF_COOKIE_PREFIX)) return false;
  return PUBLIC_PAGES.test(path) || PUBLIC_API.test(path);
}

export const NO_STORE = "private, no-store";

export function publicCacheControl(seconds: number) {
  return `public, max-age=0, must-revalidate, s-maxage=${seconds}`;
}

/** A weak validator of the body (weak: gzip by a proxy must not make it a different entity). */
export function etagOf(body: Uint8Array): string {
  return `W/"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
}

/** Does an If-None-Match header name this ETag (weak comparison, as RFC 9110 asks for GET)? */
export function etagMatches(ifNoneMatch: string | null | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === "*") return true;
  const strip = (t: string) => t.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((t) => strip(t) === strip(etag));
}

const BUFFERED_TYPES =
  /^(text\/html|application\/json|application\/(atom|rss)\+xml|application\/xml|text\/xml|text\/plain|text\/csv)/;
const MAX_BUFFERED = 2 * 1024 * 1024;

/**
 * Apply the policy to a finished response (pages: site/middleware.ts; API: api/middleware/http-cache.ts).
 * A public 200 gets its ETag, the shared-cache lifetime and, when the request's If-None-Match names
 * it, becomes a 304 without a body (CSV answers up to 2 MB too). Streams that are not text, and the
 * streamed exports, keep their own headers.
 */
export async function withCachePolicy(
  request: { method: string; path: string; headers: { get(name: string): string | null } },
  response: Response,
  sharedSeconds: number,
): Promise<Response> {
  const headers = response.headers;
  const ownPolicy = headers.get("Cache-Control");
  const publicRead =
    isPublicRead(request.method, request.path, request.headers.get("cookie")) &&
    !headers.has("Set-Cookie") &&
    !/no-store|private/.test(ownPolicy ?? "");
  if (!publicRead) {
    if (!ownPolicy || !/public/.test(ownPolicy) || headers.has("Set-Cookie")) headers.set("Cache-Control", NO_STORE);
    return response;
  }
  if (response.status !== 200) {
    // A 404 or a 400 about a bad filter may be cached briefly too (a burst of bad links); never a 5xx.
    if (response.status >= 500) headers.set("Cache-Control", NO_STORE);
    else if (!ownPolicy) headers.set("Cache-Control", publicCacheControl(sharedSeconds));
    return response;
  }
  const type = headers.get("Content-Type") ?? "";
  const length = Number(headers.get("Content-Length") ?? "0");
  if (!BUFFERED_TYPES.test(type) || length > MAX_BUFFERED || !response.body) {
    if (!ownPolicy) headers.set("Cache-Control", publicCacheControl(sharedSeconds));
    return response;
  }
  const body = new Uint8Array(await response.arrayBuffer());
  const etag = etagOf(body);
  const out = new Headers(headers);
  out.set("ETag", etag);
  out.set("Cache-Control", publicCacheControl(sharedSeconds));
  out.append("Vary", "Accept-Encoding");
  if (etagMatches(request.headers.get("if-none-match"), etag)) {
    out.delete("Content-Length");
    out.delete("Content-Type");
    return new Response(null, { status: 304, headers: out });
  }
  out.set("Content-Length", String(body.length));
  return new Response(request.method === "HEAD" ? null : body, {
    status: 200,
    statusText: response.statusText,
    headers: out,
  });
}
