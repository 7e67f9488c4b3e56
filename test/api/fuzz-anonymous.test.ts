import { sql } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { app } from "../../api/app";
import { rows } from "../../db/client";
import { testDatabase } from "../support/db";

// Property-based fuzzing of the anonymous operations (the app's route table minus staff routes): generated
// queries, path values and JSON bodies — including NUL, lone surrogates, huge numbers, wrong types —
// must never give a 5xx, never show a stack or SQL text, and a refused write (4xx) must write nothing.

const STAFF =
  /^\/api\/(console|intake|ledger)|\/(corrections|withdrawal|import|publish|amendments|stages|asset|approve|reject|moderation)\b/;

function anonymousGets() {
  const seen = new Set<string>();
  for (const r of app.routes) {
    if (r.method !== "GET" || r.path.includes("*") || STAFF.test(r.path)) continue;
    if (r.path.endsWith("/ready") || r.path.endsWith("/docs") || r.path.endsWith("/openapi.json")) continue;
    seen.add(r.path);
  }
  return [...seen];
}

const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.constantFrom("\u0000", "\ud800", "a\udc00b", "2147483648", "-1", "1e309", "%", "'; DROP TABLE x;--", "😀"),
  fc.integer().map(String),
  fc.bigInt().map(String),
);
const jsonValue = fc.oneof(nasty, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(nasty));

const LEAK = /\bat .+:\d+:\d+|Failed query|SELECT |INSERT INTO|syntax error|stack/i;

async function ticketCount() {
  const { db } = await testDatabase();
  const [r] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM tickets`);
  return r.n;
}

describe("anonymous operations under generated input", () => {
  const paths = anonymousGets();

  it("GET with generated path values and queries: never a 5xx or a leak", async () => {
    expect(paths.length).toBeGreaterThan(15);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        nasty,
        fc.dictionary(
          fc.constantFrom("q", "page", "pageSize", "year", "district", "town", "sort", "id", "groupBy"),
          nasty,
        ),
        async (path, value, query) => {
          const url = `${path.replace(/:[A-Za-z0-9_]+/g, () => encodeURIComponent(value.toWellFormed()).slice(0, 200) || "x")}?${new URLSearchParams(query)}`;
          const res = await app.request(url, {
            headers: { "X-Receipt": /^[\x20-\x7e]{1,60}$/.test(value) ? value : "x" },
          });
          const text = await res.text();
          expect(res.status, `${url} → ${text.slice(0, 200)}`).toBeLessThan(500);
          expect(LEAK.test(text), `${url} leaks: ${text.slice(0, 200)}`).toBe(false);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("POST /api/tickets with generated bodies: no 5xx, no leak, nothing written on a 4xx", async () => {
    const base = {
      kind: "complaint",
      category: "housing",
      title: "危房改造补助没有发放",
      description: "补助至今没有发放。",
      district: "高青县",
      reporter: { anonymous: true },
    };
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom(
            "kind",
            "category",
            "title",
            "description",
            "district",
            "town",
            "village",
            "noticeId",
            "subject",
            "reporter",
          ),
          jsonValue,
        ),
        async (over) => {
          const before = await ticketCount();
          const res = await app.request("/api/tickets", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ ...base, ...over }),
          });
          const text = await res.text();
          expect(res.status, text.slice(0, 200)).toBeLessThan(500);
          expect(LEAK.test(text), text.slice(0, 200)).toBe(false);
          if (res.status >= 400) expect(await ticketCount()).toBe(before);
        },
      ),
      { numRuns: 150 },
    );
  });
});
