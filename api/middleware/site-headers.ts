import type { MiddlewareHandler } from "hono";
import { applySecurityHeaders } from "../../lib/security-headers";
import { clientOf } from "./client";

/**
 * The site's security headers on every API response (registered first, so it has the last word),
 * HSTS only when the client came over HTTPS.
 */
export const siteHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  const options = { csp: true, https: clientOf(c).https };
  try {
    applySecurityHeaders(c.res.headers, options);
  } catch {
    // A response with immutable headers (e.g. Response.redirect): copy it, then add ours.
    c.res = new Response(c.res.body, c.res);
    applySecurityHeaders(c.res.headers, options);
  }
};
