// Instants shown to staff in China Standard Time (UTC+8, no daylight saving), whatever the server's zone.
export function chinaTime(instant: Date): string {
  return new Date(instant.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace("T", " ");
}

/** "YYYY-MM-DDTHH:mm" in China time, for a datetime-local input. */
export function chinaLocalInput(instant: Date): string {
  return new Date(instant.getTime() + 8 * 3600_000).toISOString().slice(0, 16);
}

/** A datetime-local value typed in China time → the instant (Invalid Date when malformed). */
export function fromChinaLocalInput(value: string): Date {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) ? new Date(`${value}:00+08:00`) : new Date(Number.NaN);
}
