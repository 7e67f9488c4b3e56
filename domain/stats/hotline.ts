import { asc, type SQL, sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { categories, districts, units } from "../../db/schema";
import type { SqlRow } from "../../db/sql-row";
import { type CsvCell, csvDocument } from "../../lib/csv";
import { AppError } from "../../lib/errors";

// Public hotline statistics (founding document §25): only aggregates.
//
// Figures come from the view hotline_stats: the monthly rollup (migration 0061) plus the deltas that
// triggers on tickets append inside every ticket transaction (0063), so they are exact at any moment;
// the periodic sweep folds deltas into the rollup (hotline_stats_compact). Only "overdue now" (time-dependent) is counted live over the
// unfinished tickets (a small partial index).
//
// Small cells (disclosure control): a count of 1 or 2 is never published (null, shown as "<3");
// a rate is withheld when its numerator, its denominator or their difference is 1 or 2 (e.g. 49 of 50
// satisfied would reveal the one dissatisfied reporter), and the average days to close when fewer than
// 3 tickets were closed. Within each breakdown (month, district, category), when exactly one cell of a
// count is withheld the next-smallest non-zero cell is withheld too, so the withheld one cannot be
// recovered from the total by subtraction.

export const SUPPRESS_BELOW = 3;
export const STATS_TZ = "Asia/Shanghai";

export interface StatsFilters {
  year?: number;
  /** district code */
  district?: string;
  /** category code */
  category?: string;
}

export interface RawCounts {
  received: number;
  accepted: number;
  acceptedOnTime: number;
  notAccepted: number;
  replied: number;
  repliedOnTime: number;
  repliedLate: number;
  closed: number;
  rated: number;
  satisfied: number;
  closeDaysSum: number;
}

/** A published cell: null means withheld (small cell) or not applicable (no denominator). */
export interface StatsCell {
  received: number | null;
  accepted: number | null;
  closed: number | null;
  /** 受理及时率: accepted on or before the acceptance deadline / accepted */
  acceptedOnTimeRate: number | null;
  /** 按期办理率: replied on or before the handling deadline / replied */
  handledOnTimeRate: number | null;
  /** 办结率: closed / accepted */
  closureRate: number | null;
  /** 满意率: 满意 + 基本满意 / rated */
  satisfactionRate: number | null;
  /** 平均办结天数 (received → closed) */
  avgDaysToClose: number | null;
}

export interface StatsRow extends StatsCell {
  key: string;
  label: string;
}

export interface OverdueUnitRow {
  unit: string;
  /** unfinished tickets past their deadline now */
  overdueNow: number | null;
  /** replied after the handling deadline (in the period) */
  repliedLate: number | null;
}

export interface HotlineStats {
  filters: { year: number | null; district: string | null; category: string | null };
  generatedAt: string;
  suppressBelow: number;
  totals: StatsCell;
  byMonth: StatsRow[];
  byDistrict: StatsRow[];
  byCategory: StatsRow[];
  overdueUnits: OverdueUnitRow[];
}

const small = (n: number) => n > 0 && n < SUPPRESS_BELOW;
const count = (n: number) => (small(n) ? null : n);
function rate(num: number, den: number): number | null {
  if (den === 0) return null;
  if (small(den) || small(num) || small(den - num)) return null;
  return Math.round((num / den) * 1000) / 10; // percent, one decimal
}

/** Publishable figures of one cell, small cells withheld. */
export function publishCell(c: RawCounts): StatsCell {
  return {
    received: count(c.received),
    accepted: count(c.accepted),
    closed: count(c.closed),
    acceptedOnTimeRate: rate(c.acceptedOnTime, c.accepted),
    handledOnTimeRate: rate(c.repliedOnTime, c.replied),
    closureRate: rate(c.closed, c.accepted),
    satisfactionRate: rate(c.satisfied, c.rated),
    avgDaysToClose: c.closed >= SUPPRESS_BELOW ? Math.round((c.closeDaysSum / c.closed) * 10) / 10 : null,
  };
}

/** Secondary suppression over a breakdown: never exactly one withheld count per column. */
export function secondarySuppress(cells: { raw: RawCounts; out: StatsCell }[]) {
  for (const k of ["received", "accepted", "closed"] as const) {
    const withheld = cells.filter((c) => c.out[k] === null && c.raw[k] > 0);
    if (withheld.length !== 1) continue;
    const candidates = cells.filter((c) => c.out[k] !== null && c.raw[k] > 0).sort((a, b) => a.raw[k] - b.raw[k]);
    if (candidates[0]) {
      candidates[0].out[k] = null;
      // A rate built on the newly withheld count could give it back together with the other figure.
      if (k === "accepted") candidates[0].out.closureRate = null;
      if (k === "closed") {
        candidates[0].out.closureRate = null;
        candidates[0].out.avgDaysToClose = null;
      }
    }
  }
}

function bad(message: string, path: string): AppError {
  return new AppError("VALIDATION_FAILED", message, [{ path, message }]);
}

/** Parse and check the filters (400 VALIDATION_FAILED on unknown values). */
export async function parseStatsFilters(db: Db, p: URLSearchParams): Promise<StatsFilters> {
  const f: StatsFilters = {};
  const year = p.get("year")?.trim();
  if (year) {
    if (!/^\d{4}$/.test(year) || Number(year) < 2000 || Number(year) > 2100) {
      throw bad("year 应为四位年份，例如 2026", "year");
    }
    f.year = Number(year);
  }
  const district = p.get("district")?.trim();
  if (district) {
    const [d] = await rows<SqlRow<typeof districts, "code">>(
      db,
      sql`SELECT ${districts.code} FROM ${districts} WHERE ${districts.code} = ${district} OR ${districts.name} = ${district}`,
    );
    if (!d) throw bad("district 不是已知的区县", "district");
    f.district = d.code;
  }
  const category = p.get("category")?.trim();
  if (category) {
    const [c] = await rows<SqlRow<typeof categories, "code">>(
      db,
      sql`SELECT ${categories.code} FROM ${categories} WHERE ${categories.code} = ${category} OR ${categories.name} = ${category}`,
    );
    if (!c) throw bad("category 不是已知的问题类别", "category");
    f.category = c.code;
  }
  return f;
}

/** Sums as the rollup query returns them (numeric sums arrive as strings), by column name. */
type SumColumns = Partial<
  Record<
    | "received"
    | "accepted"
    | "accepted_on_time"
    | "not_accepted"
    | "replied"
    | "replied_on_time"
    | "replied_late"
    | "closed"
    | "rated"
    | "satisfied"
    | "close_days_sum",
    string | number | null
  >
>;

interface GroupedRow extends SumColumns {
  month: string;
  district_id: number;
  category_code: string;
  unit_id: number;
  g: number;
}

function toRaw(r: SumColumns): RawCounts {
  return {
    received: Number(r.received ?? 0),
    accepted: Number(r.accepted ?? 0),
    acceptedOnTime: Number(r.accepted_on_time ?? 0),
    notAccepted: Number(r.not_accepted ?? 0),
    replied: Number(r.replied ?? 0),
    repliedOnTime: Number(r.replied_on_time ?? 0),
    repliedLate: Number(r.replied_late ?? 0),
    closed: Number(r.closed ?? 0),
    rated: Number(r.rated ?? 0),
    satisfied: Number(r.satisfied ?? 0),
    closeDaysSum: Number(r.close_days_sum ?? 0),
  };
}

const ZERO: RawCounts = toRaw({});

interface Reference {
  districts: { id: number; code: string; name: string }[];
  categories: { code: string; name: string }[];
  units: Map<number, string>;
}
let refCache: Promise<Reference> | undefined;
/** Districts, categories and unit names (reference data; fixed at run time, cached per process). */
function reference(db: Db): Promise<Reference> {
  refCache ??= (async () => ({
    districts: await db
      .select({ id: districts.id, code: districts.code, name: districts.name })
      .from(districts)
      .orderBy(asc(districts.sort), asc(districts.id)),
    categories: await db
      .select({ code: categories.code, name: categories.name })
      .from(categories)
      .orderBy(asc(categories.sort), asc(categories.code)),
    units: new Map((await db.select({ id: units.id, name: units.name }).from(units)).map((u) => [u.id, u.name])),
  }))().catch((err) => {
    refCache = undefined;
    throw err;
  });
  return refCache;
}

/** The aggregated, small-cell-safe statistics for the filters. */
export async function hotlineStats(db: Db, f: StatsFilters, now = new Date()): Promise<HotlineStats> {
  const ref = await reference(db);
  const districtId = f.district ? ref.districts.find((d) => d.code === f.district)?.id : undefined;
  if (f.district && districtId === undefined) throw bad("district 不是已知的区县", "district");
  const where: SQL[] = [];
  if (f.year) where.push(sql`s.month >= ${`${f.year}-01-01`}::date AND s.month < ${`${f.year + 1}-01-01`}::date`);
  if (districtId !== undefined) where.push(sql`s.district_id = ${districtId}`);
  if (f.category) where.push(sql`s.category_code = ${f.category}`);
  const cond = where.length ? sql.join(where, sql` AND `) : sql`true`;

  // Overdue now: unfinished tickets past the deadline that applies to their status (China date).
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: STATS_TZ }).format(now);
  const live: SQL[] = [];
  if (f.year) {
    live.push(
      sql`t.received_at >= ${`${f.year}-01-01T00:00:00+08:00`}::timestamptz AND t.received_at < ${`${f.year + 1}-01-01T00:00:00+08:00`}::timestamptz`,
    );
  }
  if (districtId !== undefined) live.push(sql`t.district_id = ${districtId}`);
  if (f.category) live.push(sql`t.category_code = ${f.category}`);
  const overdueQuery = rows<{ unit_id: number; n: number }>(
    db,
    sql`SELECT t.routed_unit_id AS unit_id, count(*)::int AS n FROM tickets t
        WHERE t.status NOT IN ('not_accepted', 'closed', 'merged', 'replied', 'rated')
          AND (CASE WHEN t.status = 'received' THEN t.accept_due_on ELSE t.handle_due_on END) < ${today}::date
          ${live.length ? sql`AND ${sql.join(live, sql` AND `)}` : sql``}
        GROUP BY t.routed_unit_id`,
  );
  // One pass over the rollup, every breakdown at once.
  const groupedQuery = rows<GroupedRow>(
    db,
    sql`SELECT to_char(s.month, 'YYYY-MM') AS month, s.district_id, s.category_code, s.unit_id,
          GROUPING(s.month, s.district_id, s.category_code, s.unit_id) AS g,
          sum(received) AS received, sum(accepted) AS accepted, sum(accepted_on_time) AS accepted_on_time,
          sum(not_accepted) AS not_accepted, sum(replied) AS replied, sum(replied_on_time) AS replied_on_time,
          sum(replied_late) AS replied_late, sum(closed) AS closed, sum(rated) AS rated, sum(satisfied) AS satisfied,
          sum(close_days_sum) AS close_days_sum
        FROM hotline_stats s WHERE ${cond}
        GROUP BY GROUPING SETS ((), (s.month), (s.district_id), (s.category_code), (s.unit_id))`,
  );
  // Both at once (two pool connections on a server).
  const [grouped, overdue] = await Promise.all([groupedQuery, overdueQuery]);
  // GROUPING bits: month 8, district 4, category 2, unit 1 (1 = rolled up).
  let total = ZERO;
  const months = new Map<string, RawCounts>();
  const districts = new Map<number, RawCounts>();
  const categories = new Map<string, RawCounts>();
  const units = new Map<number, RawCounts>();
  for (const r of grouped) {
    const g = Number(r.g);
    if (g === 15) total = toRaw(r);
    else if (g === 7) months.set(r.month, toRaw(r));
    else if (g === 11) districts.set(Number(r.district_id), toRaw(r));
    else if (g === 13) categories.set(r.category_code, toRaw(r));
    else if (g === 14) units.set(Number(r.unit_id), toRaw(r));
  }

  // Months: the twelve of the chosen year, or every month with tickets.
  const monthKeys = f.year
    ? Array.from({ length: 12 }, (_, i) => `${f.year}-${String(i + 1).padStart(2, "0")}`)
    : [...months.keys()].sort();
  const breakdown = (items: { key: string; label: string; raw: RawCounts }[]): StatsRow[] => {
    const cells = items.map((i) => ({ ...i, out: publishCell(i.raw) }));
    secondarySuppress(cells);
    return cells.map((c) => ({ key: c.key, label: c.label, ...c.out }));
  };
  const byMonth = breakdown(
    monthKeys.map((m) => ({ key: m, label: `${m.slice(0, 4)}年${Number(m.slice(5))}月`, raw: months.get(m) ?? ZERO })),
  );
  const byDistrict = breakdown(
    ref.districts
      .filter((d) => districtId === undefined || d.id === districtId)
      .map((d) => ({ key: d.code, label: d.name, raw: districts.get(d.id) ?? ZERO })),
  );
  const byCategory = breakdown(
    ref.categories
      .filter((c) => !f.category || c.code === f.category)
      .map((c) => ({ key: c.code, label: c.name, raw: categories.get(c.code) ?? ZERO })),
  );

  const overdueByUnit = new Map(overdue.map((o) => [Number(o.unit_id), Number(o.n)]));
  const unitIds = new Set<number>([...overdueByUnit.keys()]);
  for (const [id, raw] of units) if (raw.repliedLate > 0) unitIds.add(id);
  const overdueUnits = [...unitIds]
    .map((id) => ({ id, now: overdueByUnit.get(id) ?? 0, late: units.get(id)?.repliedLate ?? 0 }))
    .sort((a, b) => b.now + b.late - (a.now + a.late) || a.id - b.id)
    .slice(0, 20)
    .map((u) => ({ unit: ref.units.get(u.id) ?? String(u.id), overdueNow: count(u.now), repliedLate: count(u.late) }));

  return {
    filters: { year: f.year ?? null, district: f.district ?? null, category: f.category ?? null },
    generatedAt: now.toISOString(),
    suppressBelow: SUPPRESS_BELOW,
    totals: publishCell(total),
    byMonth,
    byDistrict,
    byCategory,
    overdueUnits,
  };
}

const fmt = (v: number | null, suffix = "") => (v === null ? "<3" : `${v}${suffix}`);
const fmtRate = (v: number | null) => (v === null ? "—" : `${v}%`);

/** Display helpers shared by the page and the CSV. */
export const show = { count: fmt, rate: fmtRate, days: (v: number | null) => (v === null ? "—" : String(v)) };

/** CSV (UTF-8 with BOM) of every table of the statistics. */
export function statsCsv(s: HotlineStats): string {
  const lines: CsvCell[][] = [];
  lines.push([
    "分组",
    "项目",
    "收件数",
    "受理数",
    "办结数",
    "受理及时率(%)",
    "按期办理率(%)",
    "办结率(%)",
    "满意率(%)",
    "平均办结天数",
  ]);
  const line = (group: string, r: { label: string } & StatsCell): CsvCell[] => [
    group,
    r.label,
    r.received ?? "<3",
    r.accepted ?? "<3",
    r.closed ?? "<3",
    r.acceptedOnTimeRate ?? "",
    r.handledOnTimeRate ?? "",
    r.closureRate ?? "",
    r.satisfactionRate ?? "",
    r.avgDaysToClose ?? "",
  ];
  lines.push(line("合计", { label: "全部", ...s.totals }));
  for (const r of s.byMonth) lines.push(line("月份", r));
  for (const r of s.byDistrict) lines.push(line("区县", r));
  for (const r of s.byCategory) lines.push(line("类别", r));
  lines.push([]);
  lines.push(["逾期单位", "当前逾期未办结", "超期答复"]);
  for (const u of s.overdueUnits) lines.push([u.unit, u.overdueNow ?? "<3", u.repliedLate ?? "<3"]);
  lines.push([]);
  lines.push(["说明", `少于${s.suppressBelow}件的数字不公布（显示为<3），相关比率同时不公布`]);
  return csvDocument(lines);
}

/** Fold the pending stats deltas into the monthly rollup; the server's background work runs it. */
export async function compactHotlineStats(db: Db): Promise<number> {
  const [r] = await rows<{ n: number }>(db, sql`SELECT hotline_stats_compact() AS n`);
  return Number(r.n);
}
