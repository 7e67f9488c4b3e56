import { and, eq, type SQL, sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { notices, projects } from "../../db/schema";
import { AppError, notFound, validationFailed } from "../../lib/errors";
import { syncSearch } from "../../search/sync";
import { audit } from "../funds/audit";
import { resolvePlace, UnknownPlaceError } from "../reference/places";
import { appendRecordVersion, NOTICE_VERSION_ENTRY } from "../transparency/entries";
import {
  DEFAULT_PERIOD_DAYS,
  daysLeft,
  MIN_PERIOD_DAYS,
  NOTICE_STATE_LABELS,
  type NoticeState,
  noticeState,
  periodEndFor,
  todayCn,
} from "./state";

/** The fields Chinese practice lists for a 公示, in display order. */
export const NOTICE_FIELDS = [
  ["projectName", "项目名称"],
  ["location", "实施地点"],
  ["content", "建设内容"],
  ["subsidyStandard", "补助标准"],
  ["funding", "资金来源及规模"],
  ["periodText", "实施期限"],
  ["implementer", "实施单位及责任人"],
  ["performanceTarget", "绩效目标"],
  ["povertyMechanism", "带贫减贫机制"],
  ["supervisionPhone", "监督电话"],
] as const;
export type NoticeFieldKey = (typeof NOTICE_FIELDS)[number][0];

export interface NoticeInput {
  title: string;
  district: string;
  town?: string | null;
  village?: string | null;
  projectId?: number | null;
  docNumber?: string | null;
  projectName?: string;
  location?: string;
  content?: string;
  subsidyStandard?: string;
  funding?: string;
  periodText?: string;
  implementer?: string;
  performanceTarget?: string;
  povertyMechanism?: string;
  supervisionPhone?: string;
  body?: string;
  periodDays?: number;
  /** Publish now (default) or keep as a draft. */
  publish?: boolean;
  /** First day of the period (default today). */
  periodStart?: string;
}

export interface NoticeSummary {
  id: number;
  title: string;
  district: string;
  town: string | null;
  village: string | null;
  state: NoticeState;
  stateLabel: string;
  periodStart: string | null;
  periodEnd: string | null;
  periodDays: number;
  daysLeft: number;
  publishedAt: string | null;
  amendsId: number | null;
  supersededById: number | null;
}

const COLS = sql`n.id, n.title, d.name AS district, t.name AS town, v.name AS village, n.status,
  n.period_start::text AS period_start, n.period_end::text AS period_end, n.period_days, n.superseded_by_id, n.amends_id,
  to_char(n.published_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS published_at`;
const JOINS = sql`JOIN districts d ON d.id = n.district_id LEFT JOIN towns t ON t.id = n.town_id LEFT JOIN villages v ON v.id = n.village_id`;

function summary(r: Record<string, unknown>, today: string): NoticeSummary {
  const state = noticeState(
    {
      status: r.status as string,
      periodStart: r.period_start as string | null,
      periodEnd: r.period_end as string | null,
      supersededById: r.superseded_by_id as number | null,
    },
    today,
  );
  return {
    id: Number(r.id),
    title: r.title as string,
    district: r.district as string,
    town: (r.town as string) ?? null,
    village: (r.village as string) ?? null,
    state,
    stateLabel: NOTICE_STATE_LABELS[state],
    periodStart: (r.period_start as string) ?? null,
    periodEnd: (r.period_end as string) ?? null,
    periodDays: Number(r.period_days),
    daysLeft: state === "in_period" ? daysLeft(r.period_end as string, today) : 0,
    publishedAt: (r.published_at as string) ?? null,
    amendsId: r.amends_id == null ? null : Number(r.amends_id),
    supersededById: r.superseded_by_id == null ? null : Number(r.superseded_by_id),
  };
}

/** SQL condition for a computed state (today passed in, so one clock decides). */
function stateWhere(state: NoticeState, today: string): SQL {
  switch (state) {
    case "draft":
      return sql`n.status = 'draft'`;
    case "withdrawn":
      return sql`n.status = 'withdrawn'`;
    case "amended":
      return sql`n.status = 'published' AND n.superseded_by_id IS NOT NULL`;
    case "in_period":
      return sql`n.status = 'published' AND n.superseded_by_id IS NULL AND n.period_end >= ${today}::date`;
    case "ended":
      return sql`n.status = 'published' AND n.superseded_by_id IS NULL AND n.period_end < ${today}::date`;
  }
}

export interface NoticeFilters {
  district?: string;
  town?: string;
  village?: string;
  state?: NoticeState;
  year?: number;
  q?: string;
  projectId?: number;
  /** Only notices published, amended (superseded) or withdrawn after this time. */
  updatedSince?: Date | null;
  /** Staff see drafts too. */
  includeDrafts?: boolean;
}

async function placeIds(db: Db, f: { district?: string | null; town?: string | null; village?: string | null }) {
  if (!f.district) {
    if (f.town || f.village)
      throw validationFailed("按镇办或村筛选时请同时指定区县", [
        { path: f.town ? "town" : "village", message: "请同时指定区县（district）" },
      ]);
    return null;
  }
  try {
    return await resolvePlace(db, { district: f.district, town: f.town || null, village: f.village || null });
  } catch (err) {
    if (err instanceof UnknownPlaceError)
      throw validationFailed(err.message, [{ path: err.field, message: err.message }]);
    throw err;
  }
}

export async function listNotices(
  db: Db,
  f: NoticeFilters,
  opts: { page: number; pageSize: number },
): Promise<{ items: NoticeSummary[]; total: number; page: number; pageSize: number }> {
  const today = todayCn();
  const place = await placeIds(db, f);
  const c: SQL[] = [f.includeDrafts ? sql`true` : sql`n.status <> 'draft'`];
  if (place) {
    c.push(sql`n.district_id = ${place.districtId}`);
    if (place.townId) c.push(sql`n.town_id = ${place.townId}`);
    if (place.villageId) c.push(sql`n.village_id = ${place.villageId}`);
  }
  if (f.state) c.push(stateWhere(f.state, today));
  if (f.year) c.push(sql`extract(year FROM coalesce(n.period_start, n.created_at::date)) = ${f.year}`);
  if (f.projectId) c.push(sql`n.project_id = ${f.projectId}`);
  if (f.updatedSince) c.push(sql`n.updated_at > ${f.updatedSince.toISOString()}::timestamptz`);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    c.push(
      sql`(n.title || ' ' || n.project_name || ' ' || n.content || ' ' || coalesce(n.doc_number, '')) ILIKE ${like}`,
    );
  }
  const where = sql.join(c, sql` AND `);
  const [[{ total }], list] = await Promise.all([
    rows<{ total: number }>(db, sql`SELECT count(*)::int AS total FROM notices n WHERE ${where}`),
    rows<Record<string, unknown>>(
      db,
      sql`SELECT ${COLS} FROM notices n ${JOINS} WHERE ${where}
        ORDER BY n.period_start DESC NULLS FIRST, n.id DESC LIMIT ${opts.pageSize} OFFSET ${(opts.page - 1) * opts.pageSize}`,
    ),
  ]);
  return { items: list.map((r) => summary(r, today)), total: Number(total), page: opts.page, pageSize: opts.pageSize };
}

/**
 * One published version of a notice as the public sees it: the publication (or, for a notice that
 * amends another, the amendment) and the withdrawal. A notice's content never changes once published
 * (a correction is a new notice), so every version is rebuilt from the row; GET /api/notices/{id} lists
 * them and the transparency log holds the SHA-256 of each one's JCS.
 */
export interface NoticeVersion {
  version: number;
  kind: "publish" | "amend" | "withdraw";
  title: string;
  district: string;
  town: string | null;
  village: string | null;
  projectId: number | null;
  docNumber: string | null;
  fields: Record<NoticeFieldKey, string>;
  body: string;
  periodStart: string | null;
  periodEnd: string | null;
  periodDays: number;
  publishedAt: string | null;
  amendsId: number | null;
  amendReason: string | null;
  withdrawnAt: string | null;
  withdrawReason: string | null;
}

const VERSION_COLS = sql`n.id, n.title, d.name AS district, t.name AS town, v.name AS village, n.project_id, n.doc_number,
  n.project_name, n.location, n.content, n.subsidy_standard, n.funding, n.period_text, n.implementer,
  n.performance_target, n.poverty_mechanism, n.supervision_phone, n.body, n.period_start::text AS period_start,
  n.period_end::text AS period_end, n.period_days, n.amends_id, n.amend_reason, n.withdraw_reason,
  to_char(n.published_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS published_at,
  to_char(n.withdrawn_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS withdrawn_at,
  log_iso_time(n.published_at) AS published_iso, log_iso_time(n.withdrawn_at) AS withdrawn_iso`;

const snake = (key: string) => key.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);

/** A notice row's public versions, oldest first, each with its exact time. */
function versionsOf(r: Record<string, unknown>): { time: Date; version: NoticeVersion }[] {
  const base = {
    title: r.title as string,
    district: r.district as string,
    town: (r.town as string) ?? null,
    village: (r.village as string) ?? null,
    projectId: r.project_id == null ? null : Number(r.project_id),
    docNumber: (r.doc_number as string) ?? null,
    fields: Object.fromEntries(NOTICE_FIELDS.map(([key]) => [key, (r[snake(key)] as string) ?? ""])) as Record<
      NoticeFieldKey,
      string
    >,
    body: r.body as string,
    periodStart: (r.period_start as string) ?? null,
    periodEnd: (r.period_end as string) ?? null,
    periodDays: Number(r.period_days),
    publishedAt: (r.published_at as string) ?? null,
    amendsId: r.amends_id == null ? null : Number(r.amends_id),
    amendReason: (r.amend_reason as string) ?? null,
    withdrawnAt: null as string | null,
    withdrawReason: null as string | null,
  };
  const out: { time: Date; version: NoticeVersion }[] = [];
  if (r.published_iso) {
    const kind = base.amendsId == null ? ("publish" as const) : ("amend" as const);
    out.push({ time: new Date(r.published_iso as string), version: { version: 1, kind, ...base } });
  }
  if (r.withdrawn_iso) {
    out.push({
      time: new Date(r.withdrawn_iso as string),
      version: {
        version: out.length + 1,
        kind: "withdraw",
        ...base,
        withdrawnAt: (r.withdrawn_at as string) ?? null,
        withdrawReason: (r.withdraw_reason as string) ?? null,
      },
    });
  }
  return out;
}

/** The public versions of notices by id (drafts have none), oldest first, each with its exact time. */
export async function noticeVersions(db: Db, ids: number[]) {
  const list = await rows<Record<string, unknown>>(
    db,
    sql`SELECT ${VERSION_COLS} FROM notices n ${JOINS}
        WHERE n.id IN (SELECT value::int FROM jsonb_array_elements_text(${JSON.stringify(ids.map(String))}::jsonb))`,
  );
  return new Map(list.map((r) => [Number(r.id), versionsOf(r)]));
}

/** The notice's newest version into the public transparency log (in the caller's transaction). */
async function logNewestVersion(tx: Db, id: number) {
  const newest = (await noticeVersions(tx, [id])).get(id)?.at(-1);
  if (!newest) return;
  await appendRecordVersion(tx, {
    type: NOTICE_VERSION_ENTRY,
    id: String(id),
    version: newest.version.version,
    time: newest.time,
    publicJson: newest.version,
  });
}

export async function getNotice(db: Db, id: number, opts: { includeDraft?: boolean } = {}) {
  const today = todayCn();
  const [r] = await rows<Record<string, unknown>>(
    db,
    sql`SELECT ${COLS}, n.project_id, p.name AS project, n.doc_number, n.project_name, n.location, n.content,
        n.subsidy_standard, n.funding, n.period_text, n.implementer, n.performance_target, n.poverty_mechanism,
        n.supervision_phone, n.body, n.withdraw_reason, n.amend_reason,
        to_char(n.withdrawn_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS withdrawn_at,
        to_char(greatest(n.published_at, n.withdrawn_at,
            (SELECT s.published_at FROM notices s WHERE s.id = n.superseded_by_id)) AT TIME ZONE 'Asia/Shanghai',
          'YYYY-MM-DD HH24:MI') AS changed_at
      FROM notices n ${JOINS} LEFT JOIN projects p ON p.id = n.project_id WHERE n.id = ${id}`,
  );
  if (!r || (r.status === "draft" && !opts.includeDraft)) throw notFound("没有这条公示");
  const base = summary(r, today);
  // The amendment chain: earlier versions (amendsId) and the later one (supersededById).
  const chain = await rows<Record<string, unknown>>(
    db,
    sql`WITH RECURSIVE up AS (
        SELECT id, amends_id, 0 AS depth FROM notices WHERE id = ${id}
        UNION ALL SELECT n.id, n.amends_id, up.depth + 1 FROM notices n JOIN up ON n.id = up.amends_id WHERE up.depth < 50
      ), down AS (
        SELECT id, superseded_by_id, 0 AS depth FROM notices WHERE id = ${id}
        UNION ALL SELECT n.id, n.superseded_by_id, down.depth + 1 FROM notices n JOIN down ON n.id = down.superseded_by_id WHERE down.depth < 50
      )
      SELECT ${COLS}, n.amend_reason FROM notices n ${JOINS}
      WHERE n.id IN (SELECT id FROM up UNION SELECT id FROM down) ORDER BY n.id`,
  );
  return {
    ...base,
    projectId: r.project_id == null ? null : Number(r.project_id),
    project: (r.project as string) ?? null,
    docNumber: (r.doc_number as string) ?? null,
    fields: Object.fromEntries(NOTICE_FIELDS.map(([key]) => [key, (r[snake(key)] as string) ?? ""])) as Record<
      NoticeFieldKey,
      string
    >,
    body: r.body as string,
    withdrawReason: (r.withdraw_reason as string) ?? null,
    withdrawnAt: (r.withdrawn_at as string) ?? null,
    /** When the public record last changed (published, amended by a later notice, withdrawn). */
    changedAt: (r.changed_at as string) ?? null,
    amendReason: (r.amend_reason as string) ?? null,
    history: chain.map((c) => ({ ...summary(c, today), amendReason: (c.amend_reason as string) ?? null })),
    /** The published versions, newest first, as the transparency log holds them. */
    versions: ((await noticeVersions(db, [id])).get(id) ?? []).map((v) => v.version).reverse(),
  };
}
export type NoticeDetail = Awaited<ReturnType<typeof getNotice>>;

function checkPeriod(days: number | undefined) {
  const d = days ?? DEFAULT_PERIOD_DAYS;
  if (!Number.isInteger(d) || d < MIN_PERIOD_DAYS || d > 90) {
    throw validationFailed(`公示期不得少于 ${MIN_PERIOD_DAYS} 天（默认 ${DEFAULT_PERIOD_DAYS} 天，最多 90 天）`, [
      { path: "periodDays", message: `公示期不得少于 ${MIN_PERIOD_DAYS} 天` },
    ]);
  }
  return d;
}

async function noticeValues(db: Db, input: NoticeInput) {
  const place = await placeIds(db, input);
  if (!place) throw validationFailed("请填写区县", [{ path: "district", message: "请填写区县" }]);
  if (input.projectId != null) {
    const [p] = await db.select({ id: projects.id }).from(projects).where(eq(projects.id, input.projectId));
    if (!p) throw validationFailed("没有这个项目", [{ path: "projectId", message: "没有这个项目" }]);
  }
  const periodDays = checkPeriod(input.periodDays);
  return {
    title: input.title,
    districtId: place.districtId,
    townId: place.townId,
    villageId: place.villageId,
    projectId: input.projectId ?? null,
    docNumber: input.docNumber ?? null,
    projectName: input.projectName ?? "",
    location: input.location ?? "",
    content: input.content ?? "",
    subsidyStandard: input.subsidyStandard ?? "",
    funding: input.funding ?? "",
    periodText: input.periodText ?? "",
    implementer: input.implementer ?? "",
    performanceTarget: input.performanceTarget ?? "",
    povertyMechanism: input.povertyMechanism ?? "",
    supervisionPhone: input.supervisionPhone ?? "",
    body: input.body ?? "",
    periodDays,
  };
}

function publication(periodDays: number, start?: string) {
  const periodStart = start ?? todayCn();
  return {
    status: "published" as const,
    periodStart,
    periodEnd: periodEndFor(periodStart, periodDays),
    publishedAt: new Date(),
  };
}

export async function createNotice(
  db: Db,
  input: NoticeInput,
  actorId: number | null,
  opts: { isDemo?: boolean } = {},
) {
  const values = await noticeValues(db, input);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(notices)
      .values({
        ...values,
        ...(input.publish === false ? {} : publication(values.periodDays, input.periodStart)),
        createdBy: actorId,
        isDemo: opts.isDemo ?? false,
      })
      .returning({ id: notices.id });
    await syncSearch(tx, "notice", [row.id]);
    await logNewestVersion(tx, row.id);
    await audit(tx, {
      actorId,
      action: input.publish === false ? "notice.draft" : "notice.publish",
      subjectType: "notice",
      subjectId: String(row.id),
    });
    return row.id;
  });
}

/** Publish a draft: the period starts today. */
export async function publishNotice(db: Db, id: number, actorId: number | null) {
  return db.transaction(async (tx) => {
    const [cur] = await tx.select().from(notices).where(eq(notices.id, id)).for("update");
    if (!cur) throw notFound("没有这条公示");
    if (cur.status !== "draft") throw new AppError("INVALID_TRANSITION", "只有草稿可以发布");
    await tx
      .update(notices)
      .set({ ...publication(cur.periodDays), updatedAt: new Date() })
      .where(eq(notices.id, id));
    await syncSearch(tx, "notice", [id]);
    await logNewestVersion(tx, id);
    await audit(tx, { actorId, action: "notice.publish", subjectType: "notice", subjectId: String(id) });
  });
}

/**
 * Amend a published notice: a new notice carries the corrected content (with a new period and the
 * reason); the original stays visible, marked 已更正 with a link to the new one.
 */
export async function amendNotice(
  db: Db,
  id: number,
  patch: Partial<NoticeInput>,
  reason: string,
  actorId: number | null,
  opts: { isDemo?: boolean; periodStart?: string } = {},
) {
  return db.transaction(async (tx) => {
    const [cur] = await tx.select().from(notices).where(eq(notices.id, id)).for("update");
    if (!cur) throw notFound("没有这条公示");
    if (cur.status !== "published" || cur.supersededById != null) {
      throw new AppError(
        "INVALID_TRANSITION",
        cur.status === "draft" ? "草稿请直接修改后发布" : "这条公示已撤回或已被更正，不能再更正",
      );
    }
    const [d] = await rows<{ district: string; town: string | null; village: string | null }>(
      tx,
      sql`SELECT d.name AS district, t.name AS town, v.name AS village FROM notices n ${JOINS} WHERE n.id = ${id}`,
    );
    const merged: NoticeInput = {
      title: patch.title ?? cur.title,
      district: patch.district ?? d.district,
      town: patch.district || patch.town !== undefined ? (patch.town ?? null) : d.town,
      village: patch.district || patch.village !== undefined ? (patch.village ?? null) : d.village,
      projectId: patch.projectId !== undefined ? patch.projectId : cur.projectId,
      docNumber: patch.docNumber !== undefined ? patch.docNumber : cur.docNumber,
      projectName: patch.projectName ?? cur.projectName,
      location: patch.location ?? cur.location,
      content: patch.content ?? cur.content,
      subsidyStandard: patch.subsidyStandard ?? cur.subsidyStandard,
      funding: patch.funding ?? cur.funding,
      periodText: patch.periodText ?? cur.periodText,
      implementer: patch.implementer ?? cur.implementer,
      performanceTarget: patch.performanceTarget ?? cur.performanceTarget,
      povertyMechanism: patch.povertyMechanism ?? cur.povertyMechanism,
      supervisionPhone: patch.supervisionPhone ?? cur.supervisionPhone,
      body: patch.body ?? cur.body,
      periodDays: patch.periodDays ?? cur.periodDays,
    };
    const values = await noticeValues(tx, merged);
    const [row] = await tx
      .insert(notices)
      .values({
        ...values,
        ...publication(values.periodDays, opts.periodStart),
        amendsId: id,
        amendReason: reason,
        createdBy: actorId,
        isDemo: opts.isDemo ?? cur.isDemo,
      })
      .returning({ id: notices.id });
    await tx.update(notices).set({ supersededById: row.id, updatedAt: new Date() }).where(eq(notices.id, id));
    await syncSearch(tx, "notice", [id, row.id]);
    await logNewestVersion(tx, row.id);
    await audit(tx, {
      actorId,
      action: "notice.amend",
      subjectType: "notice",
      subjectId: String(id),
      details: { newId: row.id, reason },
    });
    return row.id;
  });
}

export async function withdrawNotice(db: Db, id: number, reason: string, actorId: number | null) {
  return db.transaction(async (tx) => {
    const [cur] = await tx.select().from(notices).where(eq(notices.id, id)).for("update");
    if (!cur) throw notFound("没有这条公示");
    if (cur.status === "withdrawn") throw new AppError("INVALID_TRANSITION", "这条公示已撤回");
    await tx
      .update(notices)
      .set({ status: "withdrawn", withdrawnAt: new Date(), withdrawReason: reason, updatedAt: new Date() })
      .where(and(eq(notices.id, id)));
    await syncSearch(tx, "notice", [id]);
    await logNewestVersion(tx, id);
    await audit(tx, {
      actorId,
      action: "notice.withdraw",
      subjectType: "notice",
      subjectId: String(id),
      details: { reason },
    });
  });
}
