// The computed state of a notice and the dates of its period. Dates are calendar days in China (UTC+8).
import { addDays, daysBetween, todayCn } from "../../lib/china-date";

export type NoticeState = "draft" | "in_period" | "ended" | "withdrawn" | "amended";

export const NOTICE_STATE_LABELS: Record<NoticeState, string> = {
  draft: "草稿",
  in_period: "公示中",
  ended: "公示期满",
  withdrawn: "已撤回",
  amended: "已更正",
};

export const NOTICE_STATES = Object.keys(NOTICE_STATE_LABELS) as NoticeState[];
export const DEFAULT_PERIOD_DAYS = 10;
export const MIN_PERIOD_DAYS = 10;

export { addDays, daysBetween, todayCn } from "../../lib/china-date";

/** The last day of a period of `days` days that starts on `start` (both inclusive). */
export function periodEndFor(start: string, days: number): string {
  return addDays(start, days - 1);
}

export function noticeState(
  n: { status: string; periodStart: string | null; periodEnd: string | null; supersededById: number | null },
  today: string = todayCn(),
): NoticeState {
  if (n.status === "draft") return "draft";
  if (n.status === "withdrawn") return "withdrawn";
  if (n.supersededById != null) return "amended";
  if (n.periodEnd && today > n.periodEnd) return "ended";
  return "in_period";
}

/** Days left in the period counting today (0 once it has ended). */
export function daysLeft(periodEnd: string | null, today: string = todayCn()): number {
  if (!periodEnd) return 0;
  return Math.max(0, daysBetween(today, periodEnd) + 1);
}
