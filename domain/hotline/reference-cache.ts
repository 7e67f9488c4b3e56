import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
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
      rows<{ id: number; code: string; name: string }>(db, sql`SELECT id, code, name FROM districts`),
      rows<{ id: number; district_id: number; name: string }>(db, sql`SELECT id, district_id, name FROM towns`),
      rows<{ id: number; town_id: number; name: string }>(db, sql`SELECT id, town_id, name FROM villages`),
      rows<{
        id: number;
        code: string;
        name: string;
        level: string;
        kind: string;
        district_id: number | null;
        town_id: number | null;
      }>(db, sql`SELECT id, code, name, level, kind, district_id, town_id FROM units`),
      rows<{ code: string; name: string; lead_unit_code: string }>(
        db,
        sql`SELECT code, name, lead_unit_code FROM categories ORDER BY sort`,
      ),
    ]);
    const units = new Map(
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
      units,
      unitsById: new Map([...units.values()].map((u) => [u.id, u])),
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
