import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { type Db, rows } from "../db/client";
import { calendarDays, categories, districts, towns, units, villages } from "../db/schema";
import {
  CATEGORIES,
  cityUnitCode,
  DEPARTMENTS,
  DISTRICTS,
  districtUnitCode,
  HOTLINE_UNIT,
  VILLAGE_NAMES,
} from "../lib/reference-data";

/** Tables that hold reference data (kept when tests reset the database between tests). */
export const REFERENCE_TABLES = [
  "schema_migrations",
  "districts",
  "towns",
  "villages",
  "units",
  "categories",
  "calendar_days",
];

function holidays(): [string, boolean, string][] {
  const candidates = [
    path.resolve(process.cwd(), "seed/data/holidays-cn.json"),
    new URL("./data/holidays-cn.json", import.meta.url),
  ];
  for (const file of candidates) {
    try {
      return JSON.parse(readFileSync(file, "utf8")).days;
    } catch {}
  }
  throw new Error("seed/data/holidays-cn.json not found");
}

/** Villages of a town: a deterministic selection so re-seeding gives the same places. */
export function villageNamesFor(districtIndex: number, townIndex: number, isKeyDistrict: boolean) {
  const count = isKeyDistrict ? 5 : 3;
  const start = (districtIndex * 7 + townIndex * 5) % VILLAGE_NAMES.length;
  return Array.from({ length: count }, (_, i) => VILLAGE_NAMES[(start + i * 3) % VILLAGE_NAMES.length]);
}

/** Districts, towns, villages, units, categories and the holiday calendar. Idempotent. */
export async function seedReference(db: Db) {
  await db.transaction(async (tx) => {
    for (const [di, d] of DISTRICTS.entries()) {
      const [district] = await tx
        .insert(districts)
        .values({ code: d.code, name: d.name, kind: d.kind, isKey: d.isKey, sort: di })
        .onConflictDoUpdate({ target: districts.code, set: { name: d.name, kind: d.kind, isKey: d.isKey, sort: di } })
        .returning();
      for (const [ti, t] of d.towns.entries()) {
        const [town] = await tx
          .insert(towns)
          .values({ districtId: district.id, name: t.name, isKeyTown: !!t.key, isDemo: true })
          .onConflictDoUpdate({ target: [towns.districtId, towns.name], set: { isKeyTown: !!t.key } })
          .returning();
        const names = villageNamesFor(di, ti, d.isKey);
        await tx
          .insert(villages)
          .values(
            names.map((name, vi) => ({
              townId: town.id,
              name,
              // In key districts most villages are provincial key villages; every third is a weak village.
              isProvincialKey: d.isKey && vi < 3,
              isWeak: vi % 3 === 1,
              deepPovertyArea: t.area ?? null,
              isDemo: true,
            })),
          )
          .onConflictDoNothing();
      }
    }
    const allDistricts = await tx.select().from(districts);
    const unitRows: (typeof units.$inferInsert)[] = [
      { code: HOTLINE_UNIT.code, name: HOTLINE_UNIT.name, kind: "hotline", level: "city" },
      ...DEPARTMENTS.map((dep) => ({ code: cityUnitCode(dep.key), name: dep.city, kind: dep.kind, level: "city" })),
      ...allDistricts.flatMap((d) =>
        DEPARTMENTS.map((dep) => ({
          code: districtUnitCode(d.code, dep.key),
          name: `${d.name}${dep.district}`,
          kind: dep.kind,
          level: "district",
          districtId: d.id,
        })),
      ),
    ];
    const allTowns = await tx.select().from(towns);
    for (const t of allTowns) {
      const d = allDistricts.find((x) => x.id === t.districtId)!;
      unitRows.push({
        code: `${d.code}-town-${t.id}`,
        name: `${d.name}${t.name}${t.name.endsWith("街道") ? "办事处" : "人民政府"}`,
        kind: "town_office",
        level: "town",
        districtId: d.id,
        townId: t.id,
      });
    }
    await tx.insert(units).values(unitRows).onConflictDoNothing();
    await tx
      .insert(categories)
      .values(
        CATEGORIES.map((c, i) => ({
          code: c.code,
          name: c.name,
          leadUnitCode: cityUnitCode(c.lead),
          coUnits: c.co.map(cityUnitCode),
          sort: i,
        })),
      )
      .onConflictDoUpdate({
        target: categories.code,
        set: { name: sql`excluded.name`, leadUnitCode: sql`excluded.lead_unit_code`, coUnits: sql`excluded.co_units` },
      });
    await tx
      .insert(calendarDays)
      .values(holidays().map(([day, isOffDay, name]) => ({ day, isOffDay, name })))
      .onConflictDoNothing();
    // A provisional year is loaded only while the year has no days at all: once an admin has entered
    // or corrected it (/console/calendar), a restart must not put back a day they removed.
    for (const [year, days] of provisionalYears()) {
      const [has] = await rows<{ n: number }>(
        tx,
        sql`SELECT count(*)::int AS n FROM calendar_days WHERE day >= ${`${year}-01-01`}::date AND day < ${`${year + 1}-01-01`}::date`,
      );
      if (has.n > 0) continue;
      await tx
        .insert(calendarDays)
        .values(days.map(([day, isOffDay, name]) => ({ day, isOffDay, name, provisional: true })))
        .onConflictDoNothing();
    }
  });
}

/** Provisional calendars (statutory holidays only) for years whose State Council notice is not out yet. */
function provisionalYears(): [number, [string, boolean, string][]][] {
  const out: [number, [string, boolean, string][]][] = [];
  for (const year of [2027]) {
    const name = `holidays-${year}-provisional.json`;
    const candidates = [path.resolve(process.cwd(), "seed/data", name), new URL(`./data/${name}`, import.meta.url)];
    for (const file of candidates) {
      try {
        out.push([year, JSON.parse(readFileSync(file, "utf8")).days]);
        break;
      } catch {}
    }
  }
  return out;
}
