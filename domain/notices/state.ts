// The computed state of a notice and the dates of its period. Dates are calendar days in China (UTC+8).

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
export const MIN_PERIOD_DAYS = 7;

/** Today's date (YYYY-MM-DD) in China Standard Time. */
export function todayCn(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** a + n days, as YYYY-MM-DD. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Whole days from a to b (b - a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

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
