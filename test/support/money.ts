import { sql } from "drizzle-orm";
import { expect } from "vitest";
import { rows } from "../../db/client";
import { createDisbursement } from "../../domain/money/disbursements";
import { createHousehold } from "../../domain/money/households";
import { idCheckChar } from "../../domain/money/privacy";
import { createNotice } from "../../domain/notices/notices";
import { type Signed, staff } from "./console";
import { testDatabase } from "./db";

// Test data for the money trail: four households with valid ID numbers, an allocation to a village of
// 高青县, a disbursement from it, and CSV upload helpers.

export const idn = (first17: string) => `${first17}${idCheckChar(first17)}`;
export const PEOPLE = [
  { name: "张三明", idNumber: idn("37032219800101123") },
  { name: "李四", idNumber: idn("37032219851212456") },
  { name: "欧阳小红", idNumber: idn("37032219900305789") },
  { name: "王五福", idNumber: idn("37032219700707321") },
];

export async function aVillage() {
  const { db } = await testDatabase();
  const [v] = await rows<{ id: number; village: string; town: string; district: string }>(
    db,
    sql`SELECT v.id, v.name AS village, t.name AS town, d.name AS district FROM villages v JOIN towns t ON t.id = v.town_id
        JOIN districts d ON d.id = t.district_id WHERE d.name = '高青县' ORDER BY v.id LIMIT 1`,
  );
  return { ...v, id: Number(v.id) };
}

/** An allocation of `amount` to the village, a disbursement of `disbursed` from it, and the households. */
export async function trail(amount = "100000.00", disbursed = "60000.00") {
  const { db } = await testDatabase();
  const pub = await staff("publisher", "city-fpb");
  const v = await aVillage();
  const r = await pub.call("/api/funds", {
    method: "POST",
    json: {
      year: 2026,
      level: "市级",
      fundName: "市级财政专项扶贫资金",
      docNumber: "淄财农〔2026〕1号",
      district: v.district,
      town: v.town,
      village: v.village,
      category: "危房改造",
      amount,
      purpose: "危房改造补助",
      publishedOn: "2026-03-01",
    },
  });
  expect(r.status).toBe(201);
  const allocationId = r.body.id as number;
  const disbursementId = await createDisbursement(
    db,
    {
      allocationId,
      disbursedOn: "2026-04-01",
      amount: disbursed,
      voucherNo: "高财拨〔2026〕7号",
      recipientKind: "households",
      recipient: `${v.village}到户发放`,
    },
    pub.id,
  );
  const households: number[] = [];
  for (const p of PEOPLE)
    households.push(
      await createHousehold(db, { villageId: v.id, ...p, members: 3, identifiedOn: "2016-05-01" }, pub.id),
    );
  return { pub, v, allocationId, disbursementId, households };
}

/** POST a 村道硬化工程 project (2026, industry) in the village: the answer. */
export function postProject(pub: Signed, v: { district: string; town: string; village: string }) {
  return pub.call("/api/projects", {
    method: "POST",
    json: {
      name: "村道硬化工程",
      year: 2026,
      district: v.district,
      town: v.town,
      village: v.village,
      categoryCode: "industry",
    },
  });
}

/** The village's 危房改造评议结果公示 (open 10 days) published by `t.pub` through the domain: its id. */
export async function publishReviewNotice(
  t: { pub: Signed; v: { district: string; town: string; village: string } },
  content: string,
) {
  const { db } = await testDatabase();
  return createNotice(
    db,
    {
      title: `${t.v.village}危房改造评议结果公示`,
      district: t.v.district,
      town: t.v.town,
      village: t.v.village,
      content,
      periodDays: 10,
    },
    t.pub.id,
  );
}

export function upload(pub: Awaited<ReturnType<typeof staff>>, bytes: Uint8Array) {
  const form = new FormData();
  form.set("file", new File([new Uint8Array(bytes)], "发放名册.csv", { type: "text/csv" }));
  return pub.call("/api/household-payments/import", { method: "POST", body: form });
}

export const PAYMENT_HEADER = "身份证号码,户主姓名,拨付编号,项目,期次,金额,发放日期,状态,退回原因";
