import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import type { WorkCalendar } from "./deadlines";

// The working-day calendar (calendar_days: holidays and adjusted workdays), cached in the process for
// a minute so filing a ticket costs no extra round trip. Staff edits call invalidateCalendar().

const TTL_MS = 60_000;
let cache: { at: number; cal: Promise<WorkCalendar> } | undefined;

export function loadCalendar(db: Db): Promise<WorkCalendar> {
  if (cache && Date.now() - cache.at < TTL_MS) return cache.cal;
  const cal = rows<{ day: string | Date; is_off_day: boolean }>(
    db,
    sql`SELECT day::text AS day, is_off_day FROM calendar_days`,
  ).then((rs) => new Map(rs.map((r) => [String(r.day).slice(0, 10), r.is_off_day])) as WorkCalendar);
  cache = { at: Date.now(), cal };
  cal.catch(() => {
    cache = undefined;
  });
  return cal;
}

export function invalidateCalendar() {
  cache = undefined;
}
