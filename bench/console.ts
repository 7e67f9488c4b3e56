// Staff console benchmark, on the PostgreSQL server, in a database of its own:
//   1. 1,000,000 tickets in filing order over 900 days (1 in 7 open, across every working status; the rest finished), with skewed,
//      independent distributions of kind, category, district, tier and channel (so every filter has
//      common and rare values), tier I–II routed to city units and III–IV to district units, 5 % about
//      a unit, phone/letter/visit/舆情 tickets recorded by 10 operators; 10,000 of the open tickets due
//      (5,000 overdue, 5,000 within 3 days), the rest due later;
//   2. the queue exactly as /console/tickets runs it (the page of 25 and the filter counts, in
//      parallel) for every role that has a queue — city and district supervisor, city- and
//      district-unit handler, city and district inspector, operator — for the default view and every
//      filter the page offers, with a common and a rare value each, deep pages and the next page
//      → p50/p95 per case;
//   3. the deadline sweep over all of it (10,000 due) → seconds; then a second sweep (must do nothing).
// Usage: npx tsx bench/console.ts [--tickets 1000000] [--runs 30] [--reload] [--sweep-only] [--only <text>]
//   (--only: run the cases whose "who | view" contains <text>)
// Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/sunshine_bench_e).
// Run it under the shared lock on a shared machine: flock /tmp/sunshine-bench.lock npx tsx bench/console.ts
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { openDatabase, rows } from "../db/client";
import { migrate } from "../db/migrate";
import type { StaffPrincipal } from "../domain/auth/principal";
import { principalOf } from "../domain/auth/session";
import { listQueue, parseFilters, queueCounts } from "../domain/casework/queue";
import { runSweep } from "../domain/casework/sweep";
import { chinaDate } from "../domain/hotline/deadlines";
import { seedReference } from "../seed/reference";

const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const N = arg("tickets", 1_000_000);
const RUNS = arg("runs", 30);
const ONLY = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
const DB_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/sunshine_bench_e";
const DATA_VERSION = "3"; // bump when the generated data changes (forces a reload)

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

async function user(username: string, role: string, unitCode: string) {
  await db.execute(sql`INSERT INTO users (username, display_name, role, unit_id)
    SELECT ${username}, ${username}, ${role}, id FROM units WHERE code = ${unitCode} ON CONFLICT (username) DO NOTHING`);
  const [{ id }] = await rows<{ id: number }>(db, sql`SELECT id FROM users WHERE username = ${username}`);
  return principalOf(db, id);
}
const operators: StaffPrincipal[] = [];
for (let i = 1; i <= 10; i++) operators.push(await user(`bench-jiexian-${i}`, "operator", "city-hotline"));

const today = chinaDate(new Date());
const [{ n: have }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM tickets`);
const [{ v: version }] = await rows<{ v: string | null }>(db, sql`SELECT obj_description('tickets'::regclass) AS v`);
if (have < N || version !== `bench data ${DATA_VERSION}`) {
  const t0 = Date.now();
  console.log(`loading ${N.toLocaleString()} tickets …`);
  // A weighted pick from a uniform hash h in [0, 1): CASE WHEN h < c1 THEN v1 … END.
  const pick = (h: string, choices: [string, number][]) => {
    const sum = choices.reduce((a, [, w]) => a + w, 0);
    let acc = 0;
    const whens = choices.slice(0, -1).map(([v, w]) => {
      acc += w / sum;
      return `WHEN ${h} < ${acc.toFixed(6)} THEN ${v}`;
    });
    return `CASE ${whens.join(" ")} ELSE ${choices[choices.length - 1][0]} END`;
  };
  const q = (s: string) => `'${s}'`;
  const districtIds = await rows<{ id: number; code: string }>(db, sql`SELECT id, code FROM districts`);
  const districtWeight: Record<string, number> = {
    zhangdian: 15,
    zichuan: 13,
    boshan: 9,
    linzi: 13,
    zhoucun: 9,
    huantai: 9,
    gaoqing: 8,
    yiyuan: 10,
    gaoxin: 6,
    jingkai: 5,
    wenchanghu: 0.5,
  };
  const h = (salt: number) => `bench_h(g, ${salt})`;
  const open = "g % 7 = 0";
  // Among open tickets (g = 7k), k permuted: the first 5,000 overdue, the next 5,000 due within 3 days.
  const dueRank = "((g / 7)::bigint * 7919 % 142857)";
  const due = `CASE WHEN ${open} AND ${dueRank} < 5000 THEN DATE '${today}' - 1 - (g % 10)
       WHEN ${open} AND ${dueRank} < 10000 THEN DATE '${today}' + (g % 4)
       WHEN ${open} THEN DATE '${today}' + 5 + (g % 55)
       ELSE DATE '${today}' - 30 - (g % 800) END`;
  await database.exec(`
    TRUNCATE tickets RESTART IDENTITY CASCADE;
    ALTER TABLE tickets DISABLE TRIGGER USER;
    CREATE OR REPLACE FUNCTION bench_h(g integer, salt integer) RETURNS float8 LANGUAGE sql IMMUTABLE AS
      $$ SELECT ('x' || substr(md5(g::text || ':' || salt), 1, 8))::bit(32)::bigint / 4294967296.0 $$;
    DROP TABLE IF EXISTS bench_combos;
    CREATE TABLE bench_combos AS
      SELECT d.id AS district_id, c.code AS category_code,
             COALESCE(u.id, (SELECT id FROM units WHERE code = c.lead_unit_code)) AS unit_id,
             (SELECT id FROM units WHERE code = c.lead_unit_code) AS city_unit_id,
             (SELECT id FROM units WHERE code = d.code || '-fpb') AS sup_id,
             (SELECT id FROM units WHERE code = 'city-fpb') AS city_sup_id,
             (SELECT id FROM units WHERE code = d.code || '-housing') AS about_id
      FROM districts d CROSS JOIN categories c
      LEFT JOIN units u ON u.code = d.code || '-' || CASE WHEN c.code = 'misconduct' THEN 'discipline' ELSE replace(c.lead_unit_code, 'city-', '') END;
  `);
  const CHUNK = 100_000;
  for (let start = 0; start < N; start += CHUNK) {
    const end = Math.min(N, start + CHUNK);
    await database.exec(`
      INSERT INTO tickets (number, kind, category_code, title, description, district_id, subject_unit_id, channel, status,
        tier, tier_reason, handling_level, routed_unit_id, supervising_unit_id, supervising_level, routing_reason,
        received_at, accept_due_on, handle_due_on, reporter_anonymous, receipt_hash, body_hash, accepted_at,
        dispatched_at, closed_at, operator_id)
      SELECT 'ZB-B-' || lpad(x.g::text, 7, '0'), x.kind, x.category_code, '基准工单 ' || x.g,
        '基准测试内容：补助发放与项目质量问题。', x.district_id,
        CASE WHEN bench_h(x.g, 9) < 0.05 THEN c.about_id END,
        x.channel, x.status, x.tier, '基准', CASE WHEN x.tier IN ('I', 'II') THEN 'city' ELSE 'district' END,
        CASE WHEN x.tier IN ('I', 'II') THEN c.city_unit_id ELSE c.unit_id END,
        CASE WHEN x.tier IN ('I', 'II') THEN c.city_sup_id ELSE c.sup_id END,
        CASE WHEN x.tier IN ('I', 'II') THEN 'city' ELSE 'district' END, '基准',
        now() - ((${N} - x.g) * 900.0 / ${N} || ' days')::interval, x.due, x.due,
        x.g % 3 <> 0, md5(x.g::text), md5(x.g::text),
        CASE WHEN x.status NOT IN ('received', 'not_accepted') THEN now() END,
        CASE WHEN x.status NOT IN ('received', 'accepted', 'not_accepted') THEN now() END,
        CASE WHEN x.status = 'closed' THEN now() END,
        CASE WHEN x.channel IN ('phone', 'letter', 'visit', 'media') THEN
          (ARRAY[${operators.map((o) => o.userId).join(",")}])[1 + floor(bench_h(x.g, 11) * ${operators.length})::int] END
      FROM (
        SELECT g,
          ${pick(h(1), [
            [q("complaint"), 45],
            [q("report"), 30],
            [q("opinion"), 15],
            [q("inquiry"), 9.7],
            [q("objection"), 0.3],
          ])} AS kind,
          ${pick(h(2), [
            [q("industry"), 15],
            [q("employment"), 10],
            [q("health"), 12],
            [q("education"), 10],
            [q("housing"), 15],
            [q("social_security"), 14],
            [q("disability"), 5],
            [q("infrastructure"), 8],
            [q("identification"), 4],
            [q("fund_management"), 3],
            [q("misconduct"), 3],
            [q("other"), 0.7],
            [q("microfinance"), 0.3],
          ])} AS category_code,
          ${pick(
            h(3),
            districtIds.map((d) => [String(d.id), districtWeight[d.code] ?? 5]),
          )} AS district_id,
          ${pick(h(4), [
            [q("IV"), 60],
            [q("III"), 30],
            [q("II"), 9.5],
            [q("I"), 0.5],
          ])} AS tier,
          ${pick(h(5), [
            [q("web"), 40],
            [q("phone"), 25],
            [q("api"), 10],
            [q("open311"), 8],
            [q("letter"), 8],
            [q("visit"), 8.7],
            [q("media"), 0.3],
          ])} AS channel,
          CASE WHEN ${open} THEN ${pick(h(6), [
            [q("received"), 20],
            [q("accepted"), 10],
            [q("dispatched"), 25],
            [q("handling"), 32],
            [q("replied"), 8],
            [q("rated"), 4],
            [q("reopened"), 0.7],
            [q("returned"), 0.3],
          ])} ELSE ${pick(h(7), [
            [q("closed"), 80],
            [q("not_accepted"), 12],
            [q("merged"), 8],
          ])} END AS status,
          ${due} AS due
        FROM generate_series(${start + 1}, ${end}) g
      ) x JOIN bench_combos c ON c.district_id = x.district_id AND c.category_code = x.category_code
      ORDER BY x.g;
    `);
    process.stdout.write(`  ${end.toLocaleString()}\r`);
  }
  await database.exec("ALTER TABLE tickets ENABLE TRIGGER USER");
  await database.exec("TRUNCATE ticket_sweep_marks, notification_outbox");
  await database.exec(`COMMENT ON TABLE tickets IS 'bench data ${DATA_VERSION}'`);
  await database.exec("VACUUM ANALYZE tickets");
  console.log(`loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

// (Also after an interrupted load.)
await database.exec("ALTER TABLE tickets ENABLE TRIGGER USER");
await database.exec("VACUUM ANALYZE tickets");

const who: Record<string, StaffPrincipal> = {
  "city supervisor": await user("bench-duban", "supervisor", "city-hotline"),
  "district supervisor": await user("bench-duban-gq", "supervisor", "gaoqing-fpb"),
  "handler (district unit)": await user("bench-handler", "handler", "gaoqing-housing"),
  "handler (city unit)": await user("bench-handler-city", "handler", "city-housing"),
  "city inspector": await user("bench-jijian", "inspector", "city-discipline"),
  "district inspector": await user("bench-jijian-gq", "inspector", "gaoqing-discipline"),
  operator: operators[0],
};
const id = async (table: "districts" | "units", code: string) =>
  (await rows<{ id: number }>(db, sql`SELECT id FROM ${sql.identifier(table)} WHERE code = ${code}`))[0].id;
const gaoqing = await id("districts", "gaoqing");
const wenchanghu = await id("districts", "wenchanghu");
const unitCommon = await id("units", "gaoqing-housing");
const unitRare = await id("units", "city-jinrong");
// Every filter the page offers, a common and a rare (often empty in a scope) value each.
const views: [string, string][] = [
  ["default (open, by urgency)", ""],
  ["status received", "status=received"],
  ["status returned (rare)", "status=returned"],
  ["status closed (finished)", "status=closed"],
  ["status all", "status=all"],
  ["kind complaint", "kind=complaint"],
  ["kind objection (rare)", "kind=objection"],
  ["category housing", "category=housing"],
  ["category microfinance (rare)", "category=microfinance"],
  ["category misconduct", "category=misconduct"],
  ["tier IV", "tier=IV"],
  ["tier I (rare)", "tier=I"],
  ["district 高青", `district=${gaoqing}`],
  ["district 文昌湖 (rare)", `district=${wenchanghu}`],
  ["unit 高青住建", `unit=${unitCommon}`],
  ["unit 市金融 (rare)", `unit=${unitRare}`],
  ["channel web", "channel=web"],
  ["channel media (rare)", "channel=media"],
  ["due within 3 days", "due=3"],
  ["due within 30 days", "due=30"],
  ["overdue", "overdue=1"],
  ["overdue + category housing", "overdue=1&category=housing"],
  ["district + tier III + channel phone", `district=${gaoqing}&tier=III&channel=phone`],
  ["page 5", "page=5"],
  ["page 40", "page=40"],
];

const pct = (s: number[], p: number) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
const summary: { name: string; label: string; p95: number }[] = [];
if (!args.includes("--sweep-only")) {
  console.log(`\nqueue (page of 25 + filter counts in parallel, as the page runs them), ${RUNS} runs each, ms:`);
  console.log("who | view | p50 | p95 | max | rows on page | total");
  for (const [name, principal] of Object.entries(who)) {
    for (const [label, qs] of views) {
      if (ONLY && !`${name} | ${label}`.includes(ONLY)) continue;
      const f = parseFilters(new URLSearchParams(qs));
      const times: number[] = [];
      let page = 0;
      let total = "";
      for (let i = 0; i < RUNS + 3; i++) {
        const t = performance.now();
        const [q, c] = await Promise.all([listQueue(db, principal, f), queueCounts(db, principal, f)]);
        if (i >= 3) times.push(performance.now() - t);
        page = q.items.length;
        total = `${c.total}${c.totalCapped ? "+" : ""}`;
      }
      times.sort((a, b) => a - b);
      const p95 = pct(times, 95);
      summary.push({ name, label, p95 });
      console.log(
        `${name} | ${label} | ${pct(times, 50).toFixed(1)} | ${p95.toFixed(1)} | ${times[times.length - 1].toFixed(1)} | ${page} | ${total}`,
      );
    }
  }
  const worst = [...summary].sort((a, b) => b.p95 - a.p95).slice(0, 5);
  console.log(
    `\nworst p95: ${worst.map((w) => `${w.name} / ${w.label} ${w.p95.toFixed(1)} ms`).join("; ")}; ` +
      `${summary.filter((s) => s.p95 >= 50).length} of ${summary.length} cases ≥ 50 ms`,
  );
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
