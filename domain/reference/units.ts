import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { units } from "../../db/schema";
import type { SqlRow } from "../../db/sql-row";

// The units (departments and offices at city, district and town level) that staff accounts belong to.

export async function listUnits(db: Db) {
  return rows<SqlRow<typeof units, "id" | "code" | "name" | "level" | "kind">>(
    db,
    sql`SELECT ${units.id}, ${units.code}, ${units.name}, ${units.level}, ${units.kind} FROM ${units}
        ORDER BY CASE ${units.level} WHEN 'city' THEN 0 WHEN 'district' THEN 1 ELSE 2 END, ${units.id}`,
  );
}
