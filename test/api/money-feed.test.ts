import { describe, expect, it } from "vitest";
import { api } from "../support/http";
import { PEOPLE, trail } from "../support/money";

// The change feed for data users (JSON with updatedSince) and the public project library / asset register.

describe("money change feed", () => {
  it("lists new allocations and disbursements newest first, filtered by updatedSince, without households", async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    const t = await trail("100000.00", "60000.00");
    const r = await api(`/api/money/changes?updatedSince=${encodeURIComponent(before)}`);
    expect(r.status).toBe(200);
    const kinds = r.body.items.map((c: { kind: string }) => c.kind);
    expect(kinds).toContain("allocation");
    expect(kinds).toContain("disbursement");
    expect(r.body.items.find((c: { kind: string }) => c.kind === "disbursement").path).toBe(`/funds/${t.allocationId}`);
    for (const p of PEOPLE) expect(r.text).not.toContain(p.name);
    const later = await api(
      `/api/money/changes?updatedSince=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    );
    expect(later.body.items).toEqual([]);
    expect((await api("/api/money/changes?updatedSince=yesterday")).status).toBe(400);
  });
});

describe("project library and asset register", () => {
  it("GET /api/projects filters by stage, district, year and category; bad filters are 400", async () => {
    const r = await api("/api/projects?district=高青县&stage=reserve");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ total: expect.any(Number), page: 1, pageSize: 50 });
    expect((await api("/api/projects?stage=done")).status).toBe(400);
    expect((await api("/api/projects?district=不存在县")).status).toBe(400);
    expect((await api("/api/projects?year=1999")).status).toBe(400);
    const a = await api("/api/assets?district=高青县");
    expect(a.status).toBe(200);
    expect(Array.isArray(a.body.items)).toBe(true);
  });
});
