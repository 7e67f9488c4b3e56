import { asc, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import { categories, districts, towns, units, villages } from "../../db/schema";
import { validationFailed } from "../../lib/errors";

export interface VillageInfo {
  id: number;
  name: string;
  isProvincialKey: boolean;
  isWeak: boolean;
  deepPovertyArea: string | null;
  isDemo: boolean;
}
export interface TownInfo {
  id: number;
  name: string;
  isKeyTown: boolean;
  isDemo: boolean;
  villages: VillageInfo[];
}
export interface DistrictInfo {
  id: number;
  code: string;
  name: string;
  kind: string;
  isKey: boolean;
  towns: TownInfo[];
}

/** Every district with its towns and villages and their flags, in the city's usual order. */
export async function listDistricts(db: Db): Promise<DistrictInfo[]> {
  const [ds, ts, vs] = await Promise.all([
    db.select().from(districts).orderBy(asc(districts.sort)),
    db.select().from(towns).orderBy(asc(towns.id)),
    db.select().from(villages).orderBy(asc(villages.id)),
  ]);
  const villagesByTown = groupBy(vs, (v) => v.townId);
  const townsByDistrict = groupBy(ts, (t) => t.districtId);
  return ds.map((d) => ({
    id: d.id,
    code: d.code,
    name: d.name,
    kind: d.kind,
    isKey: d.isKey,
    towns: (townsByDistrict.get(d.id) ?? []).map((t) => ({
      id: t.id,
      name: t.name,
      isKeyTown: t.isKeyTown,
      isDemo: t.isDemo,
      villages: (villagesByTown.get(t.id) ?? []).map((v) => ({
        id: v.id,
        name: v.name,
        isProvincialKey: v.isProvincialKey,
        isWeak: v.isWeak,
        deepPovertyArea: v.deepPovertyArea,
        isDemo: v.isDemo,
      })),
    })),
  }));
}

export interface DistrictName {
  code: string;
  name: string;
}

/** The districts' codes and names in the city's usual order (for filters and pickers). */
export async function listDistrictNames(db: Db): Promise<DistrictName[]> {
  return db
    .select({ code: districts.code, name: districts.name })
    .from(districts)
    .orderBy(asc(districts.sort), asc(districts.id));
}

export interface CategoryInfo {
  code: string;
  name: string;
  leadDepartment: string;
  leadUnitCode: string;
}

/** The measure categories with their lead department: the routing table. */
export async function listCategories(db: Db): Promise<CategoryInfo[]> {
  const result = await db
    .select({ code: categories.code, name: categories.name, leadDepartment: units.name, leadUnitCode: units.code })
    .from(categories)
    .innerJoin(units, eq(units.code, categories.leadUnitCode))
    .orderBy(asc(categories.sort));
  return result;
}

export interface ResolvedPlace {
  districtId: number;
  district: string;
  districtCode: string;
  townId: number | null;
  town: string | null;
  villageId: number | null;
  village: string | null;
}

export class UnknownPlaceError extends Error {
  constructor(
    readonly field: "district" | "town" | "village",
    message: string,
  ) {
    super(message);
  }
}

/**
 * The place rows a match reads: districts by name, and towns and villages — all of them, or at least
 * those of the named district (a cache of the whole table, or just what one lookup loaded).
 */
export interface PlaceRows {
  districts: ReadonlyMap<string, { id: number; code: string; name: string }>;
  towns: readonly { id: number; districtId: number; name: string }[];
  villages: readonly { id: number; townId: number; name: string }[];
}

/**
 * Pure: place names → ids. The town must be in the district and the village in the town (or, without
 * a town, anywhere in the district when the name is unambiguous); otherwise UnknownPlaceError naming
 * the field.
 */
export function matchPlace(
  rows: PlaceRows,
  input: { district: string; town?: string | null; village?: string | null },
): ResolvedPlace {
  const d = rows.districts.get(input.district);
  if (!d) throw new UnknownPlaceError("district", `未知的区县：${input.district}`);
  const ts = rows.towns.filter((t) => t.districtId === d.id);
  let town: (typeof ts)[number] | null = null;
  if (input.town) {
    town = ts.find((t) => t.name === input.town) ?? null;
    if (!town) throw new UnknownPlaceError("town", `${d.name}没有名为“${input.town}”的镇（街道）`);
  }
  let village: (typeof rows.villages)[number] | null = null;
  if (input.village) {
    const townIds = new Set(town ? [town.id] : ts.map((t) => t.id));
    const matches = rows.villages.filter((v) => townIds.has(v.townId) && v.name === input.village);
    if (matches.length === 0) {
      throw new UnknownPlaceError("village", `${town ? town.name : d.name}没有名为“${input.village}”的村`);
    }
    if (matches.length > 1) {
      throw new UnknownPlaceError("village", `${d.name}有多个“${input.village}”，请同时填写镇（街道）`);
    }
    const found = matches[0];
    village = found;
    town ??= ts.find((t) => t.id === found.townId) ?? null;
  }
  return {
    districtId: d.id,
    district: d.name,
    districtCode: d.code,
    townId: town?.id ?? null,
    town: town?.name ?? null,
    villageId: village?.id ?? null,
    village: village?.name ?? null,
  };
}

/**
 * matchPlace against the database: reads the district, its towns and (only when a village is named)
 * their villages. The intake path, which resolves a place on every filing, matches against its cached
 * reference data instead (domain/hotline/reference-cache.ts).
 */
export async function resolvePlace(
  db: Db,
  input: { district: string; town?: string | null; village?: string | null },
): Promise<ResolvedPlace> {
  const [d] = await db
    .select({ id: districts.id, code: districts.code, name: districts.name })
    .from(districts)
    .where(eq(districts.name, input.district));
  if (!d) return matchPlace({ districts: new Map(), towns: [], villages: [] }, input);
  const ts = await db
    .select({ id: towns.id, districtId: towns.districtId, name: towns.name })
    .from(towns)
    .where(eq(towns.districtId, d.id));
  const townIds = ts.map((t) => t.id);
  const vs =
    input.village && townIds.length
      ? await db
          .select({ id: villages.id, townId: villages.townId, name: villages.name })
          .from(villages)
          .where(inArray(villages.townId, townIds))
      : [];
  return matchPlace({ districts: new Map([[d.name, d]]), towns: ts, villages: vs }, input);
}

// Map.groupBy arrived in Node 21; this runs on 20.
function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/** A district's id from its reference name; 400 naming the field when unknown. */
export async function districtIdByName(db: Db, name: string): Promise<number> {
  const [d] = await db.select({ id: districts.id }).from(districts).where(eq(districts.name, name)).limit(1);
  if (!d) throw validationFailed(`没有“${name}”这个区县`, [{ path: "district", message: "未知的区县" }]);
  return d.id;
}
