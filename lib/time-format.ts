// Every time a person reads is Beijing time (Asia/Shanghai, UTC+8, no daylight saving), whatever the
// server's zone, in one format per context:
//   staff pages and exports  2026-12-05 14:21
//   public pages             2026年12月5日 14:21
// Machine formats (JSON, Atom, Open311) stay ISO 8601 with their offset.

type Instant = Date | string | number;

const parts = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

function fields(instant: Instant) {
  const d = instant instanceof Date ? instant : new Date(instant);
  if (Number.isNaN(d.getTime())) return null;
  const p = Object.fromEntries(parts.formatToParts(d).map((x) => [x.type, x.value]));
  return { y: p.year, m: p.month, d: p.day, h: p.hour, min: p.minute };
}

/** Staff context: "2026-12-05 14:21" (Beijing time); "" for no or an invalid instant. */
export function staffTime(instant: Instant | null | undefined): string {
  const f = instant == null ? null : fields(instant);
  return f ? `${f.y}-${f.m}-${f.d} ${f.h}:${f.min}` : "";
}

/** Public context: "2026年12月5日 14:21" (Beijing time); "" for no or an invalid instant. */
export function publicTime(instant: Instant | null | undefined): string {
  const f = instant == null ? null : fields(instant);
  return f ? `${f.y}年${Number(f.m)}月${Number(f.d)}日 ${f.h}:${f.min}` : "";
}
