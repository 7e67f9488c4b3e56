// The security headers every response carries, pages and API alike: the one layer that sets them
// (site/middleware.ts on pages, api/middleware/site-headers.ts on the API apps, which the server serves
// without Astro), so both doors send the same set.

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "object-src 'none'",
].join("; ");

export const SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
  "X-Frame-Options": "DENY",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
  // A window this site opens, or that opens it, from another origin gets no handle on it.
  "Cross-Origin-Opener-Policy": "same-origin",
};

/**
 * HSTS: only on a response to a request that came over HTTPS (directly or to a trusted proxy —
 * lib/client-address.ts). Over plain HTTP a browser ignores it, and a proxy-less test server must not
 * pin a name to HTTPS.
 */
export const STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains";

/** Set them on a response's headers; the CSP only where the response has none of its own. */
export function applySecurityHeaders(headers: Headers, options: { csp: boolean; https?: boolean }) {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) headers.set(k, v);
  if (options.csp && !headers.has("Content-Security-Policy"))
    headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  if (options.https) headers.set("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
  else headers.delete("Strict-Transport-Security");
}
