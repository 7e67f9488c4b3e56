import type { MiddlewareHandler } from "hono";
import { applySecurityHeaders } from "../../lib/security-headers";

/** The site's security headers on every API response (registered first, so it has the last word). */
export const siteHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  try {
    applySecurityHeaders(c.res.headers, { csp: true });
  } catch {
    // A response with immutable headers (e.g. Response.redirect): copy it, then add ours.
    c.res = new Response(c.res.body, c.res);
    applySecurityHeaders(c.res.headers, { csp: true });
  }
};
