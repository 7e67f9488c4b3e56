import { describe, expect, it } from "vitest";
import { api, expectEnvelope } from "../support/http";
import { postProject, trail } from "../support/money";

// For data users keeping a copy: updatedSince on the allocation and project lists (a bad timestamp is
// a 400 naming the parameter; withdrawals are included), and ETag / Last-Modified with 304 on the
// allocation exports.

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("updatedSince on the public lists", () => {
  it("refuses a timestamp that is not ISO 8601 with a 400 naming the parameter", async () => {
    for (const path of ["/api/funds", "/api/projects", "/api/notices", "/api/money/changes"]) {
      for (const bad of ["yesterday", "2026", "2026-13-01"]) {
        const r = await api(`${path}?updatedSince=${encodeURIComponent(bad)}`);
        expect(r.status, `${path} ${bad}`).toBe(400);
        expect(expectEnvelope(r.body).details).toEqual([{ path: "updatedSince", message: "时间格式有误" }]);
      }
    }
  });

  it("lists allocations created, corrected or withdrawn after the time, withdrawn ones included", async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    const { pub, allocationId } = await trail("100000.00", "60000.00");
    const since = (t: string) => api(`/api/funds?updatedSince=${encodeURIComponent(t)}`);
    const r = await since(before);
    expect(r.status).toBe(200);
    expect(r.body.items.map((a: { id: number }) => a.id)).toContain(allocationId);
    const later = new Date(Date.now() + 1000).toISOString();
    expect((await since(later)).body.total).toBe(0);

    await wait(1100);
    const w = await pub.call(`/api/funds/${allocationId}/withdrawal`, {
      method: "POST",
      json: { reason: "重复下达，撤回" },
    });
    expect(w.status).toBe(201);
    const after = await since(later);
    expect(after.body.items).toEqual([expect.objectContaining({ id: allocationId, status: "withdrawn" })]);
    // the plain list shows only active allocations
    expect((await api("/api/funds")).body.items.map((a: { id: number }) => a.id)).not.toContain(allocationId);
  });

  it("filters the project library and the notices by updatedSince", async () => {
    const { pub, v } = await trail("100000.00", "60000.00");
    const project = await postProject(pub, v);
    expect(project.status).toBe(201);
    const notice = await pub.call("/api/notices", {
      method: "POST",
      json: {
        title: "关于村道硬化工程安排的公示",
        district: v.district,
        town: v.town,
        projectName: "村道硬化工程",
        location: v.town,
        content: "硬化村道 2 公里",
        subsidyStandard: "据实补助",
        funding: "市级财政专项扶贫资金 30 万元",
        periodText: "2026年12月至2027年6月",
        implementer: "镇人民政府",
        performanceTarget: "方便 300 人出行",
        povertyMechanism: "务工收入",
        supervisionPhone: "12317",
      },
    });
    expect(notice.status, notice.text).toBe(201);
    for (const path of ["/api/projects", "/api/notices"]) {
      const all = await api(path);
      expect(all.status).toBe(200);
      expect(all.body.total, path).toBeGreaterThan(0);
      expect((await api(`${path}?updatedSince=2000-01-01`)).body.total).toBe(all.body.total);
      const future = new Date(Date.now() + 60_000).toISOString();
      expect((await api(`${path}?updatedSince=${encodeURIComponent(future)}`)).body.total).toBe(0);
    }
  });
});

describe("conditional GET on the allocation exports", () => {
  it("answers 304 while nothing changed (ETag or Last-Modified), 200 with a new ETag after a correction", async () => {
    const { pub, allocationId } = await trail("100000.00", "60000.00");
    for (const path of ["/api/funds/export.csv?district=高青县", "/api/funds/export.json"]) {
      const first = await api(path);
      expect(first.status).toBe(200);
      const etag = first.headers.get("etag");
      const lastModified = first.headers.get("last-modified");
      expect(etag).toMatch(/^W\/"funds-/);
      expect(Number.isNaN(Date.parse(lastModified ?? ""))).toBe(false);
      const same = await api(path, { headers: { "if-none-match": etag ?? "" } });
      expect(same.status).toBe(304);
      expect(same.text).toBe("");
      expect(same.headers.get("etag")).toBe(etag);
      expect((await api(path, { headers: { "if-modified-since": lastModified ?? "" } })).status).toBe(304);
      expect((await api(path, { headers: { "if-none-match": 'W/"other"' } })).status).toBe(200);
    }
    const path = "/api/funds/export.csv";
    const before = (await api(path)).headers.get("etag") ?? "";
    const c = await pub.call(`/api/funds/${allocationId}/corrections`, {
      method: "POST",
      json: { amount: "90000.00", reason: "金额录入有误" },
    });
    expect(c.status).toBe(201);
    const after = await api(path, { headers: { "if-none-match": before } });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(before);
    expect(after.text).toContain("90000.00");
  });
});

describe("validators on the other public reads", () => {
  it("gives the statistics CSV, the village page data and the progress summary an ETag and a 304", async () => {
    const { v } = await trail("100000.00", "60000.00");
    for (const path of [
      "/api/stats/hotline?format=csv",
      `/api/villages/${v.id}`,
      "/api/money/progress?groupBy=programme",
    ]) {
      const first = await api(path);
      expect(first.status, path).toBe(200);
      const etag = first.headers.get("etag");
      expect(etag, path).toMatch(/^W\//);
      const again = await api(path, { headers: { "if-none-match": etag ?? "" } });
      expect(again.status, path).toBe(304);
      expect(again.text).toBe("");
    }
  });
});
