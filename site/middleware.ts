import { defineMiddleware } from "astro:middleware";
import { randomUUID } from "node:crypto";
import { log } from "../lib/log";

const CSP = [
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

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Every response: request id, security headers, one log line. Page form posts must come from our own
 * origin (Astro's own check is off because it also refused Open311 clients that send no Origin).
 */
export const onRequest = defineMiddleware(async (context, next) => {
  const { request, url } = context;
  // /open311/ is the GeoReport API: its own request ids, logs and errors; clients post from anywhere.
  const isApi = url.pathname === "/api" || url.pathname.startsWith("/api/") || url.pathname.startsWith("/open311/");
  const started = performance.now();
  if (!isApi && !SAFE_METHODS.has(request.method)) {
    const origin = request.headers.get("origin");
    const fetchSite = request.headers.get("sec-fetch-site");
    if ((origin && origin !== url.origin) || fetchSite === "cross-site") {
      return new Response("跨站提交已被拒绝（Cross-site form submission refused）", {
        status: 403,
        headers: { "Content-Type": "text/plain; charset=utf-8" },
      });
    }
  }
  const requestId = isApi ? undefined : randomUUID();
  let response = await next();
  // Redirects and fetched responses have immutable headers; copy those before adding ours.
  try {
    response.headers.set("X-Content-Type-Options", "nosniff");
  } catch {
    response = new Response(response.body, response);
  }
  const headers = response.headers;
  if (requestId) headers.set("X-Request-Id", requestId);
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("Referrer-Policy", "same-origin");
  headers.set("X-Frame-Options", "DENY");
  headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  // Not in `astro dev`, whose client injects inline scripts.
  if (process.env.NODE_ENV !== "development" && !headers.has("Content-Security-Policy"))
    headers.set("Content-Security-Policy", CSP);
  if (!isApi) {
    log.info("page", {
      requestId,
      method: request.method,
      path: url.pathname,
      status: response.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  }
  return response;
});
