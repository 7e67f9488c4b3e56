import { applySecurityHeaders, SECURITY_HEADERS } from "../../lib/security-headers";

// The security headers a response may carry: the site's set, plus the ones a second layer (such as
// Hono's secureHeaders) would add, so a test comparing two responses sees any header only one sends.
const NAMES = [
  ...Object.keys(SECURITY_HEADERS),
  "Content-Security-Policy",
  "Strict-Transport-Security",
  "Cross-Origin-Resource-Policy",
  "Origin-Agent-Cluster",
  "X-DNS-Prefetch-Control",
  "X-Download-Options",
  "X-Permitted-Cross-Domain-Policies",
  "X-XSS-Protection",
].map((n) => n.toLowerCase());

/** The security headers of a response, by lower-case name. */
export function securityHeadersOf(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of NAMES) {
    const value = headers.get(name);
    if (value !== null) out[name] = value;
  }
  return out;
}

/** What the one security-header layer sets on a page or API response (with its CSP). */
export function expectedSecurityHeaders(https: boolean): Record<string, string> {
  const headers = new Headers();
  applySecurityHeaders(headers, { csp: true, https });
  return securityHeadersOf(headers);
}
