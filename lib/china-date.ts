// Calendar days in China: "YYYY-MM-DD" strings in China Standard Time (UTC+8, no daylight saving).
// Day arithmetic is done on UTC midnights, so it never crosses a daylight-saving change.

const CST_OFFSET_MS = 8 * 3600_000;

/** The date in China of an instant. */
export function chinaDate(instant: Date): string {
  return new Date(instant.getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** Today's date in China. */
export function todayCn(now: Date = new Date()): string {
  return chinaDate(now);
}

/** day + n days. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Whole days from a to b (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}
