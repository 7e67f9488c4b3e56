import { type SQL, sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { validationFailed } from "../../lib/errors";
import { percent, toCents } from "./cents";
import { PROGRAMME_LABELS, PROGRAMMES } from "./labels";

// The progress rates across allocations: 拨付率 = disbursed ÷ allocated,
// 到户率 = paid to households ÷ disbursed to households.

export const PROGRESS_GROUPS = ["district", "year", "category", "programme"] as const;
export type ProgressGroup = (typeof PROGRESS_GROUPS)[number];

export interface ProgressRow {
  key: string;
  value: string;
  /** Allocations and disbursements are made per category, not per household programme: null by programme. */
  allocated: string | null;
  disbursed: string | null;
  disbursedToHouseholds: string | null;
  paidToHouseholds: string;
  disbursementRate: string | null;
  householdRate: string | null;
}

export interface ProgressFilters {
  year?: number | null;
  districtId?: number | null;
}

/**
 * 拨付率 and 到户率 grouped by district, year, category or household programme. Allocated amounts come
 * from fund_rollup, disbursed and paid amounts from money_progress (the rollup and its pending deltas,
 * migration 0190): a few hundred rows whatever the number of payments.
 */
export async function progressSummary(db: Db, groupBy: ProgressGroup, f: ProgressFilters): Promise<ProgressRow[]> {
  if (!(PROGRESS_GROUPS as readonly string[]).includes(groupBy))
    throw validationFailed("groupBy 只能是 district、year、category 或 programme", [
      { path: "groupBy", message: "district | year | category | programme" },
    ]);
  const cond = (alias: string): SQL => {
    const c: SQL[] = [sql`true`];
    if (f.year) c.push(sql`${sql.raw(alias)}.year = ${f.year}`);
    if (f.districtId) c.push(sql`${sql.raw(alias)}.district_id = ${f.districtId}`);
    return sql.join(c, sql` AND `);
  };
  const byProgramme = groupBy === "programme";
  const col = groupBy === "district" ? "district_id" : groupBy === "year" ? "year" : "category_code";
  const q = byProgramme
    ? sql`
    SELECT m.programme AS g, NULL AS allocated, NULL AS disbursed, NULL AS to_households,
      sum(m.paid)::numeric(16,2)::text AS paid
    FROM money_progress m WHERE m.programme <> '' AND ${cond("m")} GROUP BY 1`
    : sql`
    WITH alloc AS (
      SELECT ${sql.raw(`r.${col}`)}::text AS g, sum(r.total) AS allocated FROM fund_rollup r WHERE ${cond("r")} GROUP BY 1
    ), money AS (
      SELECT ${sql.raw(`m.${col}`)}::text AS g, sum(m.disbursed) AS disbursed, sum(m.to_households) AS to_households,
        sum(m.paid) AS paid
      FROM money_progress m WHERE ${cond("m")} GROUP BY 1
    )
    SELECT coalesce(alloc.g, money.g) AS g,
      coalesce(alloc.allocated, 0)::numeric(16,2)::text AS allocated,
      coalesce(money.disbursed, 0)::numeric(16,2)::text AS disbursed,
      coalesce(money.to_households, 0)::numeric(16,2)::text AS to_households,
      coalesce(money.paid, 0)::numeric(16,2)::text AS paid
    FROM alloc FULL JOIN money ON money.g = alloc.g`;
  const result = await rows<{
    g: string;
    allocated: string | null;
    disbursed: string | null;
    to_households: string | null;
    paid: string;
  }>(db, q);
  const names = new Map<string, { name: string; sort: number }>();
  if (groupBy === "district") {
    for (const d of await rows<{ id: number; name: string; sort: number }>(
      db,
      sql`SELECT id, name, sort FROM districts`,
    ))
      names.set(String(d.id), { name: d.name, sort: Number(d.sort) });
  } else if (groupBy === "category") {
    for (const c of await rows<{ code: string; name: string; sort: number }>(
      db,
      sql`SELECT code, name, sort FROM categories`,
    ))
      names.set(c.code, { name: c.name, sort: Number(c.sort) });
  } else if (byProgramme) {
    PROGRAMMES.forEach((p, i) => {
      names.set(p, { name: PROGRAMME_LABELS[p], sort: i });
    });
  }
  return result
    .filter((r) => !byProgramme || toCents(r.paid) !== 0n)
    .map((r) => ({
      key: groupBy === "year" ? r.g : (names.get(r.g)?.name ?? r.g),
      value: groupBy === "district" ? (names.get(r.g)?.name ?? r.g) : r.g,
      sort: groupBy === "year" ? Number(r.g) : (names.get(r.g)?.sort ?? 999),
      allocated: r.allocated,
      disbursed: r.disbursed,
      disbursedToHouseholds: r.to_households,
      paidToHouseholds: r.paid,
      disbursementRate: r.allocated == null || r.disbursed == null ? null : percent(r.disbursed, r.allocated),
      householdRate: r.to_households == null ? null : percent(r.paid, r.to_households),
    }))
    .sort((a, b) => a.sort - b.sort)
    .map(({ sort: _s, ...row }) => row);
}

/** Fold the pending progress deltas into their rollup; the server's background work runs it. */
export async function compactMoneyProgress(db: Db): Promise<number> {
  const [r] = await rows<{ n: number }>(db, sql`SELECT money_progress_compact() AS n`);
  return Number(r.n);
}
