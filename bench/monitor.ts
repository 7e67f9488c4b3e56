// Online-opinion monitoring benchmark, three figures:
//   1. one full fetch round of 200 sources × 50 entries served by a local feed server (fetch, decode,
//      parse, match, group, record, health lines) — and the second round, when every feed answers 304;
//   2. matching and near-duplicate grouping of 100,000 items in memory (jieba segmentation, watch-list,
//      SimHash, candidate keys);
//   3. the data of /console/monitor (queue page, overdue count, filter options, roster) with 100,000
//      caught items: p50/p95 over BENCH_REQUESTS requests with varied filters.
//
//   createdb -h 127.0.0.1 -U postgres -E UTF8 --lc-collate=C.UTF-8 --lc-ctype=C.UTF-8 -T template0 sunshine_monitor_bench
//   flock /tmp/sunshine-bench.lock npx tsx bench/monitor.ts
//
// BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/sunshine_monitor_bench; part 1 empties
// its monitor tables first), BENCH_SOURCES (200), BENCH_ENTRIES (50), BENCH_ITEMS (100000),
// BENCH_REQUESTS (400). Part 3 tops the items up to BENCH_ITEMS and keeps them, so BENCH_PARTS=3 on the
// same database measures the queue again without rebuilding anything.
import { createServer } from "node:http";
import { sql } from "drizzle-orm";
import { openDatabase, rows, setDatabase } from "../db/client";
import { migrate } from "../db/migrate";
import { runMonitorRound } from "../domain/monitor/fetcher";
import { isRelevant, loadWatchList, matchText } from "../domain/monitor/matching";
import { monitorQueue, overdueCount, parseQueueFilters, queueFilterOptions } from "../domain/monitor/queue";
import { dutyRoster } from "../domain/monitor/roster";
import { parseAllowList } from "../domain/monitor/safety";
import { NearDuplicateGrouper, simhash } from "../domain/monitor/simhash";
import { seedReference } from "../seed/reference";

const url = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/sunshine_monitor_bench";
const SOURCES = Number(process.env.BENCH_SOURCES ?? 200);
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 50);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 100_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 400);
/** Which of the three parts to run (BENCH_PARTS=1,3), all by default. */
const PARTS = new Set((process.env.BENCH_PARTS ?? "1,2,3").split(",").map(Number));
const tty = process.stdout.isTTY;
const progress = (s: string) => {
  if (tty) process.stdout.write(`\r${s}\x1b[K`);
};

const database = await openDatabase({ url, poolMax: 10 });
setDatabase(database);
const { db } = database;
await migrate(database);
await seedReference(db);
if (PARTS.has(1)) await db.execute(sql`TRUNCATE monitor_items, monitor_sources, monitor_duty RESTART IDENTITY CASCADE`);

// Deterministic text generator: places × campaign terms × phrasing; about a third of the entries are
// relevant, and stories recur across sources (re-posts) so grouping has work to do.
const places = (await rows<{ name: string }>(db, sql`SELECT name FROM districts UNION ALL SELECT name FROM towns`)).map(
  (r) => r.name,
);
const TERMS = ["低保", "危房改造补助", "扶贫资金", "优亲厚友", "截留", "挪用", "吃拿卡要", "形式主义"];
const OTHER = ["天气晴好", "文化节开幕", "道路施工", "学校招生", "体育比赛", "烧烤节", "旅游推介", "交通管制"];
let seed = 42;
const rnd = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
};
function entryText(i: number): { title: string; text: string } {
  const story = i % 997; // recurring stories
  const place = places[story % places.length];
  if (i % 3 === 0) {
    const term = TERMS[story % TERMS.length];
    const title = `${place}群众反映${term}问题（${story}号线索）`;
    const text = `${rnd(2) ? "转载：" : ""}网友反映${place}某村在${term}方面存在问题，涉及${(story % 50) + 2}户群众，第${story}号线索称相关人员${TERMS[(story + 3) % TERMS.length]}，希望有关部门调查处理。`;
    return { title, text };
  }
  const other = OTHER[i % OTHER.length];
  return {
    title: `${place}${other}（${i}）`,
    text: `${place}近日${other}，市民${rnd(100)}人参加，现场秩序良好。编号${i}。`,
  };
}

// ---- 1. full round against a local feed server -------------------------------------------------
const feed = (n: number) => {
  const items: string[] = [];
  for (let k = 0; k < ENTRIES; k++) {
    const i = n * ENTRIES + k;
    const { title, text } = entryText(i);
    items.push(`<item><title>${title}</title><link>http://127.0.0.1/e/${n}/${k}</link><guid>e-${n}-${k}</guid>
      <description>${text}</description><pubDate>Tue, 01 Dec 2026 08:00:00 +0800</pubDate></item>`);
  }
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>源 ${n}</title>${items.join("")}</channel></rss>`;
};
const bodies = Array.from({ length: SOURCES }, (_, n) => feed(n));
const server = createServer((req, res) => {
  const n = Number((req.url ?? "").match(/^\/feed\/(\d+)\.xml$/)?.[1] ?? -1);
  if (!(n >= 0 && n < SOURCES)) return void res.writeHead(404).end();
  const etag = `"v1-${n}"`;
  if (req.headers["if-none-match"] === etag) return void res.writeHead(304, { etag }).end();
  res.writeHead(200, { "content-type": "application/rss+xml; charset=utf-8", etag }).end(bodies[n]);
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const port = (server.address() as { port: number }).port;
if (PARTS.has(1)) {
  await db.execute(sql`INSERT INTO monitor_sources (name, url, kind)
  SELECT '基准来源 ' || n, 'http://127.0.0.1:' || ${port} || '/feed/' || n || '.xml', 'rss' FROM generate_series(0, ${SOURCES - 1}) n`);
  const allow = parseAllowList("127.0.0.1");
  progress("round 1…");
  const round1 = await runMonitorRound(db, { all: true, allow });
  if (!round1.ran) throw new Error("round did not run (another round holds the lock?)");
  const failed = round1.sources.filter((s) => !s.ok);
  if (failed.length) throw new Error(`sources failed: ${failed[0].error}`);
  const caught1 = round1.sources.reduce((n, s) => n + s.caught, 0);
  const [{ heads }] = await rows<{ heads: number }>(
    db,
    sql`SELECT count(*) FILTER (WHERE is_head)::int AS heads FROM monitor_items`,
  );
  progress("round 2…");
  const round2 = await runMonitorRound(db, { all: true, allow });
  const caught2 = round2.sources.reduce((n, s) => n + s.caught, 0);
  progress("");
  console.log(
    `full round: ${SOURCES} sources × ${ENTRIES} entries = ${SOURCES * ENTRIES} entries in ${(round1.ms / 1000).toFixed(1)} s — ${caught1} caught, ${heads} groups`,
  );
  console.log(`second round (all 304): ${(round2.ms / 1000).toFixed(1)} s, ${caught2} new`);
}

// ---- 2. matching and grouping 100k items in memory ----------------------------------------------
if (PARTS.has(2)) {
  const list = await loadWatchList(db);
  const texts = Array.from({ length: ITEMS }, (_, i) => entryText(i + 1_000_000));
  const started = performance.now();
  const grouper = new NearDuplicateGrouper<number>();
  let relevant = 0;
  let groupsNew = 0;
  for (let i = 0; i < texts.length; i++) {
    const m = matchText(list, `${texts[i].title}\n${texts[i].text}`);
    if (!isRelevant(m)) continue;
    relevant++;
    if (grouper.add(i, simhash(m.words)) === i) groupsNew++;
    if (tty && i % 5000 === 0) progress(`matching ${i}/${ITEMS}`);
  }
  const matchMs = performance.now() - started;
  progress("");
  console.log(
    `matching + grouping: ${ITEMS} items in ${(matchMs / 1000).toFixed(1)} s (${((matchMs * 1000) / ITEMS).toFixed(0)} µs/item) — ${relevant} relevant, ${groupsNew} groups`,
  );
}

// ---- 3. /console/monitor data at 100k items ------------------------------------------------------
if (PARTS.has(3)) {
  const [{ n: have }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM monitor_items`);
  if (have < ITEMS) {
    progress("loading items…");
    // Sources to attribute the items to, when part 1 did not make them (BENCH_PARTS=3 on a fresh database).
    await db.execute(sql`INSERT INTO monitor_sources (name, url, kind)
      SELECT '基准来源 ' || n, 'http://127.0.0.1/feed/' || n || '.xml', 'rss' FROM generate_series(0, ${SOURCES - 1}) n
      WHERE NOT EXISTS (SELECT 1 FROM monitor_sources)`);
    await db.execute(sql`
    WITH s AS (SELECT array_agg(id) AS ids FROM monitor_sources),
         d AS (SELECT array_agg(id) AS ids, array_agg(name) AS names FROM districts)
    INSERT INTO monitor_items (source_id, entry_key, url, title, excerpt, snapshot, terms, places, district_id,
      simhash, simkeys, group_id, is_head, spread, state, fetched_at, triaged_at)
    SELECT s.ids[(g % array_length(s.ids, 1)) + 1], 'bulk-' || g, 'http://127.0.0.1/bulk/' || g,
      '基准舆情条目 ' || g, '基准舆情摘要 ' || g, '基准舆情快照 ' || g,
      ARRAY[(ARRAY['低保','危房改造','扶贫资金','截留','挪用','优亲厚友'])[(g % 6) + 1]],
      ARRAY[d.names[(g % array_length(d.ids, 1)) + 1]], d.ids[(g % array_length(d.ids, 1)) + 1],
      (g * 2654435761)::bigint, ARRAY[g % 1835008, (g * 7) % 1835008], 0, true, g % 7,
      (ARRAY['new','new','dismissed','known','ticketed'])[(g % 5) + 1],
      now() - (g % 300) * interval '1 day' - (g % 1440) * interval '1 minute',
      CASE WHEN g % 5 >= 2 THEN now() - (g % 300) * interval '1 day' END
    FROM generate_series(1, ${ITEMS - have}) g, s, d`);
    await db.execute(sql`UPDATE monitor_items SET group_id = id WHERE group_id = 0`);
  }
  // Visibility map and statistics as autovacuum would leave them (index-only counts, row estimates).
  await db.execute(sql`VACUUM ANALYZE monitor_items`);
  const options = await queueFilterOptions(db);
  const queries = [
    "",
    "sort=spread",
    "state=all",
    "state=overdue",
    `district=${options.districts[3].id}`,
    `term=${encodeURIComponent("低保")}`,
    `source=${options.sources[5 % options.sources.length].id}`,
    "state=dismissed&page=3",
    `state=all&district=${options.districts[1].id}&term=${encodeURIComponent("挪用")}&sort=spread`,
  ];
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const f = parseQueueFilters(new URLSearchParams(queries[i % queries.length]));
    const t0 = performance.now();
    await Promise.all([monitorQueue(db, f), overdueCount(db), queueFilterOptions(db), dutyRoster(db)]);
    times.push(performance.now() - t0);
    if (tty && i % 20 === 0) progress(`queue ${i}/${REQUESTS}`);
  }
  progress("");
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))].toFixed(1);
  const [{ total }] = await rows<{ total: number }>(db, sql`SELECT count(*)::int AS total FROM monitor_items`);
  console.log(
    `/console/monitor data at ${total} items: p50 ${pct(50)} ms, p95 ${pct(95)} ms, max ${pct(100)} ms (${REQUESTS} requests, ${queries.length} filter mixes)`,
  );
}
if (server.listening) server.close();
await database.close();
