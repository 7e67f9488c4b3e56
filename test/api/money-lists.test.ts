import { sql } from "drizzle-orm";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { verifyAuditChain } from "../../domain/audit/audit-log";
import { publishBeneficiaryList } from "../../domain/money/beneficiary-lists";
import { createHousingCase } from "../../domain/money/housing-cases";
import { createNotice } from "../../domain/notices/notices";
import { exec, type staff } from "../support/console";
import { testDatabase } from "../support/db";
import { api, expectEnvelope } from "../support/http";
import { idn, PEOPLE, trail } from "../support/money";

// Beneficiary 公示 lists imported from CSV (the households named by ID number, all rows or none, a
// masked row report; the rows of one village, kind and period make one list published as one notice),
// and `updatedSince` on the public lists of spending, 危房改造 cases and 公示 lists.

type Pub = Awaited<ReturnType<typeof staff>>;
const gbk = (s: string) => new Uint8Array(iconv.encode(s, "gbk"));
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function listUpload(pub: Pub, bytes: Uint8Array, dryRun = false) {
  const form = new FormData();
  form.set("file", new File([new Uint8Array(bytes)], "名单.csv", { type: "text/csv" }));
  return pub.call(`/api/imports/beneficiary-lists${dryRun ? "?dryRun=true" : ""}`, { method: "POST", body: form });
}

async function countOf(table: "beneficiary_lists" | "notices" | "beneficiary_list_entries") {
  const [{ n }] = await exec(sql`SELECT count(*)::int AS n FROM ${sql.raw(table)}`);
  return Number(n);
}

function expectNoPersonalData(text: string) {
  for (const p of PEOPLE) {
    expect(text).not.toContain(p.idNumber);
    expect(text).not.toContain(p.idNumber.slice(4, 14));
    expect(text).not.toContain(p.name);
  }
}

const HEADER = "区县,镇办,村,名单类型,身份证号码,户主姓名,金额,备注\n";

describe("CSV import of beneficiary 公示 lists", () => {
  it("GBK: unknown household and a wrong name refuse the whole file (masked report); fixed, one list per kind", async () => {
    const { db } = await testDatabase();
    const t = await trail();
    const place = `${t.v.district},${t.v.town},${t.v.village}`;
    const stranger = idn("37032219990909000");
    const bad =
      HEADER +
      `${place},收益分红,${PEOPLE[0].idNumber},${PEOPLE[0].name},300,光伏收益\n` +
      `${place},收益分红,${stranger},陌生人,300,光伏收益\n` +
      `${place},收益分红,${PEOPLE[1].idNumber},李五,300,光伏收益\n` +
      `${place},分红,${PEOPLE[2].idNumber},,300,光伏收益\n` +
      `${place},收益分红,${PEOPLE[0].idNumber},,300,重复\n`;
    const refused = await listUpload(t.pub, gbk(bad));
    expect(refused.status).toBe(400);
    const problems = refused.body.error.details.problems as { row: number; column: string; value: string | null }[];
    expect(problems.map((p) => [p.row, p.column])).toEqual([
      [3, "身份证号码"],
      [4, "户主姓名"],
      [5, "名单类型"],
      [6, "身份证号码"],
    ]);
    expect(problems[0].value).toBe(`${stranger.slice(0, 4)}**********${stranger.slice(-4)}`);
    expect(refused.text).not.toContain(stranger);
    expect(refused.text).not.toContain("陌生人");
    expectNoPersonalData(refused.text);
    expect(await countOf("beneficiary_lists")).toBe(0);
    expect(await countOf("notices")).toBe(0);

    // A period under the notice rule's 10 days is refused by the list's verb, named on its first row.
    const short = await listUpload(
      t.pub,
      gbk(`${HEADER.trim()},公示天数\n${place},贫困户退出,${PEOPLE[3].idNumber},,,,5\n`),
    );
    expect(short.status).toBe(400);
    expect(short.body.error.details.problems).toEqual([
      expect.objectContaining({ row: 2, column: "公示天数", problem: expect.stringContaining("公示期不得少于 10 天") }),
    ]);
    expect(await countOf("notices")).toBe(0);

    const fixed =
      HEADER +
      PEOPLE.map((p) => `${place},收益分红,${p.idNumber},${p.name},300,光伏收益`).join("\n") +
      `\n${place},贫困户退出,${PEOPLE[3].idNumber},,,\n${place},贫困户退出,${PEOPLE[1].idNumber},,,\n`;
    const dry = await listUpload(t.pub, gbk(fixed), true);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ encoding: "gbk", count: 6, dryRun: true });
    expect(await countOf("notices")).toBe(0);
    const done = await listUpload(t.pub, gbk(fixed));
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({ encoding: "gbk", count: 6 });
    expect(done.body.ids).toHaveLength(2);
    expect(await countOf("notices")).toBe(2);
    expect(await countOf("beneficiary_list_entries")).toBe(6);

    const dividend = await api(`/api/beneficiary-lists/${done.body.ids[0]}`);
    expect(dividend.body).toMatchObject({ kind: "dividend", households: 4, total: "1200.00" });
    expect(dividend.body.entries.map((e: { nameMasked: string }) => e.nameMasked)).toEqual([
      "张*明",
      "李*",
      "欧**红",
      "王*福",
    ]);
    const exits = await api(`/api/beneficiary-lists/${done.body.ids[1]}`);
    expect(exits.body).toMatchObject({ kind: "exit", households: 2, total: null });
    const listed = await api(`/api/beneficiary-lists?villageId=${t.v.id}`);
    expect(listed.body.items.map((l: { id: number }) => l.id).sort()).toEqual([...done.body.ids].sort());
    expectNoPersonalData(listed.text);

    const audits = await exec(
      sql`SELECT action, details::text AS details FROM audit_log WHERE action LIKE 'beneficiary_list.%' ORDER BY id`,
    );
    expect(audits.map((a) => a.action)).toEqual([
      "beneficiary_list.publish",
      "beneficiary_list.publish",
      "beneficiary_list.import",
    ]);
    expectNoPersonalData(JSON.stringify(audits));
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });
});

describe("updatedSince on the spending, 危房改造 and 公示 list APIs", () => {
  it("refuses a timestamp that is not ISO 8601 with a 400 naming the parameter", async () => {
    const t = await trail();
    for (const path of [
      "/api/spending?projectId=1",
      `/api/housing-cases?villageId=${t.v.id}`,
      "/api/beneficiary-lists",
    ]) {
      for (const bad of ["yesterday", "2026", "2026-13-01"]) {
        const r = await api(`${path}${path.includes("?") ? "&" : "?"}updatedSince=${encodeURIComponent(bad)}`);
        expect(r.status, `${path} ${bad}`).toBe(400);
        expect(expectEnvelope(r.body).details).toEqual([{ path: "updatedSince", message: "时间格式有误" }]);
      }
    }
    const neither = await api("/api/spending");
    expect(neither.status).toBe(400);
    expect(expectEnvelope(neither.body).details).toEqual([
      { path: "projectId", message: "请给出项目编号 projectId 或 updatedSince" },
    ]);
  });

  it("spending: records created, corrected or withdrawn after the time, across projects, withdrawn included", async () => {
    const t = await trail();
    const project = await t.pub.call("/api/projects", {
      method: "POST",
      json: {
        name: "村道硬化工程",
        year: 2026,
        district: t.v.district,
        town: t.v.town,
        village: t.v.village,
        categoryCode: "industry",
      },
    });
    expect(project.status).toBe(201);
    const before = new Date(Date.now() - 1000).toISOString();
    const spent = await t.pub.call("/api/spending", {
      method: "POST",
      json: {
        projectId: project.body.id,
        payee: "高青县路桥工程有限公司",
        contractNo: "GQ-9",
        amount: "20000",
        paidOn: "2026-07-01",
        stage: "implementing",
      },
    });
    expect(spent.status).toBe(201);
    const since = (time: string) => api(`/api/spending?updatedSince=${encodeURIComponent(time)}`);
    const r = await since(before);
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([
      expect.objectContaining({ id: spent.body.id, status: "active", updatedAt: expect.any(String) }),
    ]);
    expect(r.body.total).toBe("20000.00");
    const later = new Date(Date.now() + 1000).toISOString();
    expect((await since(later)).body.items).toEqual([]);
    await wait(1100);
    const withdrawn = await t.pub.call(`/api/spending/${spent.body.id}/withdrawal`, {
      method: "POST",
      json: { reason: "合同录入重复" },
    });
    expect(withdrawn.status).toBe(201);
    const after = await since(later);
    expect(after.body.items).toEqual([expect.objectContaining({ id: spent.body.id, status: "withdrawn" })]);
    expect(after.body.total).toBe("0.00");
    // With the project as well: that project's changes only.
    const of = await api(`/api/spending?projectId=${project.body.id}&updatedSince=${encodeURIComponent(later)}`);
    expect(of.body.items).toHaveLength(1);
    expect(
      (await api(`/api/spending?projectId=${project.body.id + 1}&updatedSince=${encodeURIComponent(before)}`)).body
        .items,
    ).toEqual([]);
  });

  it("危房改造: only the cases in 公示 whose record or notice changed after the time; counts unchanged", async () => {
    const { db } = await testDatabase();
    const t = await trail();
    const before = new Date(Date.now() - 1000).toISOString();
    const ids: number[] = [];
    for (const h of t.households.slice(0, 3))
      ids.push(
        await createHousingCase(
          db,
          { householdId: h, year: 2026, grade: "D", method: "rebuild", amount: "30000", appliedOn: "2026-03-01" },
          t.pub.id,
        ),
      );
    const noticeId = await createNotice(
      db,
      {
        title: `${t.v.village}危房改造评议结果公示`,
        district: t.v.district,
        town: t.v.town,
        village: t.v.village,
        content: "评议结果。",
        periodDays: 10,
      },
      t.pub.id,
    );
    const reviewed = await t.pub.call(`/api/housing-cases/${ids[0]}/stages`, {
      method: "POST",
      json: { stage: "village_review", on: "2026-03-10", noticeId },
    });
    expect(reviewed.status).toBe(201);
    const since = (time: string) =>
      api(`/api/housing-cases?villageId=${t.v.id}&updatedSince=${encodeURIComponent(time)}`);
    const r = await since(before);
    expect(r.status).toBe(200);
    expect(r.body.cases).toEqual([expect.objectContaining({ id: ids[0], nameMasked: "张*明" })]);
    const future = await since(new Date(Date.now() + 60_000).toISOString());
    expect(future.body.cases).toEqual([]);
    expect(future.body.total).toBe(3);
    expectNoPersonalData(r.text);
  });

  it("公示 lists: those published or withdrawn after the time, oldest change first", async () => {
    const { db } = await testDatabase();
    const t = await trail();
    const before = new Date(Date.now() - 1000).toISOString();
    const first = await publishBeneficiaryList(
      db,
      { kind: "identify", villageId: t.v.id, entries: t.households.map((h) => ({ householdId: h })) },
      t.pub.id,
    );
    const since = (time: string) => api(`/api/beneficiary-lists?updatedSince=${encodeURIComponent(time)}`);
    expect((await since(before)).body.items.map((l: { id: number }) => l.id)).toEqual([first.listId]);
    const later = new Date(Date.now() + 1000).toISOString();
    expect((await since(later)).body.items).toEqual([]);
    await wait(1100);
    const withdrawn = await t.pub.call(`/api/notices/${first.noticeId}/withdrawal`, {
      method: "POST",
      json: { reason: "名单有误，重新公示" },
    });
    expect(withdrawn.status).toBe(200);
    const after = await since(later);
    expect(after.body.items).toEqual([expect.objectContaining({ id: first.listId, entries: null })]);
    expect(Date.parse(after.body.items[0].updatedAt)).toBeGreaterThan(Date.parse(later) - 1);
    expectNoPersonalData(after.text);
    expect((await api(`/api/beneficiary-lists?villageId=${t.v.id + 100000}`)).body.items).toEqual([]);
  });
});

describe("the village page's notices", () => {
  it("count the objections to each notice and how many were handled", async () => {
    const { db } = await testDatabase();
    const t = await trail();
    const noticeId = await createNotice(
      db,
      {
        title: `${t.v.village}道路硬化项目公示`,
        district: t.v.district,
        town: t.v.town,
        village: t.v.village,
        content: "硬化村道 2 公里。",
      },
      t.pub.id,
    );
    for (let i = 0; i < 3; i++) {
      const r = await api("/api/tickets", {
        method: "POST",
        json: {
          kind: "objection",
          noticeId: String(noticeId),
          category: "housing",
          title: `对道路硬化项目公示有异议 ${i + 1}`,
          description: "公示的施工长度与实际不符，请核实。",
          district: t.v.district,
          town: t.v.town,
          reporter: { anonymous: true },
        },
      });
      expect(r.status, r.text).toBe(201);
    }
    const of = async () =>
      (await api(`/api/villages/${t.v.id}`)).body.notices.find((n: { id: number }) => n.id === noticeId);
    expect(await of()).toMatchObject({ objections: 3, objectionsClosed: 0 });
    await exec(sql`UPDATE tickets SET status = 'closed', closed_at = now() WHERE notice_id = ${noticeId}`);
    expect(await of()).toMatchObject({ objections: 3, objectionsClosed: 3 });
  });
});
