import { describe, expect, it } from "vitest";
import { app } from "../../api/app";

// Every path of the app's route table × every method it does not support answers 405 with Allow —
// before any guard (no session, so a guard running first would say 401), without reading a body (none
// is sent, nor a Content-Length), and never a 5xx.

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** A path pattern with its parameters filled in (any value reaches the method check). */
const concrete = (path: string) => path.replace(/:[A-Za-z0-9_]+/g, "1");
const matches = (pattern: string, path: string) =>
  new RegExp(`^${pattern.replace(/:[A-Za-z0-9_]+/g, "[^/]+")}$`).test(path);

/** Every path of the route table and the methods not registered for it (GET brings HEAD). */
function unsupportedByPath() {
  const byPath = new Map<string, Set<string>>();
  for (const r of app.routes) {
    if (r.method === "ALL" || r.path.includes("*")) continue;
    const methods = byPath.get(r.path) ?? new Set<string>();
    methods.add(r.method);
    if (r.method === "GET") methods.add("HEAD");
    byPath.set(r.path, methods);
  }
  return [...byPath.keys()].map((path) => {
    const url = concrete(path);
    // The concrete path may also match another pattern (e.g. /api/funds/1 and /api/funds/:id/…): the
    // methods of every pattern it matches are supported there.
    const supported = new Set<string>();
    for (const [other, methods] of byPath) if (matches(other, url)) for (const m of methods) supported.add(m);
    return { path, url, unsupported: METHODS.filter((m) => !supported.has(m)) };
  });
}

describe("a method a path does not support", () => {
  const table = unsupportedByPath();

  it("is generated from the app's route table", () => {
    expect(table.length).toBeGreaterThan(50);
    expect(table.find((p) => p.path === "/api/funds")?.unsupported).toContain("PUT");
  });

  it.each(table.map((p) => [p.path, p] as const))("%s: every other method → 405 with Allow", async (_p, entry) => {
    for (const method of entry.unsupported) {
      const res = await app.request(entry.url, { method });
      const text = await res.text();
      expect(res.status, `${method} ${entry.url}: ${text.slice(0, 200)}`).toBe(405);
      const allow = res.headers.get("allow")?.split(", ") ?? [];
      expect(allow.length, `${method} ${entry.url}`).toBeGreaterThan(0);
      expect(allow).not.toContain(method);
    }
  });
});
