import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { conflict, notFound, validationFailed } from "../../lib/errors";
import { checkDay, checkMoney } from "./disbursements";
import { CASE_METHODS, CASE_STAGES, type CaseMethod, type CaseStage } from "./labels";
import { recordMoneyVersion } from "./versions";

// 危房改造 cases: one per household and year, moving through 申请 → 村评议 → 镇审核 → 县审批 → 开工 →
// 竣工 → 验收 → 拨付 with the date of each step; the 评议 and 审批 results are published as notices
// (their ids kept on the case). Every step is a public version, audited.

export interface HousingCaseInput {
  householdId: number;
  year: number;
  grade: "C" | "D";
  method: CaseMethod;
  subsidyStandard?: string;
  amount: string;
  appliedOn: string;
}

function field(path: string, message: string) {
  return validationFailed(message, [{ path, message }]);
}

export async function createHousingCase(
  db: Db,
  input: HousingCaseInput,
  actorId: number | null,
  opts: { isDemo?: boolean } = {},
) {
  if (input.grade !== "C" && input.grade !== "D") throw field("grade", "鉴定等级应为 C 或 D");
  if (!CASE_METHODS.includes(input.method)) throw field("method", `改造方式应为 ${CASE_METHODS.join("、")} 之一`);
  if (!Number.isInteger(input.year) || input.year < 2014 || input.year > 2035)
    throw field("year", "年度应为 2014–2035");
  const amount = checkMoney(input.amount, "amount", true);
  const appliedOn = checkDay(input.appliedOn, "appliedOn");
  return db.transaction(async (tx) => {
    const [h] = await rows<{ district_id: number; village_id: number }>(
      tx,
      sql`SELECT district_id, village_id FROM households WHERE id = ${input.householdId}`,
    );
    if (!h) throw field("householdId", "户籍登记中没有这一户");
    const inserted = await rows<{ id: number }>(
      tx,
      sql`INSERT INTO housing_cases (household_id, district_id, village_id, year, grade, method, subsidy_standard, amount, stage,
            stage_dates, is_demo)
          VALUES (${input.householdId}, ${h.district_id}, ${h.village_id}, ${input.year}, ${input.grade}, ${input.method},
            ${(input.subsidyStandard ?? "").slice(0, 200)}, ${amount}, 'applied', ${JSON.stringify({ applied: appliedOn })}::jsonb,
            ${opts.isDemo ?? false})
          ON CONFLICT (household_id, year) DO NOTHING RETURNING id`,
    );
    if (!inserted.length) throw conflict("这一户当年已有危房改造申请");
    const id = Number(inserted[0].id);
    await recordMoneyVersion(tx, "housing_case", id, {
      version: 1,
      kind: "original",
      snapshot: {
        householdId: input.householdId,
        year: input.year,
        grade: input.grade,
        method: input.method,
        amount,
        stage: "applied",
        appliedOn,
      },
      actorId,
    });
    return id;
  });
}

/** Record the next stage (stages only move forward; dates never go backwards). */
export async function advanceHousingCase(
  db: Db,
  id: number,
  step: { stage: CaseStage; on: string; noticeId?: number | null },
  actorId: number | null,
) {
  if (!CASE_STAGES.includes(step.stage)) throw field("stage", `环节应为 ${CASE_STAGES.join("、")} 之一`);
  const on = checkDay(step.on, "on");
  return db.transaction(async (tx) => {
    const [c] = await rows<{ stage: CaseStage; stage_dates: unknown; version: number; status: string }>(
      tx,
      sql`SELECT stage, stage_dates, version, status FROM housing_cases WHERE id = ${id} FOR UPDATE`,
    );
    if (!c) throw notFound("没有这个危房改造申请");
    if (c.status !== "active") throw conflict("这个申请已撤回");
    const dates = (typeof c.stage_dates === "string" ? JSON.parse(c.stage_dates) : c.stage_dates) as Record<
      string,
      string
    >;
    if (CASE_STAGES.indexOf(step.stage) <= CASE_STAGES.indexOf(c.stage)) throw conflict("环节只能向后推进");
    const last = Object.values(dates).sort().pop();
    if (last && on < last) throw field("on", `日期不能早于上一环节（${last}）`);
    dates[step.stage] = on;
    const version = Number(c.version) + 1;
    const noticeColumn =
      step.stage === "village_review"
        ? sql`review_notice_id = ${step.noticeId ?? null},`
        : step.stage === "county_approval"
          ? sql`approval_notice_id = ${step.noticeId ?? null},`
          : sql``;
    await rows(
      tx,
      sql`UPDATE housing_cases SET stage = ${step.stage}, stage_dates = ${JSON.stringify(dates)}::jsonb, ${noticeColumn}
            version = ${version}, updated_at = now() WHERE id = ${id}`,
    );
    await recordMoneyVersion(tx, "housing_case", id, {
      version,
      kind: "correction",
      snapshot: { stage: step.stage, on, noticeId: step.noticeId ?? null },
      reason: `进入环节：${step.stage}`,
      actorId,
    });
    return version;
  });
}
