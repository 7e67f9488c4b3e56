import { type SQL, sql } from "drizzle-orm";
import { AppError } from "../../api/errors";
import { type Db, rows } from "../../db/client";
import { ticketScope } from "../access/ticket-scope";
import { auditFor } from "../audit/audit-log";
import type { StaffPrincipal } from "../auth/principal";
import { addDays, chinaDate } from "../hotline/deadlines";
import { FINAL_STATUSES, isTicketStatus, TICKET_STATUSES } from "../hotline/lifecycle";
import { availableActions, type LockedTicket } from "./actions";

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
  page?: number;
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
  return {
    status: status && (status === "all" || status === "open" || isTicketStatus(status)) ? status : undefined,
    kind: text("kind"),
    category: text("category"),
    tier: ["I", "II", "III", "IV"].includes(params.get("tier") ?? "") ? (params.get("tier") as string) : undefined,
    districtId: int("district"),
    unitId: int("unit"),
    dueWithin: int("due", 365),
    overdue: params.get("overdue") === "1" || params.get("overdue") === "on",
    channel: text("channel"),
    page: int("page", 100_000),
  };
}

function conditions(f: QueueFilters, today: string, skip?: keyof QueueFilters): SQL[] {
  const c: SQL[] = [];
  if (skip !== "status") {
    if (!f.status || f.status === "open") c.push(sql`t.status NOT IN (${FINAL_SQL})`);
    else if (f.status !== "all") c.push(sql`t.status = ${f.status}`);
  }
  if (f.kind) c.push(sql`t.kind = ${f.kind}`);
  if (f.category) c.push(sql`t.category_code = ${f.category}`);
  if (f.tier) c.push(sql`t.tier = ${f.tier}`);
  if (f.districtId) c.push(sql`t.district_id = ${f.districtId}`);
  if (f.unitId) c.push(sql`t.routed_unit_id = ${f.unitId}`);
  if (f.channel) c.push(sql`t.channel = ${f.channel}`);
  if (skip !== "overdue" && f.overdue) c.push(sql`t.due_on < ${today}::date AND t.status NOT IN (${FINAL_SQL})`);
  if (skip !== "dueWithin" && f.dueWithin) {
    c.push(
      sql`t.due_on BETWEEN ${today}::date AND ${addDays(today, f.dueWithin)}::date AND t.status NOT IN (${FINAL_SQL})`,
    );
  }
  return c;
}

const where = (parts: SQL[]) => sql.join(parts, sql` AND `);

/** One page of the queue, most urgent first (earliest deadline, then tier, then oldest). */
export async function listQueue(db: Db, staff: StaffPrincipal, f: QueueFilters, now = new Date()) {
  const today = chinaDate(now);
  const scope = await ticketScope(db, staff);
  const page = f.page ?? 1;
  const cond = where([scope, ...conditions(f, today)]);
  const items = await rows<{
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
    due_on: string;
    received_at: Date;
    escalated: boolean;
  }>(
    db,
    sql`SELECT t.id, t.number, t.title, t.kind, t.status, t.tier, t.channel, c.name AS category, d.name AS district,
          u.name AS unit, t.due_on::text AS due_on, t.received_at, t.escalated_at IS NOT NULL AS escalated
        FROM (SELECT t.* FROM tickets t WHERE ${cond} ORDER BY t.due_on, t.tier, t.id LIMIT ${PAGE_SIZE} OFFSET ${(page - 1) * PAGE_SIZE}) t
        JOIN categories c ON c.code = t.category_code JOIN districts d ON d.id = t.district_id JOIN units u ON u.id = t.routed_unit_id
        ORDER BY t.due_on, t.tier, t.id`,
  );
  return {
    page,
    items: items.map(
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
    ),
    today,
  };
}

/** Counts stop here ("1000+"): the cost of a count stays bounded however many tickets match. */
export const COUNT_CAP = 1000;

/**
 * Counts for the filter bar, within the person's scope and the other filters: per status (the status
 * filter itself left out), open ones overdue and due within 3 days, and the total for the current
 * filters. Each is exact up to COUNT_CAP and reported as capped beyond it.
 */
export async function queueCounts(db: Db, staff: StaffPrincipal, f: QueueFilters, now = new Date()) {
  const today = chinaDate(now);
  const scope = await ticketScope(db, staff);
  const onlyOpen = !!(f.overdue || f.dueWithin);
  const statuses = TICKET_STATUSES.filter((s) => !onlyOpen || !FINAL_STATUSES.includes(s));
  const rest = conditions({ ...f, status: "all" }, today, "status");
  const noDue = conditions({ ...f, status: "open", dueWithin: undefined, overdue: false }, today);
  const capped = (where_: SQL) =>
    sql`(SELECT count(*)::int FROM (SELECT 1 FROM tickets t WHERE ${where_} LIMIT ${sql.raw(String(COUNT_CAP + 1))}) x)`;
  const cols = statuses.map((s) => {
    const st = sql.raw(`'${s}'`);
    const open = FINAL_STATUSES.includes(s) ? [] : [sql`t.status NOT IN (${FINAL_SQL})`];
    return sql`${capped(where([scope, sql`t.status = ${st}`, ...open, ...rest]))} AS ${sql.identifier(s)}`;
  });
  cols.push(sql`${capped(where([scope, ...noDue, sql`t.due_on < ${today}::date`]))} AS "_overdue"`);
  cols.push(
    sql`${capped(where([scope, ...noDue, sql`t.due_on BETWEEN ${today}::date AND ${addDays(today, 3)}::date`]))} AS "_soon"`,
  );
  const [r] = await rows<Record<string, number>>(db, sql`SELECT ${sql.join(cols, sql`, `)}`);
  const byStatus: Record<string, number> = {};
  const cappedStatuses: string[] = [];
  for (const s of statuses) {
    const n = Number(r[s] ?? 0);
    byStatus[s] = Math.min(n, COUNT_CAP);
    if (n > COUNT_CAP) cappedStatuses.push(s);
  }
  const openStatuses = statuses.filter((s) => !FINAL_STATUSES.includes(s));
  const openTotal = openStatuses.reduce((a, s) => a + byStatus[s], 0);
  const openCapped = openStatuses.some((s) => cappedStatuses.includes(s));
  const st = f.status ?? "open";
  const total =
    st === "open" ? openTotal : st === "all" ? Object.values(byStatus).reduce((a, b) => a + b, 0) : (byStatus[st] ?? 0);
  const totalCapped =
    st === "open" ? openCapped : st === "all" ? cappedStatuses.length > 0 : cappedStatuses.includes(st);
  const overdue = Math.min(Number(r._overdue), COUNT_CAP);
  const dueSoon = Math.min(Number(r._soon), COUNT_CAP);
  return {
    total,
    totalCapped,
    capped: cappedStatuses,
    byStatus,
    openTotal,
    openCapped,
    overdue,
    overdueCapped: Number(r._overdue) > COUNT_CAP,
    dueSoon,
    dueSoonCapped: Number(r._soon) > COUNT_CAP,
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
  const [categories, districts, units] = await Promise.all([
    rows<{ code: string; name: string }>(db, sql`SELECT code, name FROM categories ORDER BY sort, code`),
    rows<{ id: number; name: string }>(db, sql`SELECT id, name FROM districts ORDER BY sort, id`),
    rows<{ id: number; name: string }>(
      db,
      sql`SELECT id, name FROM units WHERE kind <> 'hotline' ORDER BY CASE level WHEN 'city' THEN 0 WHEN 'district' THEN 1 ELSE 2 END, id`,
    ),
  ]);
  return { categories, districts, units };
}
