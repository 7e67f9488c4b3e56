import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { correctAllocation } from "../../domain/funds/allocations";
import { correctDisbursement, createDisbursement, withdrawDisbursement } from "../../domain/money/disbursements";
import { correctHouseholdPayment, createHouseholdPayment, withdrawHouseholdPayment } from "../../domain/money/payments";
import { compactMoneyProgress } from "../../domain/money/progress";
import { exec } from "../support/console";
import { testDatabase } from "../support/db";
import { api } from "../support/http";
import { trail } from "../support/money";

// The progress rollup (migration 0190) against the straight sums over disbursements and household
// payments, after creations, corrections (amount, state, the allocation's category), withdrawals and
// compactions; and the progress summary grouped by household programme.

/** The rollup with its pending deltas, and the same figures summed straight from the tables. */
async function bothWays() {
  const rollup = await exec(sql`
    SELECT district_id, year, category_code, programme, sum(disbursed)::text AS disbursed,
      sum(to_households)::text AS to_households, sum(paid)::text AS paid
    FROM money_progress GROUP BY 1, 2, 3, 4
    HAVING sum(disbursed) <> 0 OR sum(to_households) <> 0 OR sum(paid) <> 0 ORDER BY 1, 2, 3, 4`);
  const straight = await exec(sql`
    SELECT * FROM (
      SELECT d.district_id, d.year, a.category_code, '' AS programme, sum(d.amount)::text AS disbursed,
        coalesce(sum(d.amount) FILTER (WHERE d.recipient_kind = 'households'), 0)::text AS to_households, '0'::text AS paid
      FROM disbursements d JOIN fund_allocations a ON a.id = d.allocation_id WHERE d.status = 'active' GROUP BY 1, 2, 3
      UNION ALL
      SELECT p.district_id, p.year, a.category_code, p.programme, '0', '0', sum(p.amount)::text
      FROM household_payments p JOIN disbursements d ON d.id = p.disbursement_id JOIN fund_allocations a ON a.id = d.allocation_id
      WHERE p.status = 'active' AND p.state = 'paid' GROUP BY 1, 2, 3, 4
    ) s ORDER BY 1, 2, 3, 4`);
  const norm = (rs: Record<string, unknown>[]) =>
    rs.map((r) => ({
      district: Number(r.district_id),
      year: Number(r.year),
      category: r.category_code,
      programme: r.programme,
      disbursed: Number(r.disbursed).toFixed(2),
      toHouseholds: Number(r.to_households).toFixed(2),
      paid: Number(r.paid).toFixed(2),
    }));
  return { rollup: norm(rollup), straight: norm(straight) };
}

describe("the money progress rollup", () => {
  it("equals the straight sums after writes, corrections, withdrawals and compactions", async () => {
    const { db } = await testDatabase();
    const t = await trail("100000.00", "60000.00");
    const pay = (i: number, programme: string, amount: string, state = "paid") =>
      createHouseholdPayment(
        db,
        {
          householdId: t.households[i],
          disbursementId: t.disbursementId,
          programme,
          period: "2026",
          amount,
          paidOn: "2026-06-01",
          state,
          returnReason: state === "returned" ? "一卡通账户已销户" : null,
        },
        t.pub.id,
      );
    const p0 = await pay(0, "housing", "1000.00");
    const p1 = await pay(1, "housing", "2000.00");
    const p2 = await pay(2, "education", "1500.00", "pending");
    await pay(3, "dividend", "800.00");
    let both = await bothWays();
    expect(both.rollup).toEqual(both.straight);
    expect(both.rollup.length).toBeGreaterThan(0);

    await compactMoneyProgress(db);
    expect(Number((await exec(sql`SELECT count(*) AS n FROM money_progress_delta`))[0].n)).toBe(0);
    // a second disbursement to a unit, then corrections of amounts and states
    const d2 = await createDisbursement(
      db,
      {
        allocationId: t.allocationId,
        disbursedOn: "2026-05-01",
        amount: "20000.00",
        voucherNo: "高财拨〔2026〕8号",
        recipientKind: "unit",
        recipient: "县住建局",
      },
      t.pub.id,
    );
    await correctHouseholdPayment(db, p0, { amount: "1200.00" }, "金额录入有误", t.pub.id);
    await correctHouseholdPayment(db, p2, { state: "paid", paidOn: "2026-07-01" }, "已补发", t.pub.id);
    await correctDisbursement(db, t.disbursementId, { amount: "65000.00" }, "凭证金额更正", t.pub.id);
    both = await bothWays();
    expect(both.rollup).toEqual(both.straight);

    // withdrawals, a compaction in the middle, and the allocation moved to another category
    await withdrawHouseholdPayment(db, p1, "重复发放", t.pub.id);
    await compactMoneyProgress(db);
    await withdrawDisbursement(db, d2, "拨付撤回", t.pub.id);
    const [edu] = await exec<{ code: string }>(sql`SELECT code FROM categories WHERE code = 'education'`);
    await correctAllocation(db, t.allocationId, { categoryCode: edu.code }, "类别更正", t.pub.id);
    both = await bothWays();
    expect(both.rollup).toEqual(both.straight);
    expect(both.rollup.some((r) => r.category === "education" && r.programme === "housing")).toBe(true);
    await compactMoneyProgress(db);
    expect((await bothWays()).rollup).toEqual(both.straight);

    // the summary reads the rollup: the district's figures equal the straight sums
    const district = await api("/api/money/progress?groupBy=district&year=2026");
    const row = district.body.rows.find((x: { key: string }) => x.key === "高青县");
    expect(row).toMatchObject({
      allocated: "100000.00",
      disbursed: "65000.00",
      disbursedToHouseholds: "65000.00",
      paidToHouseholds: "3500.00",
      disbursementRate: "65.0%",
      householdRate: "5.4%",
    });
  });

  it("groups by household programme: paid amounts, no allocation or disbursement per programme", async () => {
    const { db } = await testDatabase();
    const t = await trail("100000.00", "60000.00");
    for (const [i, programme] of ["housing", "housing", "education"].entries())
      await createHouseholdPayment(
        db,
        {
          householdId: t.households[i],
          disbursementId: t.disbursementId,
          programme,
          period: "2026",
          amount: "1000.00",
          paidOn: "2026-06-01",
        },
        t.pub.id,
      );
    const r = await api("/api/money/progress?groupBy=programme&year=2026");
    expect(r.status).toBe(200);
    expect(r.body.groupBy).toBe("programme");
    const housing = r.body.rows.find((x: { value: string }) => x.value === "housing");
    expect(housing).toMatchObject({
      key: "危房改造补助",
      paidToHouseholds: "2000.00",
      allocated: null,
      disbursementRate: null,
    });
    expect(r.body.rows.find((x: { value: string }) => x.value === "education").paidToHouseholds).toBe("1000.00");
    expect(r.body.rows.find((x: { value: string }) => x.value === "health")).toBeUndefined();
  });
});
