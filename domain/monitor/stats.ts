import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { STATS_TZ, SUPPRESS_BELOW } from "../stats/hotline";

// Monitoring statistics, by month and by district: items caught (group heads: a story re-posted ten
// times counts once), turned into tickets, and the median time from catching to triage. The public
// version (/stats) applies the hotline statistics' small-cell rule: a count of 1 or 2 is withheld, and
// when exactly one cell of a breakdown is withheld the next-smallest non-zero cell is withheld too; the
// median is shown only over at least SUPPRESS_BELOW triaged items. The console sees exact figures.

export interface MonitorStatsRow {
  key: string;
  label: string;
  caught: number | null;
  ticketed: number | null;
  medianTriageMinutes: number | null;
}

export interface MonitorStats {
  year: number;
  total: MonitorStatsRow;
  months: MonitorStatsRow[];
  districts: MonitorStatsRow[];
}

interface Raw {
  key: string;
  label: string;
  caught: number;
  ticketed: number;
  triaged: number;
  median: number | null;
}

const small = (n: number) => n > 0 && n < SUPPRESS_BELOW;

/** Withhold small counts in one breakdown column (and a second cell when one alone would be recoverable). */
export function suppressColumn(values: number[]): (number | null)[] {
  const out: (number | null)[] = values.map((v) => (small(v) ? null : v));
  const withheld = out.filter((v, i) => v === null && values[i] > 0).length;
  if (withheld === 1) {
    let best = -1;
    for (let i = 0; i < values.length; i++) {
      if (out[i] !== null && values[i] > 0 && (best < 0 || values[i] < values[best])) best = i;
    }
    if (best >= 0) out[best] = null;
  }
  return out;
}

function publish(raw: Raw[], publicView: boolean): MonitorStatsRow[] {
  if (!publicView)
    return raw.map((r) => ({
      key: r.key,
      label: r.label,
      caught: r.caught,
      ticketed: r.ticketed,
      medianTriageMinutes: r.median,
    }));
  const caught = suppressColumn(raw.map((r) => r.caught));
  const ticketed = suppressColumn(raw.map((r) => r.ticketed));
  return raw.map((r, i) => ({
    key: r.key,
    label: r.label,
    caught: caught[i],
    ticketed: ticketed[i],
    medianTriageMinutes: r.triaged >= SUPPRESS_BELOW ? r.median : null,
  }));
}

export async function monitorStats(db: Db, opts: { year: number; publicView: boolean }): Promise<MonitorStats> {
  const from = `${opts.year}-01-01T00:00:00+08:00`;
  const to = `${opts.year + 1}-01-01T00:00:00+08:00`;
  const q = (group: "month" | "district" | "total") =>
    rows<{
      key: string | null;
      label: string | null;
      caught: number;
      ticketed: number;
      triaged: number;
      median: number | null;
    }>(
      db,
      sql`SELECT ${
        group === "month"
          ? sql`to_char(m.fetched_at AT TIME ZONE ${STATS_TZ}, 'YYYY-MM')`
          : group === "district"
            ? sql`COALESCE(d.code, 'city')`
            : sql`'total'`
      } AS key,
        ${group === "district" ? sql`COALESCE(d.name, '市级及未定位')` : sql`NULL`} AS label,
        count(*)::int AS caught,
        count(*) FILTER (WHERE m.state = 'ticketed')::int AS ticketed,
        count(m.triaged_at)::int AS triaged,
        round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM m.triaged_at - m.fetched_at) / 60)
          FILTER (WHERE m.triaged_at IS NOT NULL))::numeric, 0)::int AS median
      FROM monitor_items m ${group === "district" ? sql`LEFT JOIN districts d ON d.id = m.district_id` : sql``}
      WHERE m.is_head AND m.fetched_at >= ${from}::timestamptz AND m.fetched_at < ${to}::timestamptz
      GROUP BY 1${group === "district" ? sql`, 2` : sql``} ORDER BY 1`,
    );
  const [months, districts, total] = await Promise.all([q("month"), q("district"), q("total")]);
  const toRaw = (r: (typeof months)[number], label: string): Raw => ({
    key: String(r.key),
    label,
    caught: Number(r.caught),
    ticketed: Number(r.ticketed),
    triaged: Number(r.triaged),
    median: r.median === null ? null : Number(r.median),
  });
  const totalRaw = total[0]
    ? toRaw(total[0], "合计")
    : { key: "total", label: "合计", caught: 0, ticketed: 0, triaged: 0, median: null };
  return {
    year: opts.year,
    total: publish([totalRaw], opts.publicView)[0],
    months: publish(
      months.map((r) => toRaw(r, `${Number(String(r.key).slice(5))} 月`)),
      opts.publicView,
    ),
    districts: publish(
      districts.map((r) => toRaw(r, String(r.label))),
      opts.publicView,
    ),
  };
}
