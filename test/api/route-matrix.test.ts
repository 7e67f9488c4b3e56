import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { app } from "../../api/app";
import { rows } from "../../db/client";
import { STAFF_ROLES, type StaffRole } from "../../domain/auth/principal";
import { file, type Signed, staff } from "../support/console";
import { testDatabase } from "../support/db";
import { api } from "../support/http";
import { exampleBody } from "../support/write-examples";

// The route × role matrix, generated from the app's own route table (app.routes), not a hand list of
// staff routes: every operation not in ANONYMOUS below must refuse a request without a session (401),
// with a forged session (401), and — for writes — with a missing or wrong CSRF token (403, nothing
// written), for every role. With the right token every role gets an answer that is not a 5xx, some role
// may use it, and every write that succeeds leaves an audit row. A new route without a guard fails here
// until it is either guarded or listed as anonymous on purpose.

/** Operations anyone may call without a staff session (public reads; reporters with a receipt; sign-in). */
const ANONYMOUS = new Set([
  "GET /api/health",
  "GET /api/health/live",
  "GET /api/health/ready",
  "GET /api/districts",
  "GET /api/categories",
  "GET /api/funds",
  "GET /api/funds/summary",
  "GET /api/funds/export.csv",
  "GET /api/funds/export.json",
  "GET /api/funds/datapackage.json",
  "GET /api/funds/:id",
  "GET /api/funds/:id/trail",
  "GET /api/money/progress",
  "GET /api/money/stuck",
  "GET /api/villages/:id",
  "GET /api/money/changes",
  "GET /api/money/datapackage.json",
  "GET /api/money/exports/:file",
  "GET /api/spending",
  "GET /api/spending/:id",
  "GET /api/housing-cases",
  "GET /api/housing-cases/:id",
  "GET /api/beneficiary-lists",
  "GET /api/beneficiary-lists/:id",
  "GET /api/projects/:id/inspections",
  "GET /api/projects/:id/income",
  "GET /api/projects/:id/income/:year",
  "GET /api/projects",
  "GET /api/assets",
  "POST /api/payments/check",
  "POST /api/payments/report-missing",
  "GET /api/projects/:id",
  "GET /api/notices",
  "GET /api/notices/:id",
  "GET /api/stats/hotline",
  "POST /api/tickets",
  "GET /api/tickets/:number",
  "POST /api/tickets/:number/messages",
  "POST /api/tickets/:number/rating",
  "POST /api/tickets/:number/reopen",
  "POST /api/tickets/:number/review",
  "POST /api/tickets/:number/evidence",
  "GET /api/tickets/:number/proof",
  "GET /api/tickets/:number/proof/opening",
  "GET /api/policies",
  "GET /api/policies/:slug",
  "GET /api/yearbook",
  "GET /api/yearbook/:year",
  "GET /api/archive/items",
  "GET /api/archive/items/:id",
  "POST /api/archive/items",
  "GET /api/honors",
  "GET /api/honors/:id",
  "POST /api/console/session",
  "DELETE /api/console/session",
  "GET /api/search",
  "GET /api/openapi.json",
  "GET /api/docs",
]);

/** Staff accounts' units, one per role. */
const UNIT: Record<StaffRole, string> = {
  operator: "city-hotline",
  handler: "gaoqing-housing",
  supervisor: "city-hotline",
  inspector: "city-discipline",
  publisher: "city-fpb",
  admin: "city-fpb",
};

/** Operations that end the caller's own session(s): the caller signs in again afterwards. */
const ENDS_SESSION = new Set(["DELETE /api/console/session", "POST /api/console/session/revoke-all"]);

/**
 * Writes whose example names records the matrix does not create (allocation, project, household 1):
 * the domain refuses the reference with a 400 naming it ("没有…", "…不在…"), which is the right answer.
 */
const REFERS_TO_ABSENT_RECORDS = new Set([
  "POST /api/disbursements",
  "POST /api/household-payments",
  "POST /api/spending",
  "POST /api/housing-cases",
  "POST /api/beneficiary-lists",
  "POST /api/household-payments/import",
  "POST /api/imports/:kind",
]);

/** The OpenAPI document, for the example bodies its request schemas give (test/support/write-examples.ts). */
const openapi = app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "Sunshine", version: "matrix" } });

/**
 * Writes the matrix's own fixtures (a fresh ticket, one session per role) let some role complete with
 * the example body: each must succeed for some role, and so leave an audit row. Other writes act on
 * records the matrix does not create (id 1) and may answer 404 or 409 — never 400 to the example.
 */
const SUCCEEDS = new Set([
  "POST /api/policies",
  "POST /api/yearbook/:year/chapters",
  "POST /api/console/session/revoke-all",
  "POST /api/honors",
  "POST /api/notices",
  "POST /api/ledger",
  "POST /api/projects",
  "POST /api/intake/phone",
  "PUT /api/console/tickets/:number/public-summary",
  "POST /api/console/tickets/:number/actions/:action",
  "POST /api/console/intake",
]);

interface Route {
  key: string;
  method: string;
  path: string;
}

/** The app's operations: its route table without middleware entries and wildcards. */
function routeTable(): Route[] {
  const seen = new Map<string, Route>();
  for (const r of app.routes) {
    if (r.method === "ALL" || r.method === "HEAD" || r.path.includes("*")) continue;
    const key = `${r.method} ${r.path}`;
    if (!seen.has(key)) seen.set(key, { key, method: r.method, path: r.path });
  }
  return [...seen.values()];
}

const routes = routeTable();
const guarded = routes.filter((r) => !ANONYMOUS.has(r.key));
const guardedWrites = guarded.filter((r) => r.method !== "GET");

let ticketNumber = "ZB-2026-000001";
const concrete = (path: string) =>
  path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) =>
    name === "number"
      ? ticketNumber
      : name === "year"
        ? "2018"
        : name === "action"
          ? "accept"
          : name === "kind"
            ? "households"
            : name === "slug" || name === "file"
              ? "x"
              : "1",
  );

async function call(route: Route, headers: Record<string, string>) {
  const init: RequestInit = { method: route.method, headers: { ...headers } };
  const body = route.method === "GET" ? null : exampleBody(openapi, route.key)?.();
  if (body instanceof FormData) init.body = body;
  else if (body !== null && body !== undefined) {
    (init.headers as Record<string, string>)["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await app.request(concrete(route.path), init);
  return { status: res.status, text: await res.text() };
}

async function auditCount() {
  const { db } = await testDatabase();
  const [r] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM audit_log`);
  return r.n;
}

let sessions: Record<StaffRole, Signed>;
let signedIn = 0;
const signIn = (role: StaffRole) => staff(role, UNIT[role], `${role}-matrix-${++signedIn}`);

// The database is reset before each test (test/support/setup-db.ts): a ticket and one session per role, anew.
beforeEach(async () => {
  ticketNumber = (await file()).ticket.number;
  sessions = Object.fromEntries(
    await Promise.all(STAFF_ROLES.map(async (role) => [role, await signIn(role)] as const)),
  ) as Record<StaffRole, Signed>;
});

describe("route table", () => {
  it("is read from the app", () => {
    expect(routes.length).toBeGreaterThan(50);
    expect(guarded.length).toBeGreaterThan(20);
    expect(routes.some((r) => r.key === "POST /api/tickets")).toBe(true);
  });
});

describe("example bodies", () => {
  it("exist for every write operation", () => {
    const missing = routes
      .filter((r) => r.method !== "GET" && exampleBody(openapi, r.key) === undefined)
      .map(
        (r) =>
          `${r.key}: no example body — give its OpenAPI request schema examples, or add one to test/support/write-examples.ts`,
      );
    expect(missing).toEqual([]);
  });
});

describe.each(guarded.map((r) => [r.key, r] as const))("%s", (_key, route) => {
  it("refuses no session and a forged session with 401", async () => {
    const none = await call(route, {});
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text).error.code).toBe("UNAUTHENTICATED");
    const forged = await call(route, { cookie: "sunshine_staff=forged-token-that-matches-nothing" });
    expect(forged.status).toBe(401);
  });

  it("answers every role without a 5xx, lets some role in, and audits every write that succeeds", async () => {
    const outcomes: Partial<Record<StaffRole, number>> = {};
    for (const role of STAFF_ROLES) {
      const s = sessions[role];
      const before = route.method === "GET" ? 0 : await auditCount();
      const res = await call(route, { cookie: s.cookie, "x-csrf-token": s.csrf });
      outcomes[role] = res.status;
      expect(res.status, `${role}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
      expect(res.status, role).not.toBe(401);
      const absentRecord = REFERS_TO_ABSENT_RECORDS.has(route.key) && /没有|不在/.test(res.text);
      if (route.method !== "GET" && res.status === 400 && !absentRecord) {
        expect.fail(`${role}: the example body of ${route.key} was refused: ${res.text.slice(0, 300)}`);
      }
      if (route.method !== "GET" && res.status < 300) {
        expect(await auditCount(), `${role} wrote without an audit row`).toBeGreaterThan(before);
      }
      if (ENDS_SESSION.has(route.key)) sessions[role] = await signIn(role);
    }
    const allowed = STAFF_ROLES.filter((r) => outcomes[r] !== 403);
    expect(allowed.length, JSON.stringify(outcomes)).toBeGreaterThan(0);
    if (SUCCEEDS.has(route.key)) {
      expect(
        Object.values(outcomes).some((s) => s < 300),
        `the example body succeeds for some role: ${JSON.stringify(outcomes)}`,
      ).toBe(true);
    }
  });
});

describe.each(guardedWrites.map((r) => [r.key, r] as const))("%s without the CSRF token", (_key, route) => {
  it("is refused with 403 for every role, and nothing is written", async () => {
    for (const role of STAFF_ROLES) {
      const s = sessions[role];
      const before = await auditCount();
      const missing = await call(route, { cookie: s.cookie });
      expect(missing.status, `${role} without token`).toBe(403);
      const wrong = await call(route, { cookie: s.cookie, "x-csrf-token": `${s.csrf.slice(0, -2)}xx` });
      expect(wrong.status, `${role} with a wrong token`).toBe(403);
      expect(await auditCount()).toBe(before);
    }
  });
});

/** Readiness says 503 until the server's start-up work is done, which in-process tests never run. */
const MAY_BE_UNAVAILABLE = new Set(["GET /api/health/ready"]);

describe.each(routes.filter((r) => ANONYMOUS.has(r.key) && r.method === "GET").map((r) => [r.key, r] as const))(
  "%s (anonymous)",
  (key, route) => {
    it("answers without a session and without a 5xx", async () => {
      const res = await api(concrete(route.path));
      if (!(MAY_BE_UNAVAILABLE.has(key) && res.status === 503)) {
        expect(res.status, res.text.slice(0, 200)).toBeLessThan(500);
      }
      expect(res.status).not.toBe(401);
    });
  },
);
