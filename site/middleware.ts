import { defineMiddleware } from "astro:middleware";
import { randomUUID } from "node:crypto";
import { withCachePolicy } from "../lib/cache-policy";
import { env } from "../lib/env";
import { log } from "../lib/log";
import { applySecurityHeaders } from "../lib/security-headers";

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
  // nginx passes its $request_id on: the same id in its access log, ours and the response.
  const incomingId = request.headers.get("x-request-id");
  const requestId = isApi
    ? undefined
    : incomingId && /^[A-Za-z0-9_-]{8,64}$/.test(incomingId)
      ? incomingId
      : randomUUID();
  let response = await next();
  // Redirects and fetched responses have immutable headers; copy those before adding ours.
  try {
    response.headers.set("X-Content-Type-Options", "nosniff");
  } catch {
    response = new Response(response.body, response);
  }
  if (requestId) response.headers.set("X-Request-Id", requestId);
  // Not the CSP in `astro dev`, whose client injects inline scripts.
  applySecurityHeaders(response.headers, { csp: process.env.NODE_ENV !== "development" });
  // Shared-cache lifetime and validators for public pages, private no-store for the rest
  // (lib/cache-policy.ts). The API apps apply the same policy themselves.
  if (!isApi)
    response = await withCachePolicy(
      { method: request.method, path: url.pathname, headers: request.headers },
      response,
      env().PUBLIC_CACHE_SECONDS,
    );
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
