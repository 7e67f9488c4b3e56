// Deadlines of a ticket (信访工作条例 2022), pure. Days are calendar days unless said otherwise; a
// period whose last day is a day off ends on the next working day (the usual rule for legal periods).
// Working days follow the calendar: Monday–Friday, except public holidays, plus adjusted workdays 调休.
// Dates are "YYYY-MM-DD" in China Standard Time (UTC+8, no daylight saving).

import { addDays, chinaDate } from "../../lib/china-date";
import { AppError } from "../../lib/errors";
import { MAX_EXTENSION_DAYS, REVIEW_WINDOW_DAYS } from "./lifecycle";

/** day → isOffDay, for the days that differ from the Mon–Fri rule (calendar_days). */
export type WorkCalendar = ReadonlyMap<string, boolean>;

export const ACCEPT_DAYS = 15;
export const HANDLE_DAYS = 60;
export const FIRST_RESPONSE_HOURS = 24;
export const RETURN_WORKING_DAYS = 5;

export { addDays, chinaDate };

export function isWorkingDay(day: string, cal: WorkCalendar): boolean {
  const off = cal.get(day);
  if (off !== undefined) return !off;
  const dow = new Date(`${day}T00:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/** The day itself when it is a working day, else the next working day. */
export function rollToWorkingDay(day: string, cal: WorkCalendar): string {
  let d = day;
  for (let i = 0; i < 60 && !isWorkingDay(d, cal); i++) d = addDays(d, 1);
  return d;
}

/** The n-th working day after `day` (not counting `day`). */
export function addWorkingDays(day: string, n: number, cal: WorkCalendar): string {
  let d = day;
  let left = n;
  while (left > 0) {
    d = addDays(d, 1);
    if (isWorkingDay(d, cal)) left--;
  }
  return d;
}

/** Calendar-day period from `day`, its end moved off a day off. */
export function periodEnd(day: string, days: number, cal: WorkCalendar): string {
  return rollToWorkingDay(addDays(day, days), cal);
}

export interface FilingDeadlines {
  /** 受理: decide on acceptance within 15 days of receipt */
  acceptDueOn: string;
  /** 办理: 60 days from acceptance; until accepted, counted from the latest acceptance date */
  handleDueOn: string;
  /** Tier I: first response within 24 hours */
  firstResponseDueAt: Date | null;
}

export function filingDeadlines(receivedAt: Date, tier: string, cal: WorkCalendar): FilingDeadlines {
  const acceptDueOn = periodEnd(chinaDate(receivedAt), ACCEPT_DAYS, cal);
  return {
    acceptDueOn,
    handleDueOn: periodEnd(acceptDueOn, HANDLE_DAYS, cal),
    firstResponseDueAt: tier === "I" ? new Date(receivedAt.getTime() + FIRST_RESPONSE_HOURS * 3600_000) : null,
  };
}

/** 办理时限 once accepted (plus an approved extension). */
export function handleDeadline(acceptedAt: Date, cal: WorkCalendar, extendedDays = 0): string {
  return periodEnd(chinaDate(acceptedAt), HANDLE_DAYS + extendedDays, cal);
}

/** 退单: a unit may return a misrouted ticket within 5 working days of dispatch. */
export function returnDeadline(dispatchedAt: Date, cal: WorkCalendar): string {
  return addWorkingDays(chinaDate(dispatchedAt), RETURN_WORKING_DAYS, cal);
}

/** 复核: may be requested within 30 days of the reply. */
export function reviewDeadline(repliedAt: Date, cal: WorkCalendar): string {
  return periodEnd(chinaDate(repliedAt), REVIEW_WINDOW_DAYS, cal);
}

/**
 * Extend the handling deadline once by 1–30 days. Returns the new due date; AppError when it was
 * already extended or the days are out of range.
 */
export function extendDeadline(
  current: { handleDueOn: string; extendedDays: number },
  days: number,
  cal: WorkCalendar,
): string {
  if (current.extendedDays > 0) throw new AppError("INVALID_TRANSITION", "办理期限只能延长一次，本工单已延期");
  if (!Number.isInteger(days) || days < 1 || days > MAX_EXTENSION_DAYS) {
    throw new AppError("VALIDATION_FAILED", `延期天数须为 1 至 ${MAX_EXTENSION_DAYS} 天`, { field: "days" });
  }
  return periodEnd(current.handleDueOn, days, cal);
}

/** Is `day` (default today in China) on or before the due date. */
export function withinDeadline(due: string, now: Date = new Date()): boolean {
  return chinaDate(now) <= due;
}
