import { sql } from "drizzle-orm";
import { type Db, rows } from "../db/client";
import { type AllocationValues, insertAllocations } from "../domain/funds/allocations";
import { publishBeneficiaryList } from "../domain/money/beneficiary-lists";
import { createDisbursement } from "../domain/money/disbursements";
import { createHousehold } from "../domain/money/households";
import { advanceHousingCase, createHousingCase } from "../domain/money/housing-cases";
import { createHouseholdPayment } from "../domain/money/payments";
import { idCheckChar } from "../domain/money/privacy";
import { addDays, todayCn } from "../domain/notices/state";

// Demo data for the money trail in one 高青县 village (the first village of 常家镇): an allocation for
// 危房改造 and one for dividends, disbursements to households, a fictitious household register, payments,
// two 危房改造 cases and a dividend list in its 公示 period. Names and ID numbers are invented (the ID
// numbers carry valid check characters so the forms accept them).

const id = (first17: string) => `${first17}${idCheckChar(first17)}`;

/** The demo households (fictitious). Exported for the browser tests, which check their own payments. */
export const DEMO_HOUSEHOLDS = [
  { name: "王秀兰", idNumber: id("37032219560312002"), members: 2 },
  { name: "李建国", idNumber: id("37032219620805151"), members: 4 },
  { name: "张桂英", idNumber: id("37032219480119202"), members: 1 },
  { name: "刘长河", idNumber: id("37032219700211331"), members: 5 },
  { name: "赵玉梅", idNumber: id("37032219660927402"), members: 3 },
  { name: "孙德胜", idNumber: id("37032219581103511"), members: 2 },
  { name: "周凤芝", idNumber: id("37032219520614622"), members: 2 },
  { name: "吴守田", idNumber: id("37032219750430731"), members: 4 },
] as const;

export async function seedMoneyDemo(db: Db) {
  const [done] = await rows(db, sql`SELECT 1 FROM households WHERE is_demo LIMIT 1`);
  if (done) return;
  const [v] = await rows<{ id: number; village: string; town: string }>(
    db,
    sql`SELECT v.id, v.name AS village, t.name AS town FROM villages v JOIN towns t ON t.id = v.town_id
        JOIN districts d ON d.id = t.district_id WHERE d.name = '高青县' AND t.name = '常家镇' ORDER BY v.id LIMIT 1`,
  );
  if (!v) return;
  const villageId = Number(v.id);
  const [districtId, townId] = await rows<{ d: number; t: number }>(
    db,
    sql`SELECT t.district_id AS d, t.id AS t FROM villages v JOIN towns t ON t.id = v.town_id WHERE v.id = ${villageId}`,
  ).then(([r]) => [Number(r.d), Number(r.t)]);
  const today = todayCn();
  const base = { level: "city" as const, districtId, townId, villageId, projectId: null, year: 2026 };
  const allocate = (values: AllocationValues) =>
    db.transaction(async (tx) => (await insertAllocations(tx, [values], { actorId: null, isDemo: true }))[0]);
  const housing = await allocate({
    ...base,
    fundName: "市级财政衔接推进乡村振兴补助资金",
    docNumber: "淄财农〔2026〕31号",
    categoryCode: "housing",
    amount: "200000.00",
    purpose: "农村危房改造补助",
    publishedOn: addDays(today, -75),
  });
  const dividend = await allocate({
    ...base,
    fundName: "市级财政衔接推进乡村振兴补助资金",
    docNumber: "淄财农〔2026〕32号",
    categoryCode: "industry",
    amount: "30000.00",
    purpose: "扶贫车间收益分红",
    publishedOn: addDays(today, -40),
  });
  const households: number[] = [];
  for (const h of DEMO_HOUSEHOLDS) {
    households.push(
      await createHousehold(
        db,
        { villageId, name: h.name, idNumber: h.idNumber, members: h.members, identifiedOn: "2016-04-20" },
        null,
        {
          isDemo: true,
        },
      ),
    );
  }
  const d1 = await createDisbursement(
    db,
    {
      allocationId: housing,
      disbursedOn: addDays(today, -60),
      amount: "120000.00",
      voucherNo: "高财拨〔2026〕105号",
      method: "国库集中支付",
      recipientKind: "households",
      recipient: `${v.town}${v.village}危房改造户`,
    },
    null,
    { isDemo: true },
  );
  const d2 = await createDisbursement(
    db,
    {
      allocationId: dividend,
      disbursedOn: addDays(today, -20),
      amount: "24000.00",
      voucherNo: "高财拨〔2026〕131号",
      recipientKind: "households",
      recipient: `${v.village}收益分红`,
    },
    null,
    { isDemo: true },
  );
  const paidOn = addDays(today, -50);
  for (const [i, h] of households.slice(0, 4).entries()) {
    await createHouseholdPayment(
      db,
      {
        householdId: h,
        disbursementId: d1,
        programme: "housing",
        period: "2026",
        amount: i === 1 ? "35000.00" : "25000.00",
        paidOn,
      },
      null,
      { isDemo: true },
    );
  }
  for (const h of households) {
    await createHouseholdPayment(
      db,
      {
        householdId: h,
        disbursementId: d2,
        programme: "dividend",
        period: "2026",
        amount: "3000.00",
        paidOn: addDays(today, -15),
      },
      null,
      { isDemo: true },
    );
  }
  const c1 = await createHousingCase(
    db,
    {
      householdId: households[0],
      year: 2026,
      grade: "D",
      method: "rebuild",
      subsidyStandard: "D级翻建 2.5 万元/户",
      amount: "25000.00",
      appliedOn: addDays(today, -150),
    },
    null,
    { isDemo: true },
  );
  for (const [stage, ago] of [
    ["village_review", 140],
    ["town_review", 130],
    ["county_approval", 120],
    ["started", 110],
    ["completed", 70],
    ["accepted", 60],
    ["paid", 50],
  ] as const)
    await advanceHousingCase(db, c1, { stage, on: addDays(today, -ago) }, null);
  const c2 = await createHousingCase(
    db,
    {
      householdId: households[4],
      year: 2026,
      grade: "C",
      method: "repair",
      subsidyStandard: "C级修缮 1.2 万元/户",
      amount: "12000.00",
      appliedOn: addDays(today, -30),
    },
    null,
    { isDemo: true },
  );
  await advanceHousingCase(db, c2, { stage: "village_review", on: addDays(today, -25) }, null);
  await publishBeneficiaryList(
    db,
    {
      kind: "dividend",
      villageId,
      title: `${v.village}2026年扶贫车间收益分红名单公示`,
      periodStart: addDays(today, -2),
      entries: households.map((h) => ({ householdId: h, amount: "3000.00" })),
    },
    null,
    { isDemo: true },
  );
}
