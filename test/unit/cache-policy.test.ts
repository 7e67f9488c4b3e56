import { describe, expect, it } from "vitest";
import { etagMatches, etagOf, isPublicRead, NO_STORE, withCachePolicy } from "../../lib/cache-policy";

const req = (path: string, headers: Record<string, string> = {}, method = "GET") => ({
  method,
  path,
  headers: new Headers(headers),
});
const html = (body = "<p>公示</p>", headers: Record<string, string> = {}) =>
  new Response(body, { headers: { "Content-Type": "text/html; charset=utf-8", ...headers } });

describe("cache policy", () => {
  it("shares anonymous public reads only", () => {
    expect(isPublicRead("GET", "/notices/12", null)).toBe(true);
    expect(isPublicRead("GET", "/funds", null)).toBe(true);
    expect(isPublicRead("GET", "/api/funds/summary", null)).toBe(true);
    expect(isPublicRead("GET", "/villages/7", null)).toBe(true);
    expect(isPublicRead("GET", "/api/villages/7", null)).toBe(true);
    expect(isPublicRead("GET", "/api/money/progress", null)).toBe(true);
    expect(isPublicRead("GET", "/api/funds/7/trail", null)).toBe(true);
    expect(isPublicRead("GET", "/api/projects", null)).toBe(true);
    expect(isPublicRead("GET", "/payments/check", null)).toBe(false);
    expect(isPublicRead("GET", "/", null)).toBe(true);
    expect(isPublicRead("GET", "/track", null)).toBe(false);
    expect(isPublicRead("GET", "/report", null)).toBe(false);
    expect(isPublicRead("GET", "/console", null)).toBe(false);
    expect(isPublicRead("GET", "/api/tickets/ZB-2026-000001", null)).toBe(false);
    expect(isPublicRead("POST", "/funds", null)).toBe(false);
    expect(isPublicRead("GET", "/notices/12", "sunshine_staff=tok")).toBe(false);
  });

  it("a public page gets an ETag and s-maxage; revalidation with it is a 304 without a body", async () => {
    const first = await withCachePolicy(req("/notices/3"), html(), 10);
    expect(first.status).toBe(200);
    expect(first.headers.get("Cache-Control")).toBe("public, max-age=0, must-revalidate, s-maxage=10");
    const etag = first.headers.get("ETag")!;
    expect(etag).toMatch(/^W\/"/);
    expect(await first.text()).toBe("<p>公示</p>");
    const again = await withCachePolicy(req("/notices/3", { "If-None-Match": etag }), html(), 10);
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    const changed = await withCachePolicy(req("/notices/3", { "If-None-Match": etag }), html("<p>已更正</p>"), 10);
    expect(changed.status).toBe(200);
  });

  it("staff, forms, personal pages and anything setting a cookie are private, no-store", async () => {
    expect((await withCachePolicy(req("/track"), html(), 10)).headers.get("Cache-Control")).toBe(NO_STORE);
    const staff = await withCachePolicy(req("/notices/3", { Cookie: "sunshine_staff=x" }), html(), 10);
    expect(staff.headers.get("Cache-Control")).toBe(NO_STORE);
    expect(staff.headers.has("ETag")).toBe(false);
    const cookie = await withCachePolicy(req("/search"), html("x", { "Set-Cookie": "csrf=1" }), 10);
    expect(cookie.headers.get("Cache-Control")).toBe(NO_STORE);
    const own = await withCachePolicy(req("/funds"), html("x", { "Cache-Control": "no-store" }), 10);
    expect(own.headers.get("Cache-Control")).toBe(NO_STORE);
  });

  it("never lets a shared cache keep a server error", async () => {
    const res = await withCachePolicy(req("/funds"), new Response("x", { status: 503 }), 10);
    expect(res.headers.get("Cache-Control")).toBe(NO_STORE);
  });

  it("compares validators weakly", () => {
    const tag = etagOf(new TextEncoder().encode("a"));
    expect(etagMatches(tag.slice(2), tag)).toBe(true);
    expect(etagMatches(`"x", ${tag}`, tag)).toBe(true);
    expect(etagMatches('"x"', tag)).toBe(false);
  });
});
