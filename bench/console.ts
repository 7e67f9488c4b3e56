// Staff console benchmark (issue #5), on the PostgreSQL server, in a database of its own:
//   1. 1,000,000 tickets (≈85 % finished, the rest open across every working status), 10,000 of the
//      open ones due (5,000 overdue, 5,000 due within 3 days), the rest due later;
//   2. the queue (page + counts, as /console/tickets runs them) for a city supervisor, a district
//      supervisor, a handler and a discipline inspector: default view and common filters → p50/p95;
//   3. the deadline sweep over all of it (10,000 due) → seconds; then a second sweep (must do nothing).
// Usage: npx tsx bench/console.ts [--tickets 1000000] [--runs 40] [--reload] [--sweep-only]
// Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/sunshine_bench_e).
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { openDatabase, rows } from "../db/client";
import { migrate } from "../db/migrate";
import { seedReference } from "../db/seed/reference";
import { principalOf } from "../domain/auth/session";
import { listQueue, parseFilters, queueCounts } from "../domain/casework/queue";
import { runSweep } from "../domain/casework/sweep";
import { chinaDate } from "../domain/hotline/deadlines";

const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const N = arg("tickets", 1_000_000);
const RUNS = arg("runs", 40);
const DB_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/sunshine_bench_e";

const admin = postgres(DB_URL.replace(/\/[^/]+$/, "/postgres"), { max: 1, onnotice: () => {} });
const dbName = new URL(DB_URL).pathname.slice(1);
const exists = await admin`SELECT 1 FROM pg_database WHERE datname = ${dbName}`;
if (exists.length === 0 || args.includes("--reload")) {
  await admin.unsafe(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.unsafe(
    `CREATE DATABASE "${dbName}" ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0`,
  );
}
await admin.end();

const database = await openDatabase({ url: DB_URL, poolMax: 4 });
const { db } = database;
await migrate(database);
await seedReference(db);

const today = chinaDate(new Date());
const [{ n: have }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM tickets`);
if (have < N) {
  const t0 = Date.now();
  console.log(`loading ${N.toLocaleString()} tickets …`);
  await database.exec(`
    TRUNCATE tickets RESTART IDENTITY CASCADE;
    ALTER TABLE tickets DISABLE TRIGGER USER;
    CREATE TEMP TABLE combos AS
      SELECT row_number() OVER (ORDER BY d.id, c.code) - 1 AS k, d.id AS district_id, c.code AS category_code,
             COALESCE(u.id, (SELECT id FROM units WHERE code = c.lead_unit_code)) AS unit_id,
             (SELECT id FROM units WHERE code = d.code || '-fpb') AS sup_id
      FROM districts d CROSS JOIN categories c
      LEFT JOIN units u ON u.code = d.code || '-' || CASE WHEN c.code = 'misconduct' THEN 'discipline' ELSE replace(c.lead_unit_code, 'city-', '') END;
  `);
  const [{ combos }] = await rows<{ combos: number }>(db, sql`SELECT count(*)::int AS combos FROM combos`);
  const CHUNK = 100_000;
  for (let start = 0; start < N; start += CHUNK) {
    const end = Math.min(N, start + CHUNK);
    // Open tickets: every 7th (≈14 %). Of those, the first 10,000 are due (half overdue, half within 3 days).
    await database.exec(`
      INSERT INTO tickets (number, kind, category_code, title, description, district_id, channel, status, tier, tier_reason,
        handling_level, routed_unit_id, supervising_unit_id, supervising_level, routing_reason, received_at,
        accept_due_on, handle_due_on, reporter_anonymous, receipt_hash, body_hash, accepted_at, dispatched_at, closed_at)
      SELECT 'ZB-B-' || lpad(g::text, 7, '0'),
        (ARRAY['report','complaint','opinion','inquiry','complaint'])[1 + g % 5],
        c.category_code, '基准工单 ' || g, '基准测试内容：补助发放与项目质量问题。', c.district_id,
        (ARRAY['web','web','phone','api','letter','visit','media','open311'])[1 + g % 8],
        CASE WHEN g % 7 <> 0 THEN (ARRAY['closed','closed','closed','closed','not_accepted','merged'])[1 + (g / 7) % 6]
             ELSE (ARRAY['received','accepted','dispatched','handling','returned','replied','rated','reopened'])[1 + (g / 7) % 8] END,
        (ARRAY['IV','IV','IV','III','III','II','I'])[1 + g % 7], '基准', 'district', c.unit_id, c.sup_id, 'district', '基准',
        now() - ((g % 900) || ' days')::interval,
        CASE WHEN g % 7 = 0 AND g / 7 < 5000 THEN DATE '${today}' - 1 - (g % 10)
             WHEN g % 7 = 0 AND g / 7 < 10000 THEN DATE '${today}' + (g % 4)
             WHEN g % 7 = 0 THEN DATE '${today}' + 5 + (g % 55)
             ELSE DATE '${today}' - 30 - (g % 800) END,
        CASE WHEN g % 7 = 0 AND g / 7 < 5000 THEN DATE '${today}' - 1 - (g % 10)
             WHEN g % 7 = 0 AND g / 7 < 10000 THEN DATE '${today}' + (g % 4)
             WHEN g % 7 = 0 THEN DATE '${today}' + 5 + (g % 55)
             ELSE DATE '${today}' - 30 - (g % 800) END,
        g % 3 <> 0, md5(g::text), md5(g::text), now(), now(), CASE WHEN g % 7 <> 0 THEN now() END
      FROM generate_series(${start + 1}, ${end}) g JOIN combos c ON c.k = g % ${combos};
    `);
    process.stdout.write(`  ${end.toLocaleString()}\r`);
  }
  await database.exec("ALTER TABLE tickets ENABLE TRIGGER USER");
  await database.exec("TRUNCATE ticket_sweep_marks, notification_outbox");
  await database.exec("VACUUM ANALYZE tickets");
  console.log(`loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

// (Also after an interrupted load.)
await database.exec("ALTER TABLE tickets ENABLE TRIGGER USER");
await database.exec("ANALYZE tickets");

async function user(username: string, role: string, unitCode: string) {
  await db.execute(sql`INSERT INTO users (username, display_name, role, unit_id)
    SELECT ${username}, ${username}, ${role}, id FROM units WHERE code = ${unitCode} ON CONFLICT (username) DO NOTHING`);
  const [{ id }] = await rows<{ id: number }>(db, sql`SELECT id FROM users WHERE username = ${username}`);
  return principalOf(db, id);
}
const who = {
  "city supervisor": await user("bench-duban", "supervisor", "city-hotline"),
  "district supervisor": await user("bench-duban-gq", "supervisor", "gaoqing-fpb"),
  "handler (district unit)": await user("bench-handler", "handler", "gaoqing-housing"),
  "city inspector": await user("bench-jijian", "inspector", "city-discipline"),
};
const [{ gaoqing }] = await rows<{ gaoqing: number }>(
  db,
  sql`SELECT id AS gaoqing FROM districts WHERE code = 'gaoqing'`,
);
const views: [string, string][] = [
  ["default (open, by urgency)", ""],
  ["overdue", "overdue=1"],
  ["due within 3 days", "due=3"],
  ["tier I", "tier=I"],
  ["status handling", "status=handling"],
  ["category housing", "category=housing"],
  ["channel phone", "channel=phone"],
  ["district 高青", `district=${gaoqing}`],
  ["page 5", "page=5"],
];

const pct = (s: number[], p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
console.log(`\nqueue (page of 25 + counts, as the page runs them), ${RUNS} runs each, ms:`);
console.log("who | view | p50 | p95 | rows on page | total");
for (const [name, principal] of args.includes("--sweep-only") ? [] : Object.entries(who)) {
  for (const [label, qs] of views) {
    const f = parseFilters(new URLSearchParams(qs));
    const times: number[] = [];
    let page = 0;
    let total = 0;
    for (let i = 0; i < RUNS + 3; i++) {
      const t = performance.now();
      const [q, c] = await Promise.all([listQueue(db, principal, f), queueCounts(db, principal, f)]);
      if (i >= 3) times.push(performance.now() - t);
      page = q.items.length;
      total = c.total;
    }
    times.sort((a, b) => a - b);
    console.log(
      `${name} | ${label} | ${pct(times, 50).toFixed(1)} | ${pct(times, 95).toFixed(1)} | ${page} | ${total}`,
    );
  }
}

await database.exec(
  "TRUNCATE ticket_sweep_marks; DELETE FROM notification_outbox; UPDATE tickets SET escalated_at = NULL WHERE escalated_at IS NOT NULL;",
);
const [{ due }] = await rows<{ due: number }>(
  db,
  sql`SELECT count(*)::int AS due FROM tickets WHERE status NOT IN ('not_accepted','closed','merged') AND due_on <= ${today}::date + 3`,
);
const s1 = await runSweep(db);
const s2 = await runSweep(db);
console.log(
  `\nsweep over ${N.toLocaleString()} tickets with ${due.toLocaleString()} due: ${(s1.ms / 1000).toFixed(2)} s (${s1.escalated} escalated, ${s1.reminded} reminded, ${s1.firstResponse} first-response); second run: ${(s2.ms / 1000).toFixed(2)} s, ${s2.escalated + s2.reminded + s2.firstResponse} actions`,
);
await database.close();
