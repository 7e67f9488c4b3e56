import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { publishBeneficiaryList } from "../../domain/money/beneficiary-lists";
import { createHousingCase } from "../../domain/money/housing-cases";
import { openDataset, openDatasetCsv } from "../../domain/money/open-data";
import { createHouseholdPayment } from "../../domain/money/payments";
import { createSpending } from "../../domain/money/spending";
import { recordAssetIncome } from "../../domain/projects/asset-income";
import { recordInspection } from "../../domain/projects/inspections";
import { advanceProject, createProject, registerAsset } from "../../domain/projects/projects";
import { testDatabase } from "../support/db";
import { api } from "../support/http";
import { PEOPLE, trail } from "../support/money";

// The money trail's open data: the Data Package describes every export exactly as the export writes
// it — each resource's fields are the header of the real file, in order, and every cell of every row
// has its field's type — so the description cannot drift from the files. Small groups of households
// stay empty, no personal data appears, and an unchanged file answers 304.

type Field = { name: string; type: string; constraints?: { enum: string[] } };
type Resource = { name: string; path: string; schema: { fields: Field[] } };

const CELL: Record<string, RegExp> = {
  integer: /^-?\d+$/,
  number: /^-?\d+(\.\d+)?$/,
  year: /^\d{4}$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  string: /^[\s\S]*$/,
};

/** Every kind of record on the money trail, in one village. */
async function moneyTrail() {
  const { db } = await testDatabase();
  const t = await trail();
  const payment = { disbursementId: t.disbursementId, programme: "housing", period: "2026", amount: "1000.00" };
  for (const householdId of t.households.slice(0, 3))
    await createHouseholdPayment(db, { ...payment, householdId, paidOn: "2026-05-01" }, t.pub.id);
  // Two cases only: their village's totals must stay empty.
  for (const h of t.households.slice(0, 2))
    await createHousingCase(
      db,
      { householdId: h, year: 2026, grade: "D", method: "rebuild", amount: "30000", appliedOn: "2026-03-01" },
      t.pub.id,
    );
  await publishBeneficiaryList(
    db,
    {
      kind: "dividend",
      villageId: t.v.id,
      entries: t.households.map((householdId) => ({ householdId, amount: "300.00" })),
    },
    t.pub.id,
  );
  const project = await createProject(
    db,
    {
      name: "光伏扶贫电站",
      year: 2024,
      district: t.v.district,
      town: t.v.town,
      village: t.v.village,
      categoryCode: "industry",
      reservedOn: "2024-01-02",
    },
    t.pub.id,
  );
  for (const [i, stage] of (["approved", "implementing", "accepted"] as const).entries())
    await advanceProject(db, project, { stage, happenedOn: `2024-0${i + 3}-01` }, t.pub.id);
  await registerAsset(
    db,
    project,
    {
      assetName: "村级光伏电站",
      owner: "村集体",
      manager: "村委会",
      maintenance: "村委会负责管护",
      registeredOn: "2024-07-01",
    },
    t.pub.id,
  );
  await createSpending(
    db,
    {
      projectId: project,
      disbursementId: null,
      payee: "淄博光伏科技有限公司",
      contractNo: "HT-2024-01",
      amount: "20000.00",
      paidOn: "2024-05-01",
      purpose: '设备采购，含逗号, 和"引号"',
      stage: "implementing",
    },
    t.pub.id,
  );
  await recordInspection(
    db,
    project,
    { inspectedOn: "2025-06-01", inspector: "镇扶贫办", condition: "good", findings: "运行正常" },
    t.pub.id,
  );
  await recordInspection(
    db,
    project,
    { inspectedOn: "2025-12-01", inspector: "县扶贫办", condition: "repair" },
    t.pub.id,
  );
  await recordAssetIncome(
    db,
    project,
    { year: 2025, income: "50000", toHouseholds: "30000", toCollective: "15000" },
    t.pub.id,
  );
  return { ...t, project };
}

async function download(url: string, headers: Record<string, string> = {}) {
  const r = await api(new URL(url).pathname, { headers });
  return r;
}

describe("money trail open data", () => {
  it("describes every export exactly as it is written: header = fields, every cell of its field's type", async () => {
    const t = await moneyTrail();
    const { db } = await testDatabase();
    const pkg = await api("/api/money/datapackage.json");
    expect(pkg.status).toBe(200);
    const resources = pkg.body.resources as Resource[];
    expect(resources.map((r) => r.name)).toEqual([
      "fund-allocations",
      "disbursements",
      "spending",
      "household-payment-totals",
      "housing-case-totals",
      "beneficiary-list-totals",
      "asset-inspections",
      "asset-income",
    ]);
    const files: Record<string, Record<string, string>[]> = {};
    for (const res of resources) {
      const r = await download(res.path);
      expect(r.status, res.name).toBe(200);
      expect(r.headers.get("content-type")).toMatch(/^text\/csv/);
      const [header, ...records] = parse(r.text, { bom: true, relax_column_count: true }) as string[][];
      expect(header, res.name).toEqual(res.schema.fields.map((x) => x.name));
      expect(records.length, `${res.name} has rows`).toBeGreaterThan(0);
      for (const rec of records) {
        expect(rec.length, `${res.name} row width`).toBe(header.length);
        res.schema.fields.forEach((x, i) => {
          if (rec[i] === "") return;
          expect(rec[i], `${res.name}.${x.name}`).toMatch(CELL[x.type]);
          if (x.constraints?.enum) expect(x.constraints.enum, `${res.name}.${x.name}`).toContain(rec[i]);
        });
      }
      files[res.name] = records.map((rec) => Object.fromEntries(header.map((h, i) => [h, rec[i]])));
      // Read one row at a time, a row table's file is the same.
      const d = openDataset(res.name);
      if (d) expect(await new Response(openDatasetCsv(db, d, 1)).text(), res.name).toBe(r.text);
    }
    expect(files.disbursements[0]).toMatchObject({ 金额: "60000.00", 收款方类型: "到户发放", 状态: "有效" });
    expect(files.spending[0]).toMatchObject({ 阶段: "组织实施", 用途: '设备采购，含逗号, 和"引号"' });
    expect(files["household-payment-totals"]).toEqual([
      expect.objectContaining({
        村: t.v.village,
        补贴项目: "危房改造补助",
        户数: "3",
        笔数: "3",
        已发放金额: "3000.00",
      }),
    ]);
    expect(files["housing-case-totals"]).toEqual([
      expect.objectContaining({ 改造方式: "翻建", 户数: "", 已验收户数: "", 补助金额: "" }),
    ]);
    expect(files["beneficiary-list-totals"][0]).toMatchObject({ 名单类别: "收益分红", 户数: "4", 金额: "1200.00" });
    expect(files["asset-inspections"][0]).toMatchObject({ 资产: "村级光伏电站", 资产状况: "运行良好" });
    expect(files["asset-income"][0]).toMatchObject({
      项目编号: String(t.project),
      收益: "50000.00",
      分红到户: "30000.00",
      未分配: "5000.00",
    });
    // No personal data in any file.
    const all = JSON.stringify(files);
    for (const p of PEOPLE) {
      expect(all).not.toContain(p.name);
      expect(all).not.toContain(p.idNumber);
    }
  });

  it("answers 304 to an unchanged export (ETag or Last-Modified) and 200 with a new ETag after a change", async () => {
    const t = await moneyTrail();
    const first = await api("/api/money/exports/asset-income.csv");
    const etag = first.headers.get("etag") ?? "";
    const lastModified = first.headers.get("last-modified") ?? "";
    expect(etag).toMatch(/^W\/"asset-income-/);
    expect(Date.parse(lastModified)).toBeGreaterThan(0);
    expect((await api("/api/money/exports/asset-income.csv", { headers: { "if-none-match": etag } })).status).toBe(304);
    expect(
      (await api("/api/money/exports/asset-income.csv", { headers: { "if-modified-since": lastModified } })).status,
    ).toBe(304);
    const { db } = await testDatabase();
    await recordAssetIncome(db, t.project, { year: 2024, income: "100" }, t.pub.id);
    const after = await api("/api/money/exports/asset-income.csv", { headers: { "if-none-match": etag } });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(etag);
    expect(after.text).toContain("2024");
    expect((await api("/api/money/exports/households.csv")).status).toBe(400);
  });
});
