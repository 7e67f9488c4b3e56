import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { env } from "../../lib/env";
import { conflict, notFound, validationFailed } from "../../lib/errors";
import { todayCn } from "../notices/state";
import { checkDay, checkMoney, checkReason } from "./disbursements";
import { photosOfCase } from "./housing-photos";
import {
  CASE_METHOD_LABELS,
  CASE_METHODS,
  CASE_STAGE_LABELS,
  CASE_STAGES,
  type CaseMethod,
  type CaseStage,
} from "./labels";
import { isListPublic, listPublicUntil, suppressCount } from "./privacy";
import { moneyVersions, recordMoneyVersion } from "./versions";

// 危房改造 cases: one per household and year, moving through 申请 → 村评议 → 镇审核 → 县审批 → 开工 →
// 竣工 → 验收 → 拨付 with the date of each step; the 评议 and 审批 results are published as notices
// (their ids kept on the case). Every step, correction and withdrawal is a public version, audited.
// Before/after photos: housing-photos.ts.

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
    if (step.noticeId != null) {
      const [n] = await rows<{ id: number }>(tx, sql`SELECT id FROM notices WHERE id = ${step.noticeId}`);
      if (!n) throw field("noticeId", "没有这条公示");
    }
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

export interface HousingCasePatch {
  grade?: "C" | "D";
  method?: CaseMethod;
  subsidyStandard?: string;
  amount?: string;
}

/** A correction of the assessment or the subsidy: a new public version with its reason. */
export async function correctHousingCase(
  db: Db,
  id: number,
  patch: HousingCasePatch,
  reason: string,
  actorId: number | null,
): Promise<number> {
  const why = checkReason(reason);
  if (patch.grade !== undefined && patch.grade !== "C" && patch.grade !== "D")
    throw field("grade", "鉴定等级应为 C 或 D");
  if (patch.method !== undefined && !CASE_METHODS.includes(patch.method))
    throw field("method", `改造方式应为 ${CASE_METHODS.join("、")} 之一`);
  const amount = patch.amount !== undefined ? checkMoney(patch.amount, "amount", true) : undefined;
  return db.transaction(async (tx) => {
    const [c] = await rows<{
      grade: string;
      method: string;
      subsidy_standard: string;
      amount: string;
      version: number;
      status: string;
    }>(
      tx,
      sql`SELECT grade, method, subsidy_standard, amount::text AS amount, version, status FROM housing_cases WHERE id = ${id} FOR UPDATE`,
    );
    if (!c) throw notFound("没有这个危房改造申请");
    if (c.status !== "active") throw conflict("这个申请已撤回");
    const next = {
      grade: patch.grade ?? c.grade,
      method: patch.method ?? c.method,
      subsidyStandard: (patch.subsidyStandard ?? c.subsidy_standard).slice(0, 200),
      amount: amount ?? c.amount,
    };
    const version = Number(c.version) + 1;
    await rows(
      tx,
      sql`UPDATE housing_cases SET grade = ${next.grade}, method = ${next.method}, subsidy_standard = ${next.subsidyStandard},
            amount = ${next.amount}, version = ${version}, updated_at = now() WHERE id = ${id}`,
    );
    await recordMoneyVersion(tx, "housing_case", id, {
      version,
      kind: "correction",
      snapshot: next,
      reason: why,
      actorId,
    });
    return version;
  });
}

/** Withdrawal (撤回) of a case entered in error: it stays in the version history with its reason. */
export async function withdrawHousingCase(db: Db, id: number, reason: string, actorId: number | null) {
  const why = checkReason(reason);
  return db.transaction(async (tx) => {
    const [c] = await rows<{ version: number; status: string; stage: string }>(
      tx,
      sql`SELECT version, status, stage FROM housing_cases WHERE id = ${id} FOR UPDATE`,
    );
    if (!c) throw notFound("没有这个危房改造申请");
    if (c.status !== "active") throw conflict("这个申请已撤回");
    const version = Number(c.version) + 1;
    await rows(
      tx,
      sql`UPDATE housing_cases SET status = 'withdrawn', version = ${version}, updated_at = now() WHERE id = ${id}`,
    );
    await recordMoneyVersion(tx, "housing_case", id, {
      version,
      kind: "withdrawal",
      snapshot: { stage: c.stage },
      reason: why,
      actorId,
    });
    return version;
  });
}

// ------------------------------------------------------------------------------------------ reading
// The public sees a case (masked 户主 name, assessment, subsidy, stage dates) only while one of its
// 公示 notices (评议结果, 审批结果) is public under the same rule as beneficiary lists: during the
// period, while objections are open, and for the retention days after; otherwise only the counts per
// stage, suppressed below 3 cases.

export interface HousingCaseView {
  id: number;
  year: number;
  villageId: number;
  village: string;
  nameMasked: string;
  grade: string;
  method: CaseMethod;
  methodLabel: string;
  subsidyStandard: string;
  amount: string;
  stage: CaseStage;
  stageLabel: string;
  stageDates: Partial<Record<CaseStage, string>>;
  reviewNoticeId: number | null;
  approvalNoticeId: number | null;
  status: "active" | "withdrawn";
  version: number;
  /** Last day the case is public (null: not public now). */
  publicUntil: string | null;
}

type CaseRow = {
  id: number;
  year: number;
  village_id: number;
  village: string;
  name_masked: string;
  grade: string;
  method: CaseMethod;
  subsidy_standard: string;
  amount: string;
  stage: CaseStage;
  stage_dates: unknown;
  review_notice_id: number | null;
  approval_notice_id: number | null;
  status: "active" | "withdrawn";
  version: number;
  notices: unknown;
  changed_at: Date | string;
};

const CASE_SELECT = sql`SELECT c.id, c.year, c.village_id, v.name AS village, h.name_masked, c.grade, c.method, c.subsidy_standard,
    c.amount::text AS amount, c.stage, c.stage_dates, c.review_notice_id, c.approval_notice_id, c.status, c.version,
    (SELECT coalesce(json_agg(json_build_object(
        'start', n.period_start::text, 'end', n.period_end::text, 'status', n.status,
        'open', (SELECT count(*)::int FROM tickets t WHERE t.notice_id = n.id AND t.kind = 'objection'
                   AND t.status NOT IN ('closed', 'merged', 'not_accepted')),
        'closed', (SELECT max(t.closed_at AT TIME ZONE 'Asia/Shanghai')::date::text FROM tickets t
                   WHERE t.notice_id = n.id AND t.kind = 'objection'))), '[]'::json)
       FROM notices n WHERE n.id IN (c.review_notice_id, c.approval_notice_id)) AS notices,
    greatest(c.updated_at, (SELECT max(n.updated_at) FROM notices n WHERE n.id IN (c.review_notice_id, c.approval_notice_id)))
      AS changed_at
  FROM housing_cases c JOIN households h ON h.id = c.household_id JOIN villages v ON v.id = c.village_id`;

const json = <T>(v: unknown): T => (typeof v === "string" ? JSON.parse(v) : v) as T;

function toView(r: CaseRow, today: string, retention: number): HousingCaseView {
  let publicUntil: string | null = null;
  if (r.status === "active") {
    for (const n of json<
      { start: string | null; end: string | null; status: string; open: number; closed: string | null }[]
    >(r.notices)) {
      const state = {
        periodStart: n.start,
        periodEnd: n.end,
        objectionsOpen: Number(n.open) > 0,
        lastObjectionClosedOn: n.closed,
        withdrawn: n.status !== "published",
      };
      if (!isListPublic(state, today, retention)) continue;
      const until = listPublicUntil(state, retention);
      if (until && (!publicUntil || until > publicUntil)) publicUntil = until;
    }
  }
  return {
    id: Number(r.id),
    year: Number(r.year),
    villageId: Number(r.village_id),
    village: r.village,
    nameMasked: r.name_masked,
    grade: r.grade,
    method: r.method,
    methodLabel: CASE_METHOD_LABELS[r.method] ?? r.method,
    subsidyStandard: r.subsidy_standard,
    amount: r.amount,
    stage: r.stage,
    stageLabel: CASE_STAGE_LABELS[r.stage] ?? r.stage,
    stageDates: json(r.stage_dates),
    reviewNoticeId: r.review_notice_id == null ? null : Number(r.review_notice_id),
    approvalNoticeId: r.approval_notice_id == null ? null : Number(r.approval_notice_id),
    status: r.status,
    version: Number(r.version),
    publicUntil,
  };
}

/**
 * A village's cases for the public: counts per stage (small cells suppressed) and the cases now in 公示
 * — with `updatedSince`, only those whose record or 公示 notice changed after that time.
 */
export async function publicHousingCases(
  db: Db,
  villageId: number,
  today = todayCn(),
  updatedSince: Date | null = null,
) {
  const [v] = await rows<{ id: number }>(db, sql`SELECT id FROM villages WHERE id = ${villageId}`);
  if (!v) throw notFound("没有这个村");
  const retention = env().MONEY_LIST_RETENTION_DAYS;
  const active = await rows<CaseRow>(
    db,
    sql`${CASE_SELECT} WHERE c.village_id = ${villageId} AND c.status = 'active' ORDER BY c.id`,
  );
  const all = active.map((r) => toView(r, today, retention));
  const byStage = CASE_STAGES.map((stage) => ({
    stage,
    label: CASE_STAGE_LABELS[stage],
    cases: suppressCount(all.filter((c) => c.stage === stage).length),
  }));
  const changed = (i: number) => !updatedSince || new Date(active[i].changed_at) > updatedSince;
  return {
    villageId,
    total: suppressCount(all.length),
    byStage,
    cases: all.filter((c, i) => c.publicUntil != null && changed(i)),
  };
}

/** One case for the public: 404 unless it is in 公示 now (the same answer as a case that does not exist). */
export async function publicHousingCase(db: Db, id: number, today = todayCn()) {
  const [r] = await rows<CaseRow>(db, sql`${CASE_SELECT} WHERE c.id = ${id}`);
  const view = r ? toView(r, today, env().MONEY_LIST_RETENTION_DAYS) : null;
  if (!view || view.publicUntil == null) throw notFound("没有这个危房改造申请，或它不在公示期内");
  return { ...view, photos: await photosOfCase(db, id) };
}

/** One case for the publisher, with its version history. */
export async function getHousingCase(db: Db, id: number, today = todayCn()) {
  const [r] = await rows<CaseRow>(db, sql`${CASE_SELECT} WHERE c.id = ${id}`);
  if (!r) throw notFound("没有这个危房改造申请");
  return {
    ...toView(r, today, env().MONEY_LIST_RETENTION_DAYS),
    versions: await moneyVersions(db, "housing_case", id),
    photos: await photosOfCase(db, id),
  };
}

/** The publisher's list (newest first), optionally of one village. */
export async function listHousingCases(db: Db, f: { villageId?: number | null; limit?: number } = {}) {
  const where = f.villageId ? sql`WHERE c.village_id = ${f.villageId}` : sql``;
  const list = await rows<CaseRow>(db, sql`${CASE_SELECT} ${where} ORDER BY c.id DESC LIMIT ${f.limit ?? 200}`);
  const retention = env().MONEY_LIST_RETENTION_DAYS;
  const today = todayCn();
  return list.map((r) => toView(r, today, retention));
}
