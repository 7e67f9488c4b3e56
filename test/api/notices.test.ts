import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rows } from "../../db/client";
import { createNotice } from "../../domain/notices/notices";
import { addDays, todayCn } from "../../domain/notices/state";
import { seedFundsDemo } from "../../seed/funds";
import type { FieldErrors, Items, KeyRow } from "../support/api-types";
import { staff } from "../support/console";
import { testDatabase } from "../support/db";
import { api, expectEnvelope } from "../support/http";
import { workshopNotice } from "../support/notices";

/** A notice in a list answer, with the fields the filters work on. */
interface NoticeItem {
  state: string;
  district: string;
  town: string | null;
  periodStart: string;
  daysLeft: number;
}
type NoticeList = Items<NoticeItem> & { total: number };

const notice = workshopNotice;

describe("notices", () => {
  it("publishes with a default 10-day period and shows the objection link while in period", async () => {
    const pub = await staff("publisher", "city-fpb");
    const r = await pub.call("/api/notices", { method: "POST", json: notice });
    expect(r.status, r.text).toBe(201);
    const today = todayCn();
    expect(r.body).toMatchObject({
      state: "in_period",
      stateLabel: "公示中",
      periodDays: 10,
      periodStart: today,
      periodEnd: addDays(today, 9),
      daysLeft: 10,
      objectionUrl: `/report?kind=objection&noticeId=${r.body.id}`,
      objections: { count: 0, outcomes: [] },
    });
    expect(r.body.fields).toMatchObject({ projectName: "常家镇扶贫车间", supervisionPhone: "12317" });
    const pubGet = await api(`/api/notices/${r.body.id}`);
    expect(pubGet.status).toBe(200);
    const { db } = await testDatabase();
    const [a] = await rows<{ action: string }>(
      db,
      sql`SELECT action FROM audit_log WHERE subject_type = 'notice' ORDER BY id DESC LIMIT 1`,
    );
    expect(a.action).toBe("notice.publish");
  });

  it("refuses a period under 10 days, unknown places, and anonymous publishers", async () => {
    const pub = await staff("publisher", "city-fpb");
    for (const days of [6, 7, 9]) {
      const short = await pub.call("/api/notices", { method: "POST", json: { ...notice, periodDays: days } });
      expect(short.status).toBe(400);
      expect(expectEnvelope(short.body).message).toContain("10 天");
    }
    // The rule is the domain's, whatever the door: a direct call is refused the same way.
    const { db } = await testDatabase();
    await expect(createNotice(db, { ...notice, periodDays: 7 } as never, null)).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    const ten = await pub.call("/api/notices", { method: "POST", json: { ...notice, periodDays: 10 } });
    expect(ten.status).toBe(201);
    expect(ten.body.periodEnd).toBe(addDays(todayCn(), 9));
    const place = await pub.call("/api/notices", { method: "POST", json: { ...notice, town: "不存在镇" } });
    expect(place.status).toBe(400);
    expect((expectEnvelope(place.body).details as FieldErrors)[0].path).toBe("town");
    expect((await api("/api/notices", { method: "POST", json: notice })).status).toBe(401);
  });

  it("keeps drafts private until published", async () => {
    const pub = await staff("publisher", "city-fpb");
    const d = await pub.call("/api/notices", { method: "POST", json: { ...notice, publish: false } });
    expect(d.status).toBe(201);
    expect(d.body.state).toBe("draft");
    expect((await api(`/api/notices/${d.body.id}`)).status).toBe(404);
    expect((await api("/api/notices")).body.total).toBe(0);
    const p = await pub.call(`/api/notices/${d.body.id}/publish`, { method: "POST" });
    expect(p.status).toBe(200);
    expect(p.body.state).toBe("in_period");
    expect((await pub.call(`/api/notices/${d.body.id}/publish`, { method: "POST" })).status).toBe(409);
  });

  it("amends: the original stays visible, marked, with the history on both", async () => {
    const pub = await staff("publisher", "city-fpb");
    const first = await pub.call("/api/notices", { method: "POST", json: notice });
    const am = await pub.call(`/api/notices/${first.body.id}/amendments`, {
      method: "POST",
      json: { content: "新建扶贫车间 1,500 平方米", reason: "面积有误，更正" },
    });
    expect(am.status, am.text).toBe(201);
    expect(am.body).toMatchObject({ amendsId: first.body.id, amendReason: "面积有误，更正", state: "in_period" });
    expect(am.body.fields.content).toBe("新建扶贫车间 1,500 平方米");
    expect(am.body.fields.projectName).toBe("常家镇扶贫车间");
    const orig = await api(`/api/notices/${first.body.id}`);
    expect(orig.body).toMatchObject({
      state: "amended",
      stateLabel: "已更正",
      supersededById: am.body.id,
      objectionUrl: null,
    });
    expect(orig.body.history.map((h: { id: number }) => h.id)).toEqual([first.body.id, am.body.id]);
    const again = await pub.call(`/api/notices/${first.body.id}/amendments`, {
      method: "POST",
      json: { reason: "再改一次" },
    });
    expect(again.status).toBe(409);
  });

  it("withdraws with a public reason", async () => {
    const pub = await staff("publisher", "city-fpb");
    const n = await pub.call("/api/notices", { method: "POST", json: notice });
    const w = await pub.call(`/api/notices/${n.body.id}/withdrawal`, { method: "POST", json: { reason: "发布有误" } });
    expect(w.status).toBe(200);
    expect(w.body).toMatchObject({ state: "withdrawn", withdrawReason: "发布有误", objectionUrl: null });
    expect(
      (await pub.call(`/api/notices/${n.body.id}/withdrawal`, { method: "POST", json: { reason: "发布有误" } })).status,
    ).toBe(409);
  });

  it("lists with filters: district, town, state, year, q", async () => {
    await seedFundsDemo((await testDatabase()).db);
    const all = await api<Items<NoticeItem>>("/api/notices?pageSize=100");
    expect(all.status).toBe(200);
    const states = new Set(all.body.items.map((i) => i.state));
    expect([...states].sort()).toEqual(["amended", "ended", "in_period", "withdrawn"]);
    const gq = await api<NoticeList>(`/api/notices?${encodeURI("district=高青县&state=in_period")}`);
    expect(gq.body.total).toBeGreaterThanOrEqual(1);
    expect(gq.body.items.every((i) => i.district === "高青县" && i.state === "in_period" && i.daysLeft > 0)).toBe(true);
    const y2018 = await api<NoticeList>("/api/notices?year=2018");
    expect(y2018.body.items.every((i) => i.periodStart.startsWith("2018"))).toBe(true);
    expect(y2018.body.total).toBe(2);
    const q = await api(`/api/notices?q=${encodeURIComponent("光伏")}`);
    expect(q.body.total).toBe(1);
    const town = await api(`/api/notices?${encodeURI("district=高青县&town=常家镇")}`);
    expect(town.body.items.every((i: NoticeItem) => i.town === "常家镇")).toBe(true);
    expect((await api(`/api/notices?${encodeURI("district=火星县")}`)).status).toBe(400);
    expect((await api("/api/notices?state=bogus")).status).toBe(400);
    expect((await api("/api/notices?year=1900")).status).toBe(400);
  });

  it("demo seeder is idempotent and has corrected 高青县 2018 village allocations", async () => {
    const { db } = await testDatabase();
    await seedFundsDemo(db);
    const [{ n }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM fund_allocations`);
    await seedFundsDemo(db);
    const [{ n: n2 }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM fund_allocations`);
    expect(n2).toBe(n);
    const r = await api(`/api/funds?${encodeURI("district=高青县&year=2018")}&pageSize=200`);
    expect(r.body.items.some((i: { corrected: boolean; village: string | null }) => i.corrected && i.village)).toBe(
      true,
    );
    const d = await api("/api/funds/summary?groupBy=district");
    expect(d.body.rows).toHaveLength(11);
    const y = await api("/api/funds/summary?groupBy=year");
    expect(y.body.rows.map((x: KeyRow) => x.key)).toEqual([
      "2018",
      "2019",
      "2020",
      "2021",
      "2022",
      "2023",
      "2024",
      "2025",
    ]);
  });
});

describe("projects", () => {
  it("moves through the stages one dated step at a time and registers assets after acceptance", async () => {
    const pub = await staff("publisher", "city-fpb");
    const p = await pub.call("/api/projects", {
      method: "POST",
      json: {
        name: "光伏扶贫电站",
        year: 2019,
        district: "沂源县",
        categoryCode: "产业扶贫",
        fundingAmount: "1200000",
        reservedOn: "2019-02-01",
      },
    });
    expect(p.status, p.text).toBe(201);
    expect(p.body).toMatchObject({ stage: "reserve", stageLabel: "项目储备" });
    const skip = await pub.call(`/api/projects/${p.body.id}/stages`, {
      method: "POST",
      json: { stage: "implementing", happenedOn: "2019-03-01" },
    });
    expect(skip.status).toBe(409);
    const early = await pub.call(`/api/projects/${p.body.id}/asset`, {
      method: "PUT",
      json: {
        assetName: "电站",
        owner: "村集体",
        manager: "村委会",
        maintenance: "村集体",
        registeredOn: "2019-12-01",
      },
    });
    expect(early.status).toBe(409);
    const steps: [string, string][] = [
      ["approved", "2019-03-01"],
      ["implementing", "2019-04-01"],
      ["accepted", "2019-11-20"],
    ];
    for (const [stage, happenedOn] of steps) {
      const r = await pub.call(`/api/projects/${p.body.id}/stages`, { method: "POST", json: { stage, happenedOn } });
      expect(r.status, r.text).toBe(201);
    }
    const back = await pub.call(`/api/projects/${p.body.id}/stages`, {
      method: "POST",
      json: { stage: "maintenance", happenedOn: "2019-01-01" },
    });
    expect(back.status).toBe(400);
    const asset = await pub.call(`/api/projects/${p.body.id}/asset`, {
      method: "PUT",
      json: {
        assetName: "300kW 光伏电站",
        assetValue: "1200000",
        owner: "村集体经济组织",
        manager: "村委会",
        maintenance: "运维单位巡检",
        registeredOn: "2019-12-01",
      },
    });
    expect(asset.status, asset.text).toBe(200);
    const pubView = await api(`/api/projects/${p.body.id}`);
    expect(
      pubView.body.stages.map((s: { label: string; happenedOn: string | null }) => [s.label, s.happenedOn]),
    ).toEqual([
      ["项目储备", "2019-02-01"],
      ["遴选立项", "2019-03-01"],
      ["组织实施", "2019-04-01"],
      ["竣工验收", "2019-11-20"],
    ]);
    expect(pubView.body.asset).toMatchObject({ owner: "村集体经济组织", assetValue: "1200000.00" });
    expect((await api("/api/projects/99999")).status).toBe(404);
  });
});
