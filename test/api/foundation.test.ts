import { describe, expect, it } from "vitest";
import { testDriver } from "../support/db";
import { api, expectEnvelope } from "../support/http";

interface Village {
  deepPovertyArea: string | null;
  isProvincialKey: boolean;
  isDemo: boolean;
}
interface District {
  name: string;
  isKey: boolean;
  towns: { name: string; villages: Village[] }[];
}

describe("reference data", () => {
  it("lists the 11 districts with towns, villages and flags", async () => {
    const { status, body } = await api<District[]>("/api/districts");
    expect(status).toBe(200);
    expect(body.map((d) => d.name)).toEqual([
      "张店区",
      "淄川区",
      "博山区",
      "临淄区",
      "周村区",
      "桓台县",
      "高青县",
      "沂源县",
      "高新区",
      "经济开发区",
      "文昌湖省级旅游度假区",
    ]);
    const key = body.filter((d) => d.isKey).map((d) => d.name);
    expect(key).toEqual(["淄川区", "博山区", "高青县", "沂源县"]);
    const gaoqing = body.find((d) => d.name === "高青县")!;
    const flood = gaoqing.towns.flatMap((t) => t.villages).filter((v) => v.deepPovertyArea === "黄河滩区");
    expect(flood.length).toBeGreaterThan(0);
    expect(gaoqing.towns.flatMap((t) => t.villages).some((v) => v.isProvincialKey)).toBe(true);
    const taihe = body.find((d) => d.name === "淄川区")!.towns.find((t) => t.name === "太河镇")!;
    expect(taihe.villages.every((v) => v.deepPovertyArea === "太河库区" && v.isDemo)).toBe(true);
  });

  it("lists categories with their lead department (the routing table)", async () => {
    const { status, body } = await api<{ name: string; leadDepartment: string }[]>("/api/categories");
    expect(status).toBe(200);
    const byName = Object.fromEntries(body.map((c) => [c.name, c.leadDepartment]));
    expect(byName["危房改造"]).toBe("市住房城乡建设局");
    expect(byName["腐败和作风问题"]).toBe("市纪委监委机关");
    expect(byName["就业扶贫"]).toBe("市人力资源社会保障局");
    expect(byName["扶贫小额信贷/保险"]).toBe("市金融办");
    expect(body).toHaveLength(13);
    for (const c of body) expect(Object.keys(c).sort()).toEqual(["code", "leadDepartment", "name"]);
  });
});

describe("health and docs", () => {
  it("reports the database driver in use", async () => {
    const { status, body, headers } = await api("/api/health");
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "ok", database: testDriver(), search: "embedded" });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(headers.get("x-request-id")).toMatch(/^[\w-]{8,}$/);
  });

  it("serves an OpenAPI 3.1 document and a readable reference", async () => {
    const doc = await api("/api/openapi.json");
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe("3.1.0");
    expect(Object.keys(doc.body.paths).filter((p) => p.startsWith("/api/api/"))).toEqual([]);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(["/api/districts", "/api/categories", "/api/health"]),
    );
    const page = await api("/api/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.text).toContain("/api/districts");
  });
});

describe("the error envelope", () => {
  it("404 for an unknown route", async () => {
    const { status, body } = await api("/api/no-such-thing");
    expect(status).toBe(404);
    expect(expectEnvelope(body).code).toBe("NOT_FOUND");
  });

  it("405 with Allow for a wrong method", async () => {
    const { status, body, headers } = await api("/api/districts", { method: "DELETE" });
    expect(status).toBe(405);
    expect(expectEnvelope(body).code).toBe("METHOD_NOT_ALLOWED");
    expect(headers.get("allow")).toContain("GET");
  });

  it("413 for an oversized body", async () => {
    const big = "x".repeat(2 * 1024 * 1024);
    // A route that takes a body: on one that does not, the method is refused first (405).
    const { status, body } = await api("/api/tickets", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(big.length) },
      body: big,
    });
    expect(status).toBe(413);
    expect(expectEnvelope(body).code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("never leaks a stack trace", async () => {
    const { text } = await api("/api/no-such-thing");
    expect(text).not.toMatch(/at .*\.ts:\d+/);
  });
});
