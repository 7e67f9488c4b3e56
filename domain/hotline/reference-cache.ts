import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { categories, districts, towns, units, villages } from "../../db/schema";
import type { SqlRow } from "../../db/sql-row";
import type { UnitRef } from "./routing";

// Reference data the intake path needs (places, units, categories), held in memory for a minute so a
// filing costs one round trip to the database, not five. Reference data changes rarely; the cache
// reloads on expiry or after invalidateReferenceCache().

export interface RefPlace {
  districts: Map<string, { id: number; code: string; name: string }>;
  towns: { id: number; districtId: number; name: string }[];
  villages: { id: number; townId: number; name: string }[];
  units: Map<string, UnitRef & { kind: string; townId: number | null }>;
  unitsById: Map<number, UnitRef & { kind: string; townId: number | null }>;
  categories: Map<string, { code: string; name: string; leadUnitCode: string }>;
}

const TTL_MS = 60_000;
let cache: { at: number; data: Promise<RefPlace> } | undefined;

export function referenceData(db: Db): Promise<RefPlace> {
  if (cache && Date.now() - cache.at < TTL_MS) return cache.data;
  const data = (async () => {
    const [ds, ts, vs, us, cs] = await Promise.all([
      rows<SqlRow<typeof districts, "id" | "code" | "name">>(
        db,
        sql`SELECT ${districts.id}, ${districts.code}, ${districts.name} FROM ${districts}`,
      ),
      rows<SqlRow<typeof towns, "id" | "district_id" | "name">>(
        db,
        sql`SELECT ${towns.id}, ${towns.districtId}, ${towns.name} FROM ${towns}`,
      ),
      rows<SqlRow<typeof villages, "id" | "town_id" | "name">>(
        db,
        sql`SELECT ${villages.id}, ${villages.townId}, ${villages.name} FROM ${villages}`,
      ),
      rows<SqlRow<typeof units, "id" | "code" | "name" | "level" | "kind" | "district_id" | "town_id">>(
        db,
        sql`SELECT ${units.id}, ${units.code}, ${units.name}, ${units.level}, ${units.kind}, ${units.districtId}, ${units.townId}
            FROM ${units}`,
      ),
      rows<SqlRow<typeof categories, "code" | "name" | "lead_unit_code">>(
        db,
        sql`SELECT ${categories.code}, ${categories.name}, ${categories.leadUnitCode} FROM ${categories} ORDER BY ${categories.sort}`,
      ),
    ]);
    const byCode = new Map(
      us.map((u) => [
        u.code,
        {
          id: u.id,
          code: u.code,
          name: u.name,
          level: u.level,
          kind: u.kind,
          districtId: u.district_id,
          townId: u.town_id,
        },
      ]),
    );
    return {
      districts: new Map(ds.map((d) => [d.name, d])),
      towns: ts.map((t) => ({ id: t.id, districtId: t.district_id, name: t.name })),
      villages: vs.map((v) => ({ id: v.id, townId: v.town_id, name: v.name })),
      units: byCode,
      unitsById: new Map([...byCode.values()].map((u) => [u.id, u])),
      categories: new Map(cs.map((c) => [c.code, { code: c.code, name: c.name, leadUnitCode: c.lead_unit_code }])),
    };
  })();
  cache = { at: Date.now(), data };
  data.catch(() => {
    cache = undefined;
  });
  return data;
}

export function invalidateReferenceCache() {
  cache = undefined;
}
