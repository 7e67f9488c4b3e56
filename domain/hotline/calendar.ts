import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { AppError } from "../../lib/errors";
import { appendAudit } from "../audit/audit-log";
import type { StaffPrincipal } from "../auth/principal";
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

// --- Maintaining the calendar (admins, /console/calendar) ---------------------------------------
// Each change is audited in its own transaction. A year "has a calendar" when it has at least one
// entry; entries loaded before the year's State Council notice are provisional until confirmed.

export interface CalendarDay {
  day: string;
  isOffDay: boolean;
  name: string;
  provisional: boolean;
}

export interface CalendarYear {
  year: number;
  days: number;
  provisional: boolean;
}

function requireAdmin(staff: StaffPrincipal) {
  if (staff.role !== "admin") throw new AppError("FORBIDDEN", "只有系统管理员可以维护节假日安排");
}

export async function listCalendarYears(db: Db): Promise<CalendarYear[]> {
  const rs = await rows<{ year: number; days: number; provisional: boolean }>(
    db,
    sql`SELECT extract(year FROM day)::int AS year, count(*)::int AS days, bool_or(provisional) AS provisional
        FROM calendar_days GROUP BY 1 ORDER BY 1`,
  );
  return rs.map((r) => ({ year: Number(r.year), days: Number(r.days), provisional: r.provisional }));
}

export async function listCalendarDays(db: Db, year: number): Promise<CalendarDay[]> {
  const rs = await rows<{ day: string | Date; is_off_day: boolean; name: string; provisional: boolean }>(
    db,
    sql`SELECT day::text AS day, is_off_day, name, provisional FROM calendar_days
        WHERE day >= make_date(${year}, 1, 1) AND day < make_date(${year + 1}, 1, 1) ORDER BY day`,
  );
  return rs.map((r) => ({
    day: String(r.day).slice(0, 10),
    isOffDay: r.is_off_day,
    name: r.name,
    provisional: r.provisional,
  }));
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function checkDay(day: string): string {
  const m = DAY.exec(day);
  const d = m ? new Date(`${day}T00:00:00Z`) : null;
  if (!m || !d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== day) {
    throw new AppError("VALIDATION_FAILED", "日期格式应为 YYYY-MM-DD", [{ path: "day", message: "请填写有效日期" }]);
  }
  const year = Number(m[1]);
  if (year < 2014 || year > 2035) {
    throw new AppError("VALIDATION_FAILED", "日期须在 2014 至 2035 年之间", [{ path: "day", message: "年份超出范围" }]);
  }
  return day;
}

/** Add or change one day: a holiday (放假) or an adjusted workday (调休上班). Confirmed, not provisional. */
export async function setCalendarDay(
  db: Db,
  staff: StaffPrincipal,
  input: { day: string; isOffDay: boolean; name: string },
): Promise<CalendarDay> {
  requireAdmin(staff);
  const day = checkDay(input.day.trim());
  const name = input.name.trim();
  if (name.length < 1 || name.length > 20) {
    throw new AppError("VALIDATION_FAILED", "请填写节日名称（不超过 20 个字）", [
      { path: "name", message: "请填写节日名称" },
    ]);
  }
  const result = await db.transaction(async (tx) => {
    const [before] = await rows<{ is_off_day: boolean; name: string; provisional: boolean }>(
      tx,
      sql`SELECT is_off_day, name, provisional FROM calendar_days WHERE day = ${day}::date FOR UPDATE`,
    );
    await rows(
      tx,
      sql`INSERT INTO calendar_days (day, is_off_day, name, provisional) VALUES (${day}::date, ${input.isOffDay}, ${name}, false)
          ON CONFLICT (day) DO UPDATE SET is_off_day = EXCLUDED.is_off_day, name = EXCLUDED.name, provisional = false`,
    );
    await appendAudit(tx, {
      actorId: staff.userId,
      action: "calendar.set",
      subjectType: "calendar_day",
      subjectId: day,
      details: {
        isOffDay: input.isOffDay,
        name,
        before: before ? { isOffDay: before.is_off_day, name: before.name, provisional: before.provisional } : null,
      },
    });
    return { day, isOffDay: input.isOffDay, name, provisional: false };
  });
  invalidateCalendar();
  return result;
}

export async function removeCalendarDay(db: Db, staff: StaffPrincipal, day: string): Promise<void> {
  requireAdmin(staff);
  const d = checkDay(day.trim());
  await db.transaction(async (tx) => {
    const [gone] = await rows<{ is_off_day: boolean; name: string }>(
      tx,
      sql`DELETE FROM calendar_days WHERE day = ${d}::date RETURNING is_off_day, name`,
    );
    if (!gone) throw new AppError("NOT_FOUND", `${d} 不在节假日安排中`);
    await appendAudit(tx, {
      actorId: staff.userId,
      action: "calendar.remove",
      subjectType: "calendar_day",
      subjectId: d,
      details: { isOffDay: gone.is_off_day, name: gone.name },
    });
  });
  invalidateCalendar();
}

/** Mark a year's provisional entries as confirmed (the State Council notice has been entered). */
export async function confirmCalendarYear(db: Db, staff: StaffPrincipal, year: number): Promise<number> {
  requireAdmin(staff);
  const n = await db.transaction(async (tx) => {
    const changed = await rows<{ day: string }>(
      tx,
      sql`UPDATE calendar_days SET provisional = false
          WHERE provisional AND day >= make_date(${year}, 1, 1) AND day < make_date(${year + 1}, 1, 1) RETURNING day`,
    );
    await appendAudit(tx, {
      actorId: staff.userId,
      action: "calendar.confirm_year",
      subjectType: "calendar_year",
      subjectId: String(year),
      details: { days: changed.length },
    });
    return changed.length;
  });
  invalidateCalendar();
  return n;
}

/**
 * Years among `dates` (YYYY-MM-DD) whose working-day calendar is missing or provisional: a deadline
 * there is counted without that year's holidays and 调休, so the console warns about it.
 */
export async function calendarGaps(
  db: Db,
  dates: (string | null | undefined)[],
): Promise<{ missing: number[]; provisional: number[] }> {
  const years = [...new Set(dates.filter((d): d is string => !!d && DAY.test(d)).map((d) => Number(d.slice(0, 4))))];
  if (years.length === 0) return { missing: [], provisional: [] };
  const known = new Map((await listCalendarYears(db)).map((y) => [y.year, y]));
  return {
    missing: years.filter((y) => !known.has(y)).sort(),
    provisional: years.filter((y) => known.get(y)?.provisional).sort(),
  };
}
