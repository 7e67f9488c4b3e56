import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { notFound } from "../../lib/errors";
import { todayCn } from "../notices/state";
import { type PublicList, villageLists } from "./beneficiary-lists";
import { fromCents, percent, toCents } from "./cents";
import { type HousingCaseView, publicHousingCases } from "./housing-cases";
import { type CaseStage, PROGRAMME_LABELS, type Programme } from "./labels";
import { suppressCount } from "./privacy";

// Everything that reached one village, on one page: allocations, disbursed and paid amounts per year
// and programme, projects with stages and assets, 公示 lists (household rows only while public),
// 危房改造 cases (counts by stage; the cases themselves while in 公示, by the API's rule), notices, objections and hotline figures (suppressed when small),
// and the money still waiting. No household appears except masked inside a public list or case.

export interface VillagePage {
  id: number;
  name: string;
  town: string;
  district: string;
  isProvincialKey: boolean;
  isWeak: boolean;
  totals: { allocated: string; disbursed: string; paidToHouseholds: string; disbursementRate: string };
  byYear: { year: number; allocations: number; allocated: string; disbursed: string; paid: string }[];
  byProgramme: {
    year: number;
    programme: Programme;
    label: string;
    households: number | null;
    amount: string | null;
  }[];
  allocations: {
    id: number;
    year: number;
    fundName: string;
    docNumber: string;
    amount: string;
    disbursed: string;
    publishedOn: string;
  }[];
  waiting: { bucket: string; allocations: number; amount: string }[];
  projects: { id: number; name: string; year: number; stage: string; asset: string | null; manager: string | null }[];
  lists: PublicList[];
  cases: { stage: CaseStage; label: string; count: number | null }[];
  /** The 危房改造 cases now in 公示 (masked 户主 names), as GET /api/housing-cases lists them. */
  casesInPublic: HousingCaseView[];
  notices: {
    id: number;
    title: string;
    periodStart: string | null;
    periodEnd: string | null;
    objections: number | null;
    /** Of those objections, how many were handled (办结) — the outcome the public can follow. */
    objectionsClosed: number | null;
  }[];
  hotline: { received: number | null; closed: number | null; objections: number | null };
}

export const WAITING_BUCKETS = [
  { key: "lt30", label: "30 天内", min: 0, max: 29 },
  { key: "30", label: "30–59 天", min: 30, max: 59 },
  { key: "60", label: "60–89 天", min: 60, max: 89 },
  { key: "90", label: "90 天及以上", min: 90, max: 1_000_000 },
] as const;

export async function villagePage(db: Db, id: number, today = todayCn()): Promise<VillagePage> {
  const [v] = await rows<{
    id: number;
    name: string;
    town: string;
    district: string;
    is_provincial_key: boolean;
    is_weak: boolean;
  }>(
    db,
    sql`SELECT v.id, v.name, t.name AS town, d.name AS district, v.is_provincial_key, v.is_weak
        FROM villages v JOIN towns t ON t.id = v.town_id JOIN districts d ON d.id = t.district_id WHERE v.id = ${id}`,
  );
  if (!v) throw notFound("没有这个村");
  const [recent, allocSums, disbYear, programmes, projects, cases, notices, hotline, lists] = await Promise.all([
    rows<{
      id: number;
      year: number;
      fund_name: string;
      doc_number: string;
      amount: string;
      published_on: string;
      disbursed: string;
    }>(
      db,
      sql`SELECT a.id, a.year, a.fund_name, a.doc_number, a.amount::text AS amount, a.published_on::text AS published_on,
            coalesce((SELECT sum(d.amount) FROM disbursements d WHERE d.allocation_id = a.id AND d.status = 'active'), 0)::text AS disbursed
          FROM fund_allocations a WHERE a.village_id = ${id} AND a.status = 'active'
          ORDER BY a.published_on DESC, a.id DESC LIMIT 50`,
    ),
    // Every active allocation of the village, summed per year and per age of what is still waiting
    // (the undisbursed remainder of each allocation, by days since it was published), in the database.
    rows<{ year: number; bucket: number; n: number; allocated: string; waiting: number; left: string }>(
      db,
      sql`SELECT a.year, CASE ${sql.join(
        WAITING_BUCKETS.map(
          (b, i) => sql`WHEN ${today}::date - a.published_on BETWEEN ${b.min}::int AND ${b.max}::int THEN ${i}::int`,
        ),
        sql` `,
      )} ELSE 0 END AS bucket,
            count(*)::int AS n, sum(a.amount)::text AS allocated,
            count(*) FILTER (WHERE a.amount > coalesce(d.disbursed, 0))::int AS waiting,
            coalesce(sum(a.amount - coalesce(d.disbursed, 0)) FILTER (WHERE a.amount > coalesce(d.disbursed, 0)), 0)::text AS left
          FROM fund_allocations a
          LEFT JOIN (SELECT allocation_id, sum(amount) AS disbursed FROM disbursements
                     WHERE village_id = ${id} AND status = 'active' GROUP BY allocation_id) d ON d.allocation_id = a.id
          WHERE a.village_id = ${id} AND a.status = 'active'
          GROUP BY 1, 2`,
    ),
    rows<{ year: number; disbursed: string }>(
      db,
      sql`SELECT year, sum(amount)::text AS disbursed FROM disbursements WHERE village_id = ${id} AND status = 'active' GROUP BY year`,
    ),
    rows<{ year: number; programme: Programme; households: number; amount: string }>(
      db,
      sql`SELECT year, programme, count(DISTINCT household_id)::int AS households, sum(amount)::text AS amount
          FROM household_payments WHERE village_id = ${id} AND status = 'active' AND state = 'paid'
          GROUP BY year, programme ORDER BY year DESC, programme`,
    ),
    rows<{ id: number; name: string; year: number; stage: string; asset_name: string | null; manager: string | null }>(
      db,
      sql`SELECT p.id, p.name, p.year, p.stage, a.asset_name, a.manager FROM projects p
          LEFT JOIN project_assets a ON a.project_id = p.id WHERE p.village_id = ${id} ORDER BY p.year DESC, p.id DESC LIMIT 100`,
    ),
    publicHousingCases(db, id, today),
    rows<{
      id: number;
      title: string;
      period_start: string | null;
      period_end: string | null;
      objections: number;
      objections_closed: number;
    }>(
      db,
      sql`SELECT n.id, n.title, n.period_start::text AS period_start, n.period_end::text AS period_end, o.objections,
            o.objections_closed
          FROM notices n
          CROSS JOIN LATERAL (SELECT count(*)::int AS objections, count(*) FILTER (WHERE t.status IN ('closed', 'merged', 'not_accepted'))::int AS objections_closed
                              FROM tickets t WHERE t.notice_id = n.id AND t.kind = 'objection') o
          WHERE n.village_id = ${id} AND n.status = 'published' AND n.superseded_by_id IS NULL
          ORDER BY n.period_start DESC NULLS LAST, n.id DESC LIMIT 30`,
    ),
    rows<{ received: number; closed: number; objections: number }>(
      db,
      sql`SELECT count(*)::int AS received, count(*) FILTER (WHERE status = 'closed')::int AS closed,
            count(*) FILTER (WHERE kind = 'objection')::int AS objections FROM tickets WHERE village_id = ${id}`,
    ),
    villageLists(db, id, today),
  ]);

  const years = new Map<
    number,
    { year: number; allocations: number; allocated: bigint; disbursed: bigint; paid: bigint }
  >();
  const y = (year: number) => {
    let e = years.get(year);
    if (!e) {
      e = { year, allocations: 0, allocated: 0n, disbursed: 0n, paid: 0n };
      years.set(year, e);
    }
    return e;
  };
  const waiting = WAITING_BUCKETS.map((b) => ({ bucket: b.label, allocations: 0, cents: 0n }));
  let allocated = 0n;
  for (const a of allocSums) {
    const e = y(Number(a.year));
    e.allocations += Number(a.n);
    e.allocated += toCents(a.allocated);
    allocated += toCents(a.allocated);
    const w = waiting[Number(a.bucket)];
    w.allocations += Number(a.waiting);
    w.cents += toCents(a.left);
  }
  let disbursed = 0n;
  for (const d of disbYear) {
    y(Number(d.year)).disbursed += toCents(d.disbursed);
    disbursed += toCents(d.disbursed);
  }
  let paid = 0n;
  for (const p of programmes) {
    y(Number(p.year)).paid += toCents(p.amount);
    paid += toCents(p.amount);
  }
  return {
    id: Number(v.id),
    name: v.name,
    town: v.town,
    district: v.district,
    isProvincialKey: v.is_provincial_key,
    isWeak: v.is_weak,
    totals: {
      allocated: fromCents(allocated),
      disbursed: fromCents(disbursed),
      paidToHouseholds: fromCents(paid),
      disbursementRate: percent(fromCents(disbursed), fromCents(allocated)),
    },
    byYear: [...years.values()]
      .sort((a, b) => b.year - a.year)
      .map((e) => ({
        year: e.year,
        allocations: e.allocations,
        allocated: fromCents(e.allocated),
        disbursed: fromCents(e.disbursed),
        paid: fromCents(e.paid),
      })),
    byProgramme: programmes.map((p) => {
      const households = suppressCount(Number(p.households));
      return {
        year: Number(p.year),
        programme: p.programme,
        label: PROGRAMME_LABELS[p.programme],
        households,
        amount: households == null ? null : p.amount,
      };
    }),
    allocations: recent.map((a) => ({
      id: Number(a.id),
      year: Number(a.year),
      fundName: a.fund_name,
      docNumber: a.doc_number,
      amount: a.amount,
      disbursed: a.disbursed,
      publishedOn: a.published_on,
    })),
    waiting: waiting.map((w) => ({ bucket: w.bucket, allocations: w.allocations, amount: fromCents(w.cents) })),
    projects: projects.map((p) => ({
      id: Number(p.id),
      name: p.name,
      year: Number(p.year),
      stage: p.stage,
      asset: p.asset_name,
      manager: p.manager,
    })),
    lists,
    cases: cases.byStage.map((c) => ({ stage: c.stage, label: c.label, count: c.cases })),
    casesInPublic: cases.cases,
    notices: notices.map((n) => ({
      id: Number(n.id),
      title: n.title,
      periodStart: n.period_start,
      periodEnd: n.period_end,
      objections: suppressCount(Number(n.objections)),
      objectionsClosed: suppressCount(Number(n.objections_closed)),
    })),
    hotline: {
      received: suppressCount(Number(hotline[0]?.received ?? 0)),
      closed: suppressCount(Number(hotline[0]?.closed ?? 0)),
      objections: suppressCount(Number(hotline[0]?.objections ?? 0)),
    },
  };
}

/** Districts → towns → villages for the picker, with the number of households registered per village. */
export async function villageDirectory(db: Db, districtName?: string | null) {
  return rows<{ district: string; town: string; village_id: number; village: string }>(
    db,
    sql`SELECT d.name AS district, t.name AS town, v.id AS village_id, v.name AS village
        FROM villages v JOIN towns t ON t.id = v.town_id JOIN districts d ON d.id = t.district_id
        WHERE ${districtName ? sql`d.name = ${districtName}` : sql`true`}
        ORDER BY d.sort, d.id, t.id, v.id`,
  );
}
