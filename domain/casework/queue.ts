import { type SQL, sql } from "drizzle-orm";
import { customPlan, type Db, rows } from "../../db/client";
import { categories, districts, units } from "../../db/schema";
import type { SqlRow } from "../../db/sql-row";
import { AppError } from "../../lib/errors";
import { ticketScope } from "../access/ticket-scope";
import { auditFor } from "../audit/audit-log";
import type { StaffPrincipal } from "../auth/principal";
import { addDays, chinaDate } from "../hotline/deadlines";
import { FINAL_STATUSES, isTicketStatus, TICKET_STATUSES } from "../hotline/lifecycle";
import { availableActions, type LockedTicket } from "./ticket-action";

// The console's queue and ticket page. Every query carries the actor's scope in its WHERE clause.

export const PAGE_SIZE = 25;

export interface QueueFilters {
  /** a status, "open" (default: every unfinished status) or "all" */
  status?: string;
  kind?: string;
  category?: string;
  tier?: string;
  districtId?: number;
  unitId?: number;
  /** due within N days (from today, China time), overdue excluded unless `overdue` */
  dueWithin?: number;
  overdue?: boolean;
  channel?: string;
  /** page number (shown; used as an offset only when no cursor is given) */
  page?: number;
  /** keyset cursor: the page after this position in the urgency order … */
  after?: QueueCursor;
  /** … or the page before it */
  before?: QueueCursor;
}

/** A position in the urgency order (due date, tier, id). */
export interface QueueCursor {
  dueOn: string;
  tier: string;
  id: number;
}

export interface QueueItem {
  id: number;
  number: string;
  title: string;
  kind: string;
  status: string;
  tier: string;
  channel: string;
  category: string;
  district: string;
  unit: string;
  dueOn: string;
  receivedAt: Date;
  escalated: boolean;
}

// Literals, not parameters: a generic (prepared) plan must still match the partial indexes' predicate.
const FINAL_SQL = sql.raw(FINAL_STATUSES.map((s) => `'${s}'`).join(", "));
const TIERS = ["I", "II", "III", "IV"];

/** The cursor of a queue item, as it appears in the page links (`2026-05-01_IV_123`). */
export function cursorOf(item: { dueOn: string; tier: string; id: number }): string {
  return `${item.dueOn}_${item.tier}_${item.id}`;
}

function parseCursor(v: string | null): QueueCursor | undefined {
  const m = v ? /^(\d{4}-\d{2}-\d{2})_(I|II|III|IV)_(\d{1,10})$/.exec(v) : null;
  if (!m || Number.isNaN(Date.parse(m[1])) || Number(m[3]) > 2_147_483_647) return undefined;
  return { dueOn: m[1], tier: m[2], id: Number(m[3]) };
}

/** Parse the queue's query string (lenient: unknown values are ignored, not errors). */
export function parseFilters(params: URLSearchParams): QueueFilters {
  const int = (k: string, max = 1_000_000) => {
    const v = params.get(k);
    if (!v || !/^\d{1,7}$/.test(v)) return undefined;
    const n = Number(v);
    return n > 0 && n <= max ? n : undefined;
  };
  const text = (k: string) => {
    const v = params.get(k)?.trim();
    return v && v.length <= 50 ? v : undefined;
  };
  const status = text("status");
  const after = parseCursor(params.get("after"));
  return {
    status: status && (status === "all" || status === "open" || isTicketStatus(status)) ? status : undefined,
    kind: text("kind"),
    category: text("category"),
    tier: TIERS.includes(params.get("tier") ?? "") ? (params.get("tier") as string) : undefined,
    districtId: int("district"),
    unitId: int("unit"),
    dueWithin: int("due", 365),
    overdue: params.get("overdue") === "1" || params.get("overdue") === "on",
    channel: text("channel"),
    page: int("page", 100_000),
    after,
    before: after ? undefined : parseCursor(params.get("before")),
  };
}

/** The filters other than status (and, with `noDue`, other than the deadline filters). */
function filterConditions(f: QueueFilters, today: string, noDue = false): SQL[] {
  const c: SQL[] = [];
  if (f.kind) c.push(sql`t.kind = ${f.kind}`);
  if (f.category) c.push(sql`t.category_code = ${f.category}`);
  if (f.tier) c.push(sql`t.tier = ${f.tier}`);
  if (f.districtId) c.push(sql`t.district_id = ${f.districtId}`);
  if (f.unitId) c.push(sql`t.routed_unit_id = ${f.unitId}`);
  if (f.channel) c.push(sql`t.channel = ${f.channel}`);
  if (noDue) return c;
  // Both deadline filters concern unfinished tickets only (their status filter adds `open`).
  if (f.overdue && f.dueWithin) {
    c.push(sql`t.due_on <= ${addDays(today, f.dueWithin)}::date`);
  } else if (f.overdue) {
    c.push(sql`t.due_on < ${today}::date`);
  } else if (f.dueWithin) {
    c.push(sql`t.due_on BETWEEN ${today}::date AND ${addDays(today, f.dueWithin)}::date`);
  }
  return c;
}

const isOpenOnly = (f: QueueFilters) => !!(f.overdue || f.dueWithin);

/**
 * The status "branches" a view reads, each a condition the indexes serve in urgency order: the open
 * tickets as one branch (the open-ticket indexes), each finished status as its own (the status index).
 */
function statusBranches(f: QueueFilters): SQL[] {
  const st = f.status ?? "open";
  const open = sql`t.status NOT IN (${FINAL_SQL})`;
  if (st === "open") return [open];
  if (st === "all")
    return isOpenOnly(f) ? [open] : [open, ...FINAL_STATUSES.map((s) => sql`t.status = ${sql.raw(`'${s}'`)}`)];
  if (isOpenOnly(f) && FINAL_STATUSES.includes(st as never)) return [];
  return [sql`t.status = ${st}`];
}

const where = (parts: SQL[]) => sql.join(parts, sql` AND `);

/** A QueueItem as the database returns it. */
type QueueRow = Omit<QueueItem, "dueOn" | "receivedAt"> & { due_on: string; received_at: Date };

/**
 * One page of the queue, most urgent first (earliest deadline, then tier, then oldest). Pages are
 * keyset-paginated (`after`/`before` a cursor); a bare page number is an offset. The positions are
 * chosen from the indexes alone (id, deadline, tier — the scope and filter columns are in the
 * indexes), and only the page's 25 tickets are read from the table.
 */
export async function listQueue(db: Db, staff: StaffPrincipal, f: QueueFilters, now = new Date()) {
  const today = chinaDate(now);
  const scope = await ticketScope(db, staff);
  const backward = !!f.before && !f.after;
  const cursor = f.after ?? f.before;
  const page = f.page ?? 1;
  const offset = cursor ? 0 : (page - 1) * PAGE_SIZE;
  // One more than a page, to know whether there is a further page in the direction of travel.
  const n = offset + PAGE_SIZE + 1;
  const dir = sql.raw(backward ? "DESC" : "ASC");
  const order = sql`ORDER BY due_on ${dir}, tier ${dir}, id ${dir}`;
  const keyset = cursor
    ? [
        backward
          ? sql`(t.due_on, t.tier, t.id) < (${cursor.dueOn}::date, ${cursor.tier}, ${cursor.id}::int)`
          : sql`(t.due_on, t.tier, t.id) > (${cursor.dueOn}::date, ${cursor.tier}, ${cursor.id}::int)`,
      ]
    : [];
  const rest = [scope, ...filterConditions(f, today), ...keyset];
  const branches = statusBranches(f).map(
    (b) =>
      sql`(SELECT t.id, t.due_on, t.tier FROM tickets t WHERE ${where([b, ...rest])}
            ORDER BY t.due_on ${dir}, t.tier ${dir}, t.id ${dir} LIMIT ${n})`,
  );
  if (branches.length === 0) return { page, items: [] as QueueItem[], today, prev: undefined, next: undefined };
  // One branch: it is the page. Several (status "all"): each contributes its first n, merged.
  const picked =
    branches.length === 1
      ? sql`SELECT * FROM ${branches[0]} b OFFSET ${offset}`
      : sql`SELECT * FROM (${sql.join(branches, sql` UNION ALL `)}) b ${order} LIMIT ${PAGE_SIZE + 1} OFFSET ${offset}`;
  // Planned for the actual values: which path is short depends on them (a category with 400 open
  // tickets is read from its own index, one with 60,000 in deadline order).
  const found = await rows<QueueRow>(
    db,
    customPlan(sql`SELECT t.id, t.number, t.title, t.kind, t.status, t.tier, t.channel, c.name AS category, d.name AS district,
          u.name AS unit, t.due_on::text AS due_on, t.received_at, t.escalated_at IS NOT NULL AS escalated
        FROM (${picked}) p JOIN tickets t ON t.id = p.id
        JOIN categories c ON c.code = t.category_code JOIN districts d ON d.id = t.district_id JOIN units u ON u.id = t.routed_unit_id
        ORDER BY t.due_on ${dir}, t.tier ${dir}, t.id ${dir}`),
  );
  const more = found.length > PAGE_SIZE;
  if (more) found.pop();
  if (backward) found.reverse();
  const items = found.map(
    (r): QueueItem => ({
      id: r.id,
      number: r.number,
      title: r.title,
      kind: r.kind,
      status: r.status,
      tier: r.tier,
      channel: r.channel,
      category: r.category,
      district: r.district,
      unit: r.unit,
      dueOn: r.due_on,
      receivedAt: r.received_at,
      escalated: r.escalated,
    }),
  );
  // Links: forward, a next page when more rows follow and a previous one unless this is the start;
  // backward (from a later page), a previous page when more rows precede, and always a next one.
  const first = items[0];
  const last = items[items.length - 1];
  const hasPrev = backward ? more : !!f.after || page > 1;
  const hasNext = backward ? true : more;
  return {
    page,
    items,
    today,
    prev: hasPrev && first ? cursorOf(first) : undefined,
    next: hasNext && last ? cursorOf(last) : undefined,
  };
}

/** Finished tickets are counted up to here ("1000+"): the cost stays bounded however many match. */
export const COUNT_CAP = 1000;

/**
 * Counts for the filter bar, within the person's scope and the other filters: per status (the status
 * filter itself left out), open ones overdue and due within 3 days, and the total for the current
 * filters. Unfinished tickets are counted exactly (one pass over the open-ticket indexes). Finished
 * ones — the archive, up to 85 % of a million — only when the view is about them (a finished status or
 * "all"), exactly up to COUNT_CAP and reported as capped beyond; the work queue's views leave them
 * uncounted (absent from byStatus) rather than pay for them on every page.
 */
export async function queueCounts(db: Db, staff: StaffPrincipal, f: QueueFilters, now = new Date()) {
  const today = chinaDate(now);
  const scope = await ticketScope(db, staff);
  const st = f.status ?? "open";
  const finishedCounted = !isOpenOnly(f) && (st === "all" || FINAL_STATUSES.includes(st as never));
  const statuses = TICKET_STATUSES.filter((s) => finishedCounted || !FINAL_STATUSES.includes(s));
  const open = sql`t.status NOT IN (${FINAL_SQL})`;
  const rest = filterConditions(f, today);
  const noDue = filterConditions(f, today, true);
  const capped = (where_: SQL) =>
    sql`(SELECT count(*)::int FROM (SELECT 1 FROM tickets t WHERE ${where_} LIMIT ${sql.raw(String(COUNT_CAP + 1))}) x)`;
  const cols = [
    sql`(SELECT json_object_agg(status, n) FROM (SELECT t.status, count(*)::int AS n FROM tickets t
          WHERE ${where([scope, open, ...rest])} GROUP BY t.status) g) AS "_open"`,
    sql`(SELECT count(*)::int FROM tickets t WHERE ${where([scope, open, ...noDue, sql`t.due_on < ${today}::date`])}) AS "_overdue"`,
    sql`(SELECT count(*)::int FROM tickets t
          WHERE ${where([scope, open, ...noDue, sql`t.due_on BETWEEN ${today}::date AND ${addDays(today, 3)}::date`])}) AS "_soon"`,
  ];
  for (const s of statuses.filter((x) => FINAL_STATUSES.includes(x))) {
    cols.push(sql`${capped(where([scope, sql`t.status = ${sql.raw(`'${s}'`)}`, ...rest]))} AS ${sql.identifier(s)}`);
  }
  const [r] = await rows<Record<string, unknown>>(db, customPlan(sql`SELECT ${sql.join(cols, sql`, `)}`));
  const openCounts = (r._open ?? {}) as Record<string, number>;
  const byStatus: Record<string, number> = {};
  const cappedStatuses: string[] = [];
  for (const s of statuses) {
    const n = FINAL_STATUSES.includes(s) ? Number(r[s] ?? 0) : Number(openCounts[s] ?? 0);
    byStatus[s] = Math.min(n, FINAL_STATUSES.includes(s) ? COUNT_CAP : n);
    if (FINAL_STATUSES.includes(s) && n > COUNT_CAP) cappedStatuses.push(s);
  }
  const openStatuses = statuses.filter((s) => !FINAL_STATUSES.includes(s));
  const openTotal = openStatuses.reduce((a, s) => a + byStatus[s], 0);
  const total =
    st === "open" ? openTotal : st === "all" ? Object.values(byStatus).reduce((a, b) => a + b, 0) : (byStatus[st] ?? 0);
  const totalCapped = st === "open" ? false : st === "all" ? cappedStatuses.length > 0 : cappedStatuses.includes(st);
  return {
    total,
    totalCapped,
    /** whether finished statuses were counted (else they are absent from byStatus) */
    finishedCounted,
    capped: cappedStatuses,
    byStatus,
    openTotal,
    /** always false: unfinished tickets are counted exactly (kept for API compatibility) */
    openCapped: false,
    overdue: Number(r._overdue),
    overdueCapped: false,
    dueSoon: Number(r._soon),
    dueSoonCapped: false,
  };
}

export interface TicketDetail {
  ticket: Record<string, unknown> & LockedTicket;
  events: {
    id: number;
    action: string;
    from_status: string | null;
    to_status: string;
    visibility: string;
    actor_kind: string;
    actor_name: string | null;
    unit_name: string | null;
    note: string | null;
    created_at: Date;
  }[];
  messages: { id: number; author: string; author_name: string | null; body: string; created_at: Date }[];
  audit: Awaited<ReturnType<typeof auditFor>>;
  related: { number: string; title: string; status: string; why: string }[];
  actions: ReturnType<typeof availableActions>;
  today: string;
}

/** The ticket page: everything the actor may see about one ticket, and the actions they may take. */
export async function ticketDetail(db: Db, staff: StaffPrincipal, number: string): Promise<TicketDetail> {
  const scope = await ticketScope(db, staff);
  const [t] = await rows<TicketDetail["ticket"]>(
    db,
    sql`SELECT t.id, t.number, t.kind, t.status, t.tier, t.tier_reason, t.title, t.description, t.channel, t.category_code,
          c.name AS category, t.district_id, d.name AS district, tw.name AS town, v.name AS village, t.notice_id,
          t.subject_unit_id, t.subject_unit_text, t.subject_person, t.subject_post, t.handling_level,
          t.routed_unit_id, ru.name AS routed_unit, t.supervising_unit_id, su.name AS supervising_unit, t.supervising_level,
          t.routing_reason, t.received_at, t.accept_due_on::text AS accept_due_on, t.first_response_due_at,
          t.handle_due_on::text AS handle_due_on, t.return_due_on::text AS return_due_on, t.review_due_on::text AS review_due_on,
          t.due_on::text AS due_on, t.extended_days, t.extension_reason, t.accepted_at, t.dispatched_at, t.replied_at, t.closed_at,
          t.reply_summary, t.rating, t.rated_at, t.reporter_anonymous, r.contact_allowed, t.escalated_at,
          m.number AS merged_into, t.operator_id, t.created_at
        FROM tickets t JOIN categories c ON c.code = t.category_code JOIN districts d ON d.id = t.district_id
          LEFT JOIN towns tw ON tw.id = t.town_id LEFT JOIN villages v ON v.id = t.village_id
          JOIN units ru ON ru.id = t.routed_unit_id JOIN units su ON su.id = t.supervising_unit_id
          LEFT JOIN ticket_reporters r ON r.ticket_id = t.id LEFT JOIN tickets m ON m.id = t.merged_into_id
        WHERE t.number = ${number} AND ${scope}`,
  );
  if (!t) throw new AppError("NOT_FOUND", `没有这个工单，或您无权查看：${number}`);
  const events = await rows<TicketDetail["events"][number]>(
    db,
    sql`SELECT e.id, e.action, e.from_status, e.to_status, e.visibility, e.actor_kind, u.display_name AS actor_name,
          un.name AS unit_name, e.note, e.created_at
        FROM ticket_events e LEFT JOIN users u ON u.id = e.actor_user_id LEFT JOIN units un ON un.id = e.unit_id
        WHERE e.ticket_id = ${t.id} ORDER BY e.id`,
  );
  const messages = await rows<TicketDetail["messages"][number]>(
    db,
    sql`SELECT m.id, m.author, u.display_name AS author_name, m.body, m.created_at FROM ticket_messages m
        LEFT JOIN users u ON u.id = m.author_user_id WHERE m.ticket_id = ${t.id} ORDER BY m.id`,
  );
  const audit = await auditFor(db, "ticket", t.number);
  // Possible duplicates: same place + category (+ notice) within 90 days, or a similar title.
  const related = await rows<{ number: string; title: string; status: string; why: string }>(
    db,
    sql`(SELECT t.number, t.title, t.status, '同地点、同类别' AS why FROM tickets t
          WHERE ${scope} AND t.id <> ${t.id} AND t.district_id = ${t.district_id} AND t.category_code = ${t.category_code}
            AND t.town_id IS NOT DISTINCT FROM (SELECT town_id FROM tickets WHERE id = ${t.id})
            AND t.notice_id IS NOT DISTINCT FROM ${t.notice_id as number | null}
            AND t.received_at BETWEEN ${t.received_at as Date}::timestamptz - interval '90 days' AND ${t.received_at as Date}::timestamptz + interval '90 days'
          ORDER BY abs(extract(epoch FROM t.received_at - ${t.received_at as Date}::timestamptz)) LIMIT 5)
        UNION
        (SELECT t.number, t.title, t.status, '标题相似' AS why FROM tickets t
          WHERE ${scope} AND t.id <> ${t.id} AND t.title % ${t.title as string}
          ORDER BY similarity(t.title, ${t.title as string}) DESC LIMIT 5)`,
  );
  const seen = new Set<string>();
  return {
    ticket: t,
    events,
    messages,
    audit,
    related: related.filter((r) => !seen.has(r.number) && seen.add(r.number)),
    actions: availableActions(staff, {
      ...t,
      handle_due_on: t.handle_due_on,
    }),
    today: chinaDate(new Date()),
  };
}

/** Units a ticket may be dispatched to (for the dispatch form): the staff's reach, subject unit excluded. */
export async function dispatchTargets(
  db: Db,
  staff: StaffPrincipal,
  ticket: { district_id: number; subject_unit_id: number | null },
) {
  const reach =
    staff.unitLevel === "city"
      ? sql`(u.level = 'city' OR u.district_id = ${ticket.district_id})`
      : sql`u.district_id = ${staff.districtId}`;
  return rows<{ id: number; name: string }>(
    db,
    sql`SELECT u.id, u.name FROM units u WHERE ${reach} AND u.kind <> 'hotline'
          AND (${ticket.subject_unit_id}::int IS NULL OR u.id <> ${ticket.subject_unit_id}::int)
          ${staff.role === "inspector" ? sql`AND u.kind = 'discipline'` : sql`AND u.kind <> 'discipline'`}
        ORDER BY u.level, u.id`,
  );
}

/** Choices for the queue's filter form. */
export async function filterOptions(db: Db) {
  const [categoryRows, districtRows, unitRows] = await Promise.all([
    rows<SqlRow<typeof categories, "code" | "name">>(
      db,
      sql`SELECT ${categories.code}, ${categories.name} FROM ${categories} ORDER BY ${categories.sort}, ${categories.code}`,
    ),
    rows<SqlRow<typeof districts, "id" | "name">>(
      db,
      sql`SELECT ${districts.id}, ${districts.name} FROM ${districts} ORDER BY ${districts.sort}, ${districts.id}`,
    ),
    rows<SqlRow<typeof units, "id" | "name">>(
      db,
      sql`SELECT ${units.id}, ${units.name} FROM ${units} WHERE ${units.kind} <> 'hotline'
          ORDER BY CASE ${units.level} WHEN 'city' THEN 0 WHEN 'district' THEN 1 ELSE 2 END, ${units.id}`,
    ),
  ]);
  return { categories: categoryRows, districts: districtRows, units: unitRows };
}
