import { and, eq, type SQL, sql } from "drizzle-orm";
import { validationFailed } from "../../api/errors";
import type { Db } from "../../db/client";
import { categories, type FundLevel, fundAllocations as fa } from "../../db/schema";
import { resolvePlace, UnknownPlaceError } from "../reference/places";
import { MAX_YEAR, MIN_YEAR, parseLevel } from "./labels";

/** Filters as a person writes them in a URL: names, not ids. */
export interface FundFilterInput {
  year?: number | string;
  level?: string;
  district?: string;
  town?: string;
  village?: string;
  category?: string;
  q?: string;
}

export interface FundFilters {
  year: number | null;
  level: FundLevel | null;
  districtId: number | null;
  district: string | null;
  townId: number | null;
  town: string | null;
  villageId: number | null;
  village: string | null;
  categoryCode: string | null;
  category: string | null;
  q: string | null;
}

const blank = (v: unknown) => v === undefined || v === null || (typeof v === "string" && v.trim() === "");

/** Resolve names to ids; unknown names are a 400 naming the field. */
export async function resolveFundFilters(db: Db, input: FundFilterInput): Promise<FundFilters> {
  const out: FundFilters = {
    year: null,
    level: null,
    districtId: null,
    district: null,
    townId: null,
    town: null,
    villageId: null,
    village: null,
    categoryCode: null,
    category: null,
    q: null,
  };
  if (!blank(input.year)) {
    const y = Number(input.year);
    if (!Number.isInteger(y) || y < MIN_YEAR || y > MAX_YEAR) {
      throw validationFailed(`年度应为 ${MIN_YEAR}–${MAX_YEAR} 之间的年份`, [
        { path: "year", message: `年度应为 ${MIN_YEAR}–${MAX_YEAR} 之间的年份` },
      ]);
    }
    out.year = y;
  }
  if (!blank(input.level)) {
    out.level = parseLevel(String(input.level));
    if (!out.level)
      throw validationFailed("资金级次应为 中央、省级、市级 或 县级", [
        { path: "level", message: "资金级次应为 中央、省级、市级 或 县级" },
      ]);
  }
  if (!blank(input.district)) {
    try {
      const p = await resolvePlace(db, {
        district: String(input.district).trim(),
        town: blank(input.town) ? null : String(input.town).trim(),
        village: blank(input.village) ? null : String(input.village).trim(),
      });
      Object.assign(out, p);
    } catch (err) {
      if (err instanceof UnknownPlaceError)
        throw validationFailed(err.message, [{ path: err.field, message: err.message }]);
      throw err;
    }
  } else if (!blank(input.town) || !blank(input.village)) {
    const field = !blank(input.town) ? "town" : "village";
    throw validationFailed("按镇办或村筛选时请同时指定区县", [{ path: field, message: "请同时指定区县（district）" }]);
  }
  if (!blank(input.category)) {
    const c = String(input.category).trim();
    const [row] = await db.select().from(categories).where(sql`${categories.code} = ${c} OR ${categories.name} = ${c}`);
    if (!row) throw validationFailed(`未知的类别：${c}`, [{ path: "category", message: `未知的类别：${c}` }]);
    out.categoryCode = row.code;
    out.category = row.name;
  }
  if (!blank(input.q)) out.q = String(input.q).trim().slice(0, 100);
  return out;
}

/** WHERE conditions of the filters over active (not withdrawn) allocations. */
export function fundWhere(f: FundFilters): SQL {
  const c: SQL[] = [eq(fa.status, "active")];
  if (f.year != null) c.push(eq(fa.year, f.year));
  if (f.level) c.push(eq(fa.level, f.level));
  if (f.districtId != null) c.push(eq(fa.districtId, f.districtId));
  if (f.townId != null) c.push(eq(fa.townId, f.townId));
  if (f.villageId != null) c.push(eq(fa.villageId, f.villageId));
  if (f.categoryCode) c.push(eq(fa.categoryCode, f.categoryCode));
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    c.push(sql`(${fa.fundName} || ' ' || ${fa.docNumber} || ' ' || ${fa.purpose}) ILIKE ${like}`);
  }
  return and(...c) as SQL;
}

/** Can totals for these filters come from fund_rollup (no village, no keyword)? */
export function rollupEligible(f: FundFilters): boolean {
  return f.villageId == null && !f.q;
}

/** WHERE conditions of the filters over fund_rollup (only when rollupEligible). */
export function rollupWhere(f: FundFilters): SQL {
  const c: SQL[] = [sql`true`];
  if (f.year != null) c.push(sql`year = ${f.year}`);
  if (f.level) c.push(sql`level = ${f.level}`);
  if (f.districtId != null) c.push(sql`district_id = ${f.districtId}`);
  if (f.townId != null) c.push(sql`town_id = ${f.townId}`);
  if (f.categoryCode) c.push(sql`category_code = ${f.categoryCode}`);
  return sql.join(c, sql` AND `);
}

/** The filters back as URL parameters (names), for links and exports. */
export function filterParams(f: FundFilters): Record<string, string> {
  const p: Record<string, string> = {};
  if (f.year != null) p.year = String(f.year);
  if (f.level) p.level = f.level;
  if (f.district) p.district = f.district;
  if (f.town) p.town = f.town;
  if (f.village) p.village = f.village;
  if (f.category) p.category = f.categoryCode ?? f.category;
  if (f.q) p.q = f.q;
  return p;
}
