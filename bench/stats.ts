// Hotline statistics benchmark: GET /api/stats/hotline latency with 1,000,000 tickets on the
// PostgreSQL server, and what the rollup triggers cost a ticket write.
//
//   createdb -h 127.0.0.1 -U postgres -E UTF8 --lc-collate=C.UTF-8 --lc-ctype=C.UTF-8 -T template0 sunshine_bench_f
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/sunshine_bench_f npx tsx bench/stats.ts
//
// Loads the tickets once (bulk insert with the rollup trigger disabled, then hotline_stats_rebuild());
// later runs reuse them. Requests go through the real Hono app in process (routing, validation, domain,
// JSON), without a network hop. BENCH_TICKETS (default 1000000), BENCH_REQUESTS (default 600).
import { sql } from "drizzle-orm";
import { openDatabase, rows, setDatabase } from "../db/client";
import { migrate } from "../db/migrate";
import { seedReference } from "../seed/reference";

const url = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/sunshine_bench_f";
const TARGET = Number(process.env.BENCH_TICKETS ?? 1_000_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 600);

const database = await openDatabase({ url, poolMax: 10 });
setDatabase(database);
const { db } = database;
await migrate(database);
await seedReference(db);

const count = async () => (await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM tickets`))[0].n;
let have = await count();
if (have < TARGET) {
  const started = performance.now();
  await db.execute(sql`ALTER TABLE tickets DISABLE TRIGGER tickets_stats_insert_delete`);
  const BATCH = 100_000;
  for (let from = have + 1; from <= TARGET; from += BATCH) {
    const to = Math.min(TARGET, from + BATCH - 1);
    // Deterministic spread over the three years up to 2026-11-28, 11 districts, 13 categories. A steady
    // state: tickets older than 90 days are finished (4% not accepted, 0.2% still open and overdue, the
    // rest closed); of the last 90 days 3% wait for acceptance, 3% not accepted, 5% in handling,
    // 5% replied, 5% rated, the rest closed. Deadlines: acceptance +15 days, handling +75 days.
    await db.execute(sql`
      WITH d AS (SELECT array_agg(id ORDER BY id) AS ids, array_agg(code ORDER BY id) AS codes FROM districts),
           c AS (SELECT array_agg(code ORDER BY sort) AS codes, array_agg(lead_unit_code ORDER BY sort) AS leads FROM categories),
           h AS (SELECT id FROM units WHERE code = 'city-hotline'),
           g0 AS (
             SELECT g, (g % 11) + 1 AS di, ((g * 7) % 13) + 1 AS ci, g % 100 AS s,
               (g::bigint * 7919) % (3 * 365 * 86400) AS age_s
             FROM generate_series(${from}::int, ${to}::int) g
           ),
           g AS (
             SELECT g0.*, timestamptz '2026-11-28 00:00+08' - age_s * interval '1 second' AS rec,
               CASE WHEN age_s > 90 * 86400 THEN
                 CASE WHEN s < 4 THEN 'not_accepted' WHEN s = 4 AND g % 5 = 0 THEN 'handling' ELSE 'closed' END
               ELSE
                 CASE WHEN s < 3 THEN 'received' WHEN s < 6 THEN 'not_accepted' WHEN s < 11 THEN 'handling'
                      WHEN s < 16 THEN 'replied' WHEN s < 21 THEN 'rated' ELSE 'closed' END
               END AS st
             FROM g0
           )
      INSERT INTO tickets (number, kind, category_code, title, description, district_id, channel, status, tier, tier_reason,
        handling_level, routed_unit_id, supervising_unit_id, supervising_level, routing_reason, received_at, accept_due_on,
        handle_due_on, accepted_at, dispatched_at, replied_at, closed_at, rating, rated_at, reporter_anonymous, receipt_hash,
        body_hash, is_demo)
      SELECT 'BENCH-' || g.g, 'complaint', c.codes[g.ci], '基准测试工单', '基准测试工单内容', d.ids[g.di], 'web', g.st,
        'IV', '一般', 'district', coalesce(u.id, h.id), h.id, 'city', '基准测试', g.rec,
        (g.rec + interval '15 days')::date, (g.rec + interval '75 days')::date,
        CASE WHEN g.st NOT IN ('received', 'not_accepted') THEN g.rec + ((g.g % 20) + 1) * interval '1 day' END,
        CASE WHEN g.st NOT IN ('received', 'not_accepted') THEN g.rec + ((g.g % 20) + 2) * interval '1 day' END,
        CASE WHEN g.st IN ('replied', 'rated', 'closed') THEN g.rec + ((g.g % 80) + 5) * interval '1 day' END,
        CASE WHEN g.st = 'closed' THEN g.rec + ((g.g % 80) + 9) * interval '1 day' END,
        CASE WHEN g.st IN ('rated', 'closed') AND g.s % 3 <> 0
          THEN (ARRAY['satisfied', 'basically_satisfied', 'dissatisfied'])[(g.g % 3) + 1] END,
        CASE WHEN g.st IN ('rated', 'closed') AND g.s % 3 <> 0 THEN g.rec + ((g.g % 80) + 7) * interval '1 day' END,
        true, md5(g.g::text), md5(g.g::text), true
      FROM g CROSS JOIN d CROSS JOIN c CROSS JOIN h
      LEFT JOIN units u ON u.code = d.codes[g.di] || '-' || substr(c.leads[g.ci], 6)`);
    process.stdout.write(`  loaded ${to.toLocaleString()} tickets\r`);
  }
  await db.execute(sql`ALTER TABLE tickets ENABLE TRIGGER tickets_stats_insert_delete`);
  const rebuilt = performance.now();
  await db.execute(sql`SELECT hotline_stats_rebuild()`);
  await db.execute(sql`VACUUM ANALYZE tickets`);
  await db.execute(sql`ANALYZE hotline_stats_monthly`);
  console.log(
    `\nloaded ${(TARGET - have).toLocaleString()} tickets in ${((performance.now() - started) / 1000).toFixed(1)} s (rollup rebuild ${((performance.now() - rebuilt) / 1000).toFixed(1)} s)`,
  );
  have = await count();
}
const [{ n: rollupRows }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM hotline_stats_monthly`);
const [{ open, overdue }] = await rows<{ open: number; overdue: number }>(
  db,
  sql`SELECT count(*)::int AS open, count(*) FILTER (WHERE (CASE WHEN status = 'received' THEN accept_due_on ELSE handle_due_on END) < (now() AT TIME ZONE 'Asia/Shanghai')::date)::int AS overdue
    FROM tickets WHERE status NOT IN ('not_accepted', 'closed', 'merged', 'replied', 'rated')`,
);
console.log(
  `tickets: ${have.toLocaleString()} (unfinished ${open.toLocaleString()}, overdue now ${overdue.toLocaleString()}); rollup rows: ${rollupRows.toLocaleString()}`,
);

const { app } = await import("../api/app");
const districts = (await rows<{ code: string }>(db, sql`SELECT code FROM districts ORDER BY id`)).map((d) => d.code);
const categories = (await rows<{ code: string }>(db, sql`SELECT code FROM categories ORDER BY sort`)).map(
  (c) => c.code,
);
let seed = 42;
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % n;
};
function query(): string {
  const p = new URLSearchParams();
  const y = rand(5);
  if (y > 0) p.set("year", String(2022 + y));
  if (rand(2)) p.set("district", districts[rand(districts.length)]);
  if (rand(3) === 0) p.set("category", categories[rand(categories.length)]);
  return `/api/stats/hotline?${p}`;
}
const pct = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))];

for (let i = 0; i < 30; i++) await app.request(query()); // warm-up
const times: number[] = [];
for (let i = 0; i < REQUESTS; i++) {
  const q = query();
  const t0 = performance.now();
  const res = await app.request(q);
  await res.arrayBuffer();
  times.push(performance.now() - t0);
  if (res.status !== 200) throw new Error(`${q}: ${res.status}`);
}
times.sort((a, b) => a - b);
console.log(
  `GET /api/stats/hotline (${REQUESTS} requests, mixed year/district/category filters): p50 ${pct(times, 0.5).toFixed(1)} ms, p95 ${pct(times, 0.95).toFixed(1)} ms, p99 ${pct(times, 0.99).toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms`,
);

// For comparison: the same totals straight from tickets (what the rollup saves).
{
  const t0 = performance.now();
  await db.execute(sql`SELECT count(*), count(accepted_at), count(*) FILTER (WHERE status = 'closed') FROM tickets
    WHERE received_at >= '2025-01-01T00:00:00+08:00' AND received_at < '2026-01-01T00:00:00+08:00'`);
  console.log(`one year's totals scanned from tickets instead: ${(performance.now() - t0).toFixed(0)} ms`);
}

// What the triggers cost a ticket write: 500 single-row status updates with and without them.
async function updates(label: string) {
  const ids = (
    await rows<{ id: number }>(db, sql`SELECT id FROM tickets WHERE status = 'handling' ORDER BY id DESC LIMIT 500`)
  ).map((r) => r.id);
  const t0 = performance.now();
  for (const id of ids) {
    await db.transaction(async (tx) => {
      await tx.execute(sql`UPDATE tickets SET status = 'replied', replied_at = now() WHERE id = ${id}`);
    });
  }
  const per = (performance.now() - t0) / ids.length;
  await db.execute(
    sql`UPDATE tickets SET status = 'handling', replied_at = NULL WHERE id IN (${sql.join(
      ids.map((i) => sql`${i}`),
      sql`, `,
    )})`,
  );
  console.log(`${label}: ${per.toFixed(2)} ms per ticket update transaction`);
}
await updates("ticket status update with the rollup trigger");
await db.execute(sql`ALTER TABLE tickets DISABLE TRIGGER tickets_stats_update`);
await updates("ticket status update without it");
await db.execute(sql`ALTER TABLE tickets ENABLE TRIGGER tickets_stats_update`);
await db.execute(sql`SELECT hotline_stats_rebuild()`);
await database.close();
