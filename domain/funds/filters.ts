import { and, eq, gt, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type FundLevel, fundAllocations as fa } from "../../db/schema";
import { validationFailed } from "../../lib/errors";
import { parseUpdatedSince } from "../../lib/updated-since";
import { referenceData } from "../hotline/reference-cache";
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
  updatedSince?: string;
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
  /** Only allocations created, corrected or withdrawn after this time — withdrawn ones included, so a
   * data user keeping a copy learns of the withdrawal. */
  updatedSince: Date | null;
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
    updatedSince: parseUpdatedSince(input.updatedSince),
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
  // Names resolve against the in-memory reference data (one minute cache): no round trips per request.
  const ref = await referenceData(db);
  const fail = (path: string, message: string) => validationFailed(message, [{ path, message }]);
  if (!blank(input.district)) {
    const name = String(input.district).trim();
    const d = ref.districts.get(name);
    if (!d) throw fail("district", `未知的区县：${name}`);
    out.districtId = d.id;
    out.district = d.name;
    const towns = ref.towns.filter((t) => t.districtId === d.id);
    if (!blank(input.town)) {
      const tn = String(input.town).trim();
      const t = towns.find((x) => x.name === tn);
      if (!t) throw fail("town", `${d.name}没有名为“${tn}”的镇（街道）`);
      out.townId = t.id;
      out.town = t.name;
    }
    if (!blank(input.village)) {
      const vn = String(input.village).trim();
      const inScope = out.townId != null ? [out.townId] : towns.map((t) => t.id);
      const matches = ref.villages.filter((v) => v.name === vn && inScope.includes(v.townId));
      if (matches.length === 0) throw fail("village", `${out.town ?? d.name}没有名为“${vn}”的村`);
      if (matches.length > 1) throw fail("village", `${d.name}有多个“${vn}”，请同时填写镇（街道）`);
      out.villageId = matches[0].id;
      out.village = matches[0].name;
      if (out.townId == null) {
        const t = towns.find((x) => x.id === matches[0].townId);
        out.townId = t?.id ?? null;
        out.town = t?.name ?? null;
      }
    }
  } else if (!blank(input.town) || !blank(input.village)) {
    const field = !blank(input.town) ? "town" : "village";
    throw validationFailed("按镇办或村筛选时请同时指定区县", [{ path: field, message: "请同时指定区县（district）" }]);
  }
  if (!blank(input.category)) {
    const c = String(input.category).trim();
    const row = ref.categories.get(c) ?? [...ref.categories.values()].find((x) => x.name === c);
    if (!row) throw fail("category", `未知的类别：${c}`);
    out.categoryCode = row.code;
    out.category = row.name;
  }
  if (!blank(input.q)) out.q = String(input.q).trim().slice(0, 100);
  return out;
}

/** WHERE conditions of the filters over active (not withdrawn) allocations; with updatedSince, over every
 * allocation changed after it. */
export function fundWhere(f: FundFilters): SQL {
  const c: SQL[] = f.updatedSince ? [gt(fa.updatedAt, f.updatedSince)] : [eq(fa.status, "active")];
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
  return f.villageId == null && !f.q && !f.updatedSince;
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
