import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { rows } from "../../db/client";
import {
  calendarGaps,
  confirmCalendarYear,
  invalidateCalendar,
  listCalendarDays,
  listCalendarYears,
  loadCalendar,
  removeCalendarDay,
  setCalendarDay,
} from "../../domain/hotline/calendar";
import { filingDeadlines } from "../../domain/hotline/deadlines";
import { staff } from "../support/console";
import { testDatabase } from "../support/db";

// The working-day calendar: 2027 ships as a provisional calendar (statutory holidays), admins maintain
// holidays and adjusted workdays (audited), and the console can tell which deadline years lack one.
// calendar_days is reference data (kept between tests): this file edits only 2034 and puts it back.

afterEach(async () => {
  const { db } = await testDatabase();
  await db.execute(sql`DELETE FROM calendar_days WHERE day >= '2034-01-01' AND day < '2035-01-01'`);
  invalidateCalendar();
});

async function audits(action: string) {
  const { db } = await testDatabase();
  return rows<{ subject_id: string; actor_id: number }>(
    db,
    sql`SELECT subject_id, actor_id FROM audit_log WHERE action = ${action} ORDER BY id`,
  );
}

describe("working-day calendar", () => {
  it("has 2027 (provisional): a deadline on 除夕 2027 moves past the Spring Festival", async () => {
    const { db } = await testDatabase();
    const years = await listCalendarYears(db);
    expect(years.find((y) => y.year === 2026)).toMatchObject({ provisional: false });
    expect(years.find((y) => y.year === 2027)).toMatchObject({ provisional: true, days: 13 });
    invalidateCalendar();
    const cal = await loadCalendar(db);
    // Received Thu 2027-01-21: the 15-day acceptance period ends Fri 2027-02-05 (除夕, a holiday),
    // so it runs to the next working day after the weekend and 初三 (Mon 02-08): Tue 2027-02-09.
    expect(filingDeadlines(new Date("2027-01-21T02:00:00Z"), "III", cal).acceptDueOn).toBe("2027-02-09");
    expect(await calendarGaps(db, ["2026-12-30", "2027-03-01", "2035-01-02"])).toEqual({
      missing: [2035],
      provisional: [2027],
    });
  });

  it("admins add, change and remove days, audited; deadlines follow at once", async () => {
    const { db } = await testDatabase();
    const admin = await staff("admin", "city-fpb");
    const principal = admin.principal!;
    // Saturday 2034-01-07 becomes an adjusted workday (调休上班).
    await setCalendarDay(db, principal, { day: "2034-01-07", isOffDay: false, name: "元旦" });
    await setCalendarDay(db, principal, { day: "2034-01-02", isOffDay: true, name: "元旦" });
    expect(await listCalendarDays(db, 2034)).toEqual([
      { day: "2034-01-02", isOffDay: true, name: "元旦", provisional: false },
      { day: "2034-01-07", isOffDay: false, name: "元旦", provisional: false },
    ]);
    const cal = await loadCalendar(db);
    expect(cal.get("2034-01-07")).toBe(false);
    expect((await audits("calendar.set")).map((a) => a.subject_id)).toEqual(["2034-01-07", "2034-01-02"]);
    await removeCalendarDay(db, principal, "2034-01-07");
    expect((await loadCalendar(db)).has("2034-01-07")).toBe(false);
    expect(await audits("calendar.remove")).toEqual([{ subject_id: "2034-01-07", actor_id: admin.id }]);
    await expect(removeCalendarDay(db, principal, "2034-01-07")).rejects.toMatchObject({ status: 404 });
    await expect(setCalendarDay(db, principal, { day: "2034-02-30", isOffDay: true, name: "x" })).rejects.toMatchObject(
      {
        status: 400,
      },
    );
  });

  it("confirming a provisional year is audited; only admins maintain the calendar", async () => {
    const { db } = await testDatabase();
    const admin = await staff("admin", "city-fpb");
    await db.execute(
      sql`INSERT INTO calendar_days (day, is_off_day, name, provisional) VALUES ('2034-10-02', true, '国庆节', true)`,
    );
    expect(await confirmCalendarYear(db, admin.principal!, 2034)).toBe(1);
    expect((await listCalendarDays(db, 2034))[0].provisional).toBe(false);
    expect(await audits("calendar.confirm_year")).toEqual([{ subject_id: "2034", actor_id: admin.id }]);
    const sup = await staff("supervisor", "city-hotline");
    await expect(
      setCalendarDay(db, sup.principal!, { day: "2034-05-01", isOffDay: true, name: "劳动节" }),
    ).rejects.toMatchObject({ status: 403 });
  });
});
