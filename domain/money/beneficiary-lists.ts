import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { env } from "../../lib/env";
import { notFound, validationFailed } from "../../lib/errors";
import { appendAudit } from "../audit/audit-log";
import { createNotice } from "../notices/notices";
import { todayCn } from "../notices/state";
import { fromCents, toCents } from "./cents";
import { checkMoney } from "./disbursements";
import { householdByIdNumber } from "./households";
import { LIST_KIND_LABELS, LIST_KINDS, type ListKind } from "./labels";
import { isListPublic, listPublicUntil, SUPPRESS_BELOW, suppressCount } from "./privacy";

// 公示名单 (识别 / 退出 / 危房改造 / 分红): a notice that carries a list of households. The notice follows
// the notice rules (period, objections through the hotline); the list's household rows are public only
// while the period and objection handling last plus MONEY_LIST_RETENTION_DAYS, then only its aggregate
// (count, sum) remains. The names shown are always masked; the list is never indexed for search (the
// notice's own text is, and it carries no household).

export interface ListEntryInput {
  householdId?: number;
  idNumber?: string;
  amount?: string | null;
  note?: string;
}

export interface BeneficiaryListInput {
  kind: ListKind;
  villageId: number;
  title?: string;
  periodDays?: number;
  periodStart?: string;
  entries: ListEntryInput[];
}

/** Publish a list as a notice of its village (audited with the notice, in one transaction). */
export async function publishBeneficiaryList(
  db: Db,
  input: BeneficiaryListInput,
  actorId: number | null,
  opts: { isDemo?: boolean } = {},
): Promise<{ listId: number; noticeId: number }> {
  if (!LIST_KINDS.includes(input.kind))
    throw validationFailed("名单类型有误", [{ path: "kind", message: LIST_KINDS.join(" | ") }]);
  if (input.entries.length === 0) throw validationFailed("名单不能为空", [{ path: "entries", message: "至少一户" }]);
  const [v] = await rows<{ id: number; village: string; town: string; district: string }>(
    db,
    sql`SELECT v.id, v.name AS village, t.name AS town, d.name AS district FROM villages v JOIN towns t ON t.id = v.town_id
        JOIN districts d ON d.id = t.district_id WHERE v.id = ${input.villageId}`,
  );
  if (!v) throw validationFailed("没有这个村", [{ path: "villageId", message: "没有这个村" }]);
  const entries: { householdId: number; amount: string | null; note: string }[] = [];
  for (const [i, e] of input.entries.entries()) {
    let householdId = e.householdId ?? null;
    if (householdId == null && e.idNumber) householdId = (await householdByIdNumber(db, e.idNumber))?.id ?? null;
    if (householdId == null)
      throw validationFailed(`第 ${i + 1} 户不在户籍登记中`, [
        { path: `entries.${i}`, message: "户籍登记中没有这一户" },
      ]);
    entries.push({
      householdId,
      amount: e.amount ? checkMoney(e.amount, `entries.${i}.amount`) : null,
      note: (e.note ?? "").slice(0, 200),
    });
  }
  const label = LIST_KIND_LABELS[input.kind];
  return db.transaction(async (tx) => {
    const noticeId = await createNotice(
      tx,
      {
        title: input.title ?? `${v.village}${label}名单公示`,
        district: v.district,
        town: v.town,
        village: v.village,
        content: `${v.village}${label}名单（共 ${entries.length} 户），姓名已按规定隐去部分字。对名单有异议的，可在公示期内提出。`,
        periodDays: input.periodDays ?? 10,
        periodStart: input.periodStart,
      },
      actorId,
      opts,
    );
    const [list] = await rows<{ id: number }>(
      tx,
      sql`INSERT INTO beneficiary_lists (notice_id, kind, village_id) VALUES (${noticeId}, ${input.kind}, ${v.id}) RETURNING id`,
    );
    const households = await rows<{ id: number; village_id: number }>(
      tx,
      sql`SELECT id, village_id FROM households WHERE id IN (SELECT unnest(${`{${entries.map((e) => e.householdId).join(",")}}`}::int[]))`,
    );
    const known = new Map(households.map((h) => [Number(h.id), Number(h.village_id)]));
    entries.forEach((e, i) => {
      if (!known.has(e.householdId))
        throw validationFailed(`第 ${i + 1} 户不在户籍登记中`, [
          { path: `entries.${i}`, message: "户籍登记中没有这一户" },
        ]);
    });
    await rows(
      tx,
      sql`INSERT INTO beneficiary_list_entries (list_id, household_id, amount, note) VALUES ${sql.join(
        entries.map((e) => sql`(${list.id}, ${e.householdId}, ${e.amount}::numeric, ${e.note})`),
        sql`, `,
      )} ON CONFLICT DO NOTHING`,
    );
    await appendAudit(tx, {
      actorId,
      action: "beneficiary_list.publish",
      subjectType: "beneficiary_list",
      subjectId: String(list.id),
      details: { noticeId, kind: input.kind, households: entries.length },
    });
    return { listId: Number(list.id), noticeId: Number(noticeId) };
  });
}

export interface PublicList {
  id: number;
  noticeId: number;
  villageId: number;
  title: string;
  kind: ListKind;
  kindLabel: string;
  periodStart: string | null;
  periodEnd: string | null;
  publicUntil: string | null;
  /** The household rows while the list is public; null afterwards (aggregate only). */
  entries: { nameMasked: string; members: number; amount: string | null; note: string }[] | null;
  households: number | null;
  total: string | null;
  /** When the list or its notice last changed (ISO 8601). */
  updatedAt: string;
}

type ListRow = {
  id: number;
  notice_id: number;
  village_id: number;
  title: string;
  kind: ListKind;
  period_start: string | null;
  period_end: string | null;
  status: string;
  open_objections: number;
  last_closed: string | null;
  households: number;
  total: string | null;
  changed_at: Date | string;
};

const LIST_SELECT = sql`SELECT l.id, l.notice_id, l.village_id, n.title, l.kind, n.period_start::text AS period_start, n.period_end::text AS period_end,
    n.status,
    (SELECT count(*)::int FROM tickets t WHERE t.notice_id = n.id AND t.kind = 'objection' AND t.status NOT IN ('closed', 'merged', 'not_accepted')) AS open_objections,
    (SELECT max(t.closed_at AT TIME ZONE 'Asia/Shanghai')::date::text FROM tickets t WHERE t.notice_id = n.id AND t.kind = 'objection') AS last_closed,
    (SELECT count(*)::int FROM beneficiary_list_entries e WHERE e.list_id = l.id) AS households,
    (SELECT sum(e.amount)::text FROM beneficiary_list_entries e WHERE e.list_id = l.id) AS total,
    greatest(l.created_at, n.updated_at) AS changed_at
  FROM beneficiary_lists l JOIN notices n ON n.id = l.notice_id`;

async function toPublic(db: Db, r: ListRow, today: string, retention: number): Promise<PublicList> {
  const state = {
    periodStart: r.period_start,
    periodEnd: r.period_end,
    objectionsOpen: Number(r.open_objections) > 0,
    lastObjectionClosedOn: r.last_closed,
    withdrawn: r.status !== "published",
  };
  const open = isListPublic(state, today, retention);
  const entries = open
    ? (
        await rows<{ name_masked: string; members: number; amount: string | null; note: string }>(
          db,
          sql`SELECT h.name_masked, h.members, e.amount::text AS amount, e.note FROM beneficiary_list_entries e
              JOIN households h ON h.id = e.household_id WHERE e.list_id = ${r.id} ORDER BY h.id`,
        )
      ).map((e) => ({ nameMasked: e.name_masked, members: Number(e.members), amount: e.amount, note: e.note }))
    : null;
  const n = Number(r.households);
  const hidden = !open && n < SUPPRESS_BELOW;
  return {
    id: Number(r.id),
    noticeId: Number(r.notice_id),
    villageId: Number(r.village_id),
    title: r.title,
    kind: r.kind,
    kindLabel: LIST_KIND_LABELS[r.kind],
    periodStart: r.period_start,
    periodEnd: r.period_end,
    publicUntil: listPublicUntil(state, retention),
    entries,
    households: open ? n : suppressCount(n),
    total: hidden ? null : r.total ? fromCents(toCents(r.total)) : null,
    updatedAt: new Date(r.changed_at).toISOString(),
  };
}

/** The lists of a village, newest first (household rows only while public). */
export async function villageLists(db: Db, villageId: number, today = todayCn()): Promise<PublicList[]> {
  const retention = env().MONEY_LIST_RETENTION_DAYS;
  const list = await rows<ListRow>(
    db,
    sql`${LIST_SELECT} WHERE l.village_id = ${villageId} AND n.status <> 'draft' ORDER BY n.period_start DESC NULLS LAST, l.id DESC LIMIT 20`,
  );
  return Promise.all(list.map((r) => toPublic(db, r, today, retention)));
}

/** At most this many lists answer one request. */
export const LISTS_LIMIT = 200;

/**
 * Published lists, of one village or all: newest first, or — with `updatedSince` — those whose list or
 * notice (correction, withdrawal) changed after that time, oldest change first. Household rows only
 * while a list is public.
 */
export async function publicLists(
  db: Db,
  f: { villageId?: number | null; updatedSince?: Date | null },
  today = todayCn(),
): Promise<PublicList[]> {
  const where = [
    sql`n.status <> 'draft'`,
    f.villageId != null ? sql`l.village_id = ${f.villageId}` : null,
    f.updatedSince ? sql`greatest(l.created_at, n.updated_at) > ${f.updatedSince.toISOString()}::timestamptz` : null,
  ].filter((w) => w != null);
  const order = f.updatedSince
    ? sql`ORDER BY greatest(l.created_at, n.updated_at), l.id`
    : sql`ORDER BY n.period_start DESC NULLS LAST, l.id DESC`;
  const list = await rows<ListRow>(
    db,
    sql`${LIST_SELECT} WHERE ${sql.join(where, sql` AND `)} ${order} LIMIT ${LISTS_LIMIT}`,
  );
  const retention = env().MONEY_LIST_RETENTION_DAYS;
  return Promise.all(list.map((r) => toPublic(db, r, today, retention)));
}

/** The list a notice carries, or null. */
export async function listOfNotice(db: Db, noticeId: number, today = todayCn()): Promise<PublicList | null> {
  const [r] = await rows<ListRow>(db, sql`${LIST_SELECT} WHERE l.notice_id = ${noticeId}`);
  return r ? toPublic(db, r, today, env().MONEY_LIST_RETENTION_DAYS) : null;
}

export async function getList(db: Db, id: number, today = todayCn()): Promise<PublicList> {
  const [r] = await rows<ListRow>(db, sql`${LIST_SELECT} WHERE l.id = ${id} AND n.status <> 'draft'`);
  if (!r) throw notFound("没有这份名单");
  return toPublic(db, r, today, env().MONEY_LIST_RETENTION_DAYS);
}
