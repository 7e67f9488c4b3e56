import { type SQL, sql } from "drizzle-orm";
import { customPlan, type Db, rows } from "../../db/client";
import { env } from "../../lib/env";
import { notFound } from "../../lib/errors";
import { ITEM_STATES, type ItemState } from "./triage";

// The triage queue of /console/monitor: group heads only (a re-post is counted in its head's spread),
// newest first or most spread first, filtered by source, district, term and state. Counts are capped at
// COUNT_CAP (shown as 1000+) and taken only when cheap (see queueTotal), so that the page costs the same
// at a hundred items or a million; pages are 50 rows.

export const PAGE_SIZE = 50;
export const COUNT_CAP = 1_000;
export const QUEUE_SORTS = ["new", "spread"] as const;
export type QueueSort = (typeof QUEUE_SORTS)[number];

export interface QueueFilters {
  state: ItemState | "all" | "overdue";
  sourceId: number | null;
  districtId: number | null;
  term: string | null;
  sort: QueueSort;
  /** Page number (shown; an offset only when no cursor is given). */
  page: number;
  /** Keyset cursor: the page after this position in the sort order … */
  after: QueueCursor | null;
  /** … or the page before it. */
  before: QueueCursor | null;
}

/**
 * A position in the sort order: the sort key (fetched_at in microseconds since 1970, or the spread) and
 * the id. In links as `<key>_<id>`.
 */
export interface QueueCursor {
  key: string;
  id: number;
}

function parseCursor(v: string | null): QueueCursor | null {
  const m = v ? /^(\d{1,18})_(\d{1,10})$/.exec(v) : null;
  return m && Number(m[2]) <= 2_147_483_647 ? { key: m[1], id: Number(m[2]) } : null;
}

/** Filters from a query string; anything unknown falls back to the default (never an error). */
export function parseQueueFilters(params: URLSearchParams): QueueFilters {
  const int = (k: string) => {
    const v = params.get(k);
    return v && /^\d{1,9}$/.test(v) ? Number(v) : null;
  };
  const state = params.get("state") ?? "new";
  const term = (params.get("term") ?? "").trim().slice(0, 20);
  const after = parseCursor(params.get("after"));
  return {
    state: ([...ITEM_STATES, "all", "overdue"] as string[]).includes(state) ? (state as QueueFilters["state"]) : "new",
    sourceId: int("source"),
    districtId: int("district"),
    term: term || null,
    sort: params.get("sort") === "spread" ? "spread" : "new",
    page: Math.min(Math.max(int("page") ?? 1, 1), 200),
    after,
    before: after ? null : parseCursor(params.get("before")),
  };
}

export interface QueueRow {
  id: number;
  title: string;
  url: string;
  excerpt: string;
  sourceName: string;
  publishedAt: Date | null;
  fetchedAt: Date;
  terms: string[];
  places: string[];
  spread: number;
  state: ItemState;
  overdue: boolean;
}

function where(f: QueueFilters, triageMinutes: number): SQL {
  const parts: SQL[] = [sql`m.is_head`];
  if (f.state === "overdue")
    parts.push(sql`m.state = 'new' AND m.fetched_at <= now() - make_interval(mins => ${triageMinutes})`);
  else if (f.state !== "all") parts.push(sql`m.state = ${f.state}`);
  if (f.sourceId) parts.push(sql`m.source_id = ${f.sourceId}`);
  if (f.districtId) parts.push(sql`m.district_id = ${f.districtId}`);
  if (f.term) parts.push(sql`m.terms @> ARRAY[${f.term}]::text[]`);
  return sql.join(parts, sql` AND `);
}

/** fetched_at as whole microseconds since 1970: exact in a link, unlike a JavaScript Date. */
const FETCHED_US = sql`(extract(epoch FROM m.fetched_at) * 1000000)::bigint`;

/**
 * One page of the queue. Pages are keyset-paginated (`after`/`before` a cursor, so a late page costs
 * what the first does); a bare page number is an offset.
 */
export async function monitorQueue(db: Db, f: QueueFilters) {
  const minutes = env().MONITOR_TRIAGE_MINUTES;
  const w = where(f, minutes);
  const spread = f.sort === "spread";
  // A spread beyond int4 is no position in that order: such a cursor is ignored like a malformed one.
  const given = f.after ?? f.before;
  const cursor = given && !(spread && Number(given.key) > 2_147_483_647) ? given : null;
  const backward = !!cursor && !f.after;
  const key = spread ? sql`m.spread` : FETCHED_US;
  const dir = sql.raw(backward ? "ASC" : "DESC");
  const cmp = sql.raw(backward ? ">" : "<");
  const order = spread ? sql`m.spread ${dir}, m.id ${dir}` : sql`m.fetched_at ${dir}, m.id ${dir}`;
  const keyset = !cursor
    ? sql`true`
    : spread
      ? sql`(m.spread, m.id) ${cmp} (${Number(cursor.key)}::int, ${cursor.id}::int)`
      : sql`(m.fetched_at, m.id) ${cmp} ('epoch'::timestamptz + ${cursor.key}::bigint * interval '1 microsecond', ${cursor.id}::int)`;
  const offset = cursor ? 0 : (f.page - 1) * PAGE_SIZE;
  const [found, estimate] = await Promise.all([
    rows<Record<string, unknown>>(
      db,
      customPlan(sql`SELECT m.id, m.title, m.url, m.excerpt, s.name AS source_name, m.published_at, m.fetched_at,
            m.terms, m.places, m.spread, m.state, ${key}::text AS sort_key,
            (m.state = 'new' AND m.fetched_at <= now() - make_interval(mins => ${minutes})) AS overdue
          FROM monitor_items m JOIN monitor_sources s ON s.id = m.source_id
          WHERE ${w} AND ${keyset} ORDER BY ${order} LIMIT ${PAGE_SIZE + 1} OFFSET ${offset}`),
    ),
    estimateRows(db, sql`SELECT 1 FROM monitor_items m WHERE ${w}`),
  ]);
  const more = found.length > PAGE_SIZE;
  if (more) found.pop();
  if (backward) found.reverse();
  const cursorOf = (r: Record<string, unknown> | undefined) => (r ? `${r.sort_key}_${r.id}` : null);
  // Forward: a next page when more rows follow, a previous one unless this is the start. Backward (from
  // a later page): a previous page when more rows precede, and always a next one.
  const prev = (backward ? more : !!cursor || f.page > 1) ? cursorOf(found[0]) : null;
  const next = (backward ? true : more) ? cursorOf(found[found.length - 1]) : null;
  const shownBefore = (f.page - 1) * PAGE_SIZE;
  const total = await queueTotal(db, w, shownBefore, found.length, more || backward, estimate);
  return { items: found.map(queueRow), total, capped: total > COUNT_CAP, prev, next };
}

/** A queue row from SQL's (the columns the queue and the item page both select). */
function queueRow(r: Record<string, unknown>): QueueRow {
  return {
    id: Number(r.id),
    title: String(r.title),
    url: String(r.url),
    excerpt: String(r.excerpt),
    sourceName: String(r.source_name),
    publishedAt: r.published_at ? new Date(r.published_at as string) : null,
    fetchedAt: new Date(r.fetched_at as string),
    terms: pgArray(r.terms),
    places: pgArray(r.places),
    spread: Number(r.spread),
    state: r.state as ItemState,
    overdue: Boolean(r.overdue),
  };
}

/**
 * How many heads match, capped at COUNT_CAP + 1 — without counting when that is dear: the last page
 * gives the exact figure (the pages before it were full), a planner's estimate well above the cap says "more than the cap", and only a
 * filter estimated near or below the cap is counted (it reads few rows).
 */
async function queueTotal(
  db: Db,
  w: SQL,
  shownBefore: number,
  listed: number,
  more: boolean,
  estimate: number,
): Promise<number> {
  if (listed > 0 && !more) return shownBefore + listed;
  if (listed === 0 && shownBefore === 0) return 0;
  if (estimate > ESTIMATE_TRUSTED_ABOVE) return COUNT_CAP + 1;
  const [count] = await rows<{ n: number }>(
    db,
    customPlan(sql`SELECT count(*)::int AS n FROM (SELECT 1 FROM monitor_items m WHERE ${w} LIMIT ${COUNT_CAP + 1}) c`),
  );
  return Number(count.n);
}

/** Above this many estimated rows the count is not taken: the planner is not that far off. */
const ESTIMATE_TRUSTED_ABOVE = 4 * COUNT_CAP;

/** The planner's estimate of a query's rows (EXPLAIN, nothing is read). */
async function estimateRows(db: Db, query: SQL): Promise<number> {
  const [r] = await rows<Record<string, unknown>>(db, customPlan(sql`EXPLAIN (FORMAT JSON) ${query}`));
  const raw = r ? Object.values(r)[0] : undefined;
  const plan = (typeof raw === "string" ? JSON.parse(raw) : raw) as { Plan: { "Plan Rows": number } }[] | undefined;
  return Number(plan?.[0]?.Plan?.["Plan Rows"] ?? Number.POSITIVE_INFINITY);
}

/** A text[] as returned by either driver. */
function pgArray(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === "string" && v.startsWith("{")) {
    const inner = v.slice(1, -1);
    return inner ? inner.split(",").map((s) => s.replace(/^"|"$/g, "")) : [];
  }
  return [];
}

/** Untriaged heads past their time (capped), for the console's warning line. */
export async function overdueCount(db: Db): Promise<number> {
  const [r] = await rows<{ n: number }>(
    db,
    sql`SELECT count(*)::int AS n FROM (SELECT 1 FROM monitor_items WHERE is_head AND state = 'new'
        AND fetched_at <= now() - make_interval(mins => ${env().MONITOR_TRIAGE_MINUTES}) LIMIT ${COUNT_CAP + 1}) c`,
  );
  return Number(r.n);
}

/** What the filter form offers. */
export async function queueFilterOptions(db: Db) {
  const [sources, districts, terms] = await Promise.all([
    rows<{ id: number; name: string }>(db, sql`SELECT id, name FROM monitor_sources ORDER BY name, id`),
    rows<{ id: number; name: string }>(db, sql`SELECT id, name FROM districts ORDER BY sort, id`),
    rows<{ term: string }>(db, sql`SELECT term FROM monitor_terms WHERE enabled ORDER BY id`),
  ]);
  return { sources, districts, terms: terms.map((t) => t.term) };
}

export interface ItemDetail extends QueueRow {
  sourceId: number;
  sourceUrl: string;
  snapshot: string;
  isHead: boolean;
  groupId: number;
  districtName: string | null;
  dismissReason: string | null;
  triagedAt: Date | null;
  triagedBy: string | null;
  ticketNumber: string | null;
  ticketTier: string | null;
  ticketFirstResponseDueAt: Date | null;
  members: { id: number; title: string; url: string; sourceName: string; fetchedAt: Date }[];
}

export async function monitorItem(db: Db, id: number): Promise<ItemDetail> {
  const minutes = env().MONITOR_TRIAGE_MINUTES;
  const [r] = await rows<Record<string, unknown>>(
    db,
    sql`SELECT m.*, s.name AS source_name, s.url AS source_url, d.name AS district_name, u.display_name AS triaged_by_name,
          t.number AS ticket_number, t.tier AS ticket_tier, t.first_response_due_at,
          (m.state = 'new' AND m.fetched_at <= now() - make_interval(mins => ${minutes})) AS overdue
        FROM monitor_items m JOIN monitor_sources s ON s.id = m.source_id
        LEFT JOIN districts d ON d.id = m.district_id LEFT JOIN users u ON u.id = m.triaged_by
        LEFT JOIN tickets t ON t.id = m.ticket_id
        WHERE m.id = ${id}`,
  );
  if (!r) throw notFound("舆情条目不存在");
  const members = await rows<{ id: number; title: string; url: string; source_name: string; fetched_at: Date }>(
    db,
    sql`SELECT m.id, m.title, m.url, s.name AS source_name, m.fetched_at FROM monitor_items m
        JOIN monitor_sources s ON s.id = m.source_id
        WHERE m.group_id = ${Number(r.group_id)} AND m.id <> ${Number(r.group_id)} ORDER BY m.id LIMIT 100`,
  );
  return {
    ...queueRow(r),
    sourceId: Number(r.source_id),
    sourceUrl: String(r.source_url),
    snapshot: String(r.snapshot),
    isHead: Boolean(r.is_head),
    groupId: Number(r.group_id),
    districtName: (r.district_name as string | null) ?? null,
    dismissReason: (r.dismiss_reason as string | null) ?? null,
    triagedAt: r.triaged_at ? new Date(r.triaged_at as string) : null,
    triagedBy: (r.triaged_by_name as string | null) ?? null,
    ticketNumber: (r.ticket_number as string | null) ?? null,
    ticketTier: (r.ticket_tier as string | null) ?? null,
    ticketFirstResponseDueAt: r.first_response_due_at ? new Date(r.first_response_due_at as string) : null,
    members: members.map((m) => ({
      id: Number(m.id),
      title: m.title,
      url: m.url,
      sourceName: m.source_name,
      fetchedAt: new Date(m.fetched_at),
    })),
  };
}
