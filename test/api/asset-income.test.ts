import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { advanceProject, createProject, registerAsset } from "../../domain/projects/projects";
import { exec, staff } from "../support/console";
import { testDatabase } from "../support/db";
import { api, expectEnvelope } from "../support/http";
import { aVillage } from "../support/money";

// A project asset's income per year and its distribution: recorded and corrected by a publisher (each
// write audited, a correction a public version with its reason), refused when the distribution exceeds
// the income, a negative amount or a bad year, and before the asset is registered; read by anyone.

async function aProjectWithAsset(asset = true) {
  const { db } = await testDatabase();
  const v = await aVillage();
  const id = await createProject(
    db,
    {
      name: "光伏扶贫电站",
      year: 2024,
      district: v.district,
      town: v.town,
      village: v.village,
      categoryCode: "industry",
      reservedOn: "2024-01-02",
    },
    null,
  );
  if (!asset) return id;
  for (const [i, stage] of (["approved", "implementing", "accepted"] as const).entries())
    await advanceProject(db, id, { stage, happenedOn: `2024-0${i + 3}-01` }, null);
  await registerAsset(
    db,
    id,
    {
      assetName: "村级光伏电站",
      owner: "村集体",
      manager: "村委会",
      maintenance: "村委会负责管护",
      registeredOn: "2024-07-01",
    },
    null,
  );
  return id;
}

const income = (over: Record<string, unknown> = {}) => ({
  year: 2025,
  income: "50000.00",
  toHouseholds: "30000",
  toCollective: "15,000.00",
  toMaintenance: "5000.00",
  note: "发电收益，联系电话 13912345678",
  ...over,
});

describe("asset income per year", () => {
  it("is recorded, read publicly as sums, corrected as a public version, each write audited", async () => {
    const pub = await staff("publisher", "city-fpb");
    const id = await aProjectWithAsset();
    const r = await pub.call(`/api/projects/${id}/income`, { method: "POST", json: income() });
    expect(r.status, r.text).toBe(201);
    const again = await pub.call(`/api/projects/${id}/income`, { method: "POST", json: income() });
    expect(again.status).toBe(409);
    expect(expectEnvelope(again.body).message).toContain("更正");

    const list = await api(`/api/projects/${id}/income`);
    expect(list.status).toBe(200);
    expect(list.body.items).toMatchObject([
      {
        year: 2025,
        income: "50000.00",
        toHouseholds: "30000.00",
        toCollective: "15000.00",
        toMaintenance: "5000.00",
        toOther: "0.00",
        distributed: "50000.00",
        undistributed: "0.00",
        version: 1,
      },
    ]);
    expect(list.text).not.toContain("13912345678");

    const fix = await pub.call(`/api/projects/${id}/income/2025`, {
      method: "PUT",
      json: { income: "52000.00", toHouseholds: "32000.00", toCollective: "15000.00", reason: "电费结算单更正" },
    });
    expect(fix.status, fix.text).toBe(200);
    const year = await api(`/api/projects/${id}/income/2025`);
    expect(year.body).toMatchObject({
      income: "52000.00",
      toMaintenance: "0.00",
      undistributed: "5000.00",
      version: 2,
    });
    expect(year.body.versions.map((v: { kind: string }) => v.kind)).toEqual(["correction", "original"]);
    expect(year.body.versions[0]).toMatchObject({ reason: "电费结算单更正", snapshot: { income: "52000.00" } });
    expect(year.body.versions[1].snapshot).toMatchObject({ income: "50000.00", toHouseholds: "30000.00" });

    const audit = await exec(sql`SELECT action FROM audit_log WHERE subject_type = 'asset_income' ORDER BY id`);
    expect(audit.map((a) => a.action)).toEqual(["asset_income.create", "asset_income.correct"]);

    expect(
      (await pub.call(`/api/projects/${id}/income/2024`, { method: "PUT", json: { income: "1", reason: "更正一下" } }))
        .status,
    ).toBe(404);
    expect((await api(`/api/projects/${id}/income/2024`)).status).toBe(404);
  });

  it("refuses a distribution above the income, negative amounts, bad years and anonymous writes, writing nothing", async () => {
    const pub = await staff("publisher", "city-fpb");
    const id = await aProjectWithAsset();
    const over = await pub.call(`/api/projects/${id}/income`, {
      method: "POST",
      json: income({ toOther: "0.01" }),
    });
    expect(over.status).toBe(400);
    const env = expectEnvelope(over.body);
    expect(env.message).toContain("超过当年收益");
    expect(env.details).toEqual([expect.objectContaining({ path: "distribution" })]);

    for (const bad of [
      income({ income: "-1" }),
      income({ toHouseholds: "-5" }),
      income({ toCollective: "1.234" }),
      income({ year: 2013 }),
      income({ year: 2999 }),
      income({ income: "abc" }),
    ]) {
      const res = await pub.call(`/api/projects/${id}/income`, { method: "POST", json: bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expectEnvelope(res.body);
    }
    await pub.call(`/api/projects/${id}/income`, { method: "POST", json: income() });
    const overFix = await pub.call(`/api/projects/${id}/income/2025`, {
      method: "PUT",
      json: { income: "100.00", toHouseholds: "100.00", toOther: "1.00", reason: "试图超额" },
    });
    expect(overFix.status).toBe(400);
    const noReason = await pub.call(`/api/projects/${id}/income/2025`, { method: "PUT", json: { income: "100.00" } });
    expect(noReason.status).toBe(400);
    expect((await api(`/api/projects/${id}/income`, { method: "POST", json: income({ year: 2024 }) })).status).toBe(
      401,
    );
    const items = (await api(`/api/projects/${id}/income`)).body.items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ income: "50000.00", version: 1 });
    const [{ n }] = await exec(sql`SELECT count(*)::int AS n FROM money_versions WHERE subject_type = 'asset_income'`);
    expect(n).toBe(1);
  });

  it("waits for the asset to be registered (409) and knows no absent project (404)", async () => {
    const pub = await staff("publisher", "city-fpb");
    const id = await aProjectWithAsset(false);
    const early = await pub.call(`/api/projects/${id}/income`, { method: "POST", json: income() });
    expect(early.status).toBe(409);
    expect(expectEnvelope(early.body).message).toContain("先登记资产");
    expect((await pub.call("/api/projects/999999/income", { method: "POST", json: income() })).status).toBe(404);
    expect((await api(`/api/projects/${id}/income`)).body.items).toEqual([]);
  });
});
