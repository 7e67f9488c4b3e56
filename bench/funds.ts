// Fund transparency benchmark, on the PostgreSQL server:
//   1. a database of its own (sunshine_bench_a by default) with 1,000,000 allocations across every
//      district, town and village, 8 years, 4 levels and 13 categories (generated in SQL);
//   2. the real built server (Astro + API, scripts/serve.ts) in a separate process on that database;
//   3. p50/p95 over HTTP of: GET /api/funds/summary?groupBy=district&year=…, a filtered page of
//      GET /api/funds, and the /funds page rendered server-side (filtered and unfiltered);
//   4. GET /api/funds/export.csv of all rows: rows/s and the server's RSS growth (VmRSS sampled, VmHWM);
//   5. EXPLAIN (ANALYZE, BUFFERS) of the two main queries, with the indexes they use.
// Usage: npx tsx bench/funds.ts [--rows 1000000] [--requests 200] [--keep]  (needs a build: npm run build)
// Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/sunshine_bench_a), SUNSHINE_BUILD_DIR.
import { sql } from "drizzle-orm";
import { generateAllocations } from "./corpus/allocations";
import { countInDatabase, databaseName, freshReferenceDatabase } from "./corpus/database";
import { fmt, numberArg, rssKb, timeSequential } from "./measure";
import { startBenchServer } from "./server";

const ROWS = numberArg("rows", 1_000_000);
const REQUESTS = numberArg("requests", 200);
const KEEP = process.argv.includes("--keep");
const DB_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/sunshine_bench_a";

async function prepare() {
  const existing = await countInDatabase(DB_URL, sql`SELECT count(*)::int AS n FROM fund_allocations`);
  if (KEEP && existing === ROWS) {
    console.log(`reusing ${existing} allocations in ${databaseName(DB_URL)}`);
    return;
  }
  const db = await freshReferenceDatabase(DB_URL);
  const t0 = Date.now();
  await generateAllocations(db, ROWS, 1000);
  console.log(`generated ${ROWS} allocations in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const t1 = Date.now();
  await db.exec("VACUUM ANALYZE fund_allocations");
  console.log(`VACUUM ANALYZE in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  await db.close();
}

async function timeRequests(base: string, label: string, paths: string[]) {
  // Warm-up (JIT, connection pool, caches), then the measured run.
  for (const p of paths.slice(0, 10)) await (await fetch(base + p)).arrayBuffer();
  return timeSequential(label, 58, REQUESTS, (i) => [base + paths[i % paths.length]]);
}

async function exportAll(base: string, pid: number) {
  const before = rssKb(pid, "VmRSS");
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssKb(pid, "VmRSS"));
  }, 50);
  const t = performance.now();
  const r = await fetch(`${base}/api/funds/export.csv`);
  const reader = r.body!.getReader();
  let bytes = 0;
  let lines = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    for (let i = 0; i < value.length; i++) if (value[i] === 10) lines++;
  }
  const secs = (performance.now() - t) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, rssKb(pid, "VmRSS"));
  const rowsOut = lines - 1;
  console.log(
    `CSV export of all rows: ${rowsOut} rows, ${(bytes / 1048576).toFixed(0)} MB in ${secs.toFixed(1)} s = ${Math.round(rowsOut / secs)} rows/s; ` +
      `server RSS ${Math.round(before / 1024)} MB before, peak ${Math.round(peak / 1024)} MB (growth ${Math.round((peak - before) / 1024)} MB)`,
  );
  return { rowsOut, secs, growthMb: (peak - before) / 1024 };
}

async function explain() {
  const { openDatabase, rows } = await import("../db/client");
  const { resolveFundFilters } = await import("../domain/funds/filters");
  const { listAllocations, summarizeAllocations } = await import("../domain/funds/allocations");
  const database = await openDatabase({ url: DB_URL, poolMax: 2 });
  const plans: string[] = [];
  // Run the domain's own queries, each prefixed with EXPLAIN: the plans are of exactly what the API runs.
  const explaining = new Proxy(database.db, {
    get(target, prop, receiver) {
      if (prop === "execute") {
        return async (q: ReturnType<typeof sql>) => {
          const r = await rows<Record<string, string>>(target, sql`EXPLAIN (ANALYZE, BUFFERS) ${q}`);
          plans.push(r.map((x) => x["QUERY PLAN"]).join("\n"));
          return r;
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  }) as typeof database.db;
  const f1 = await resolveFundFilters(database.db, { year: 2019 });
  await summarizeAllocations(explaining, f1, "district");
  console.log("\n── EXPLAIN: GET /api/funds/summary?groupBy=district&year=2019");
  console.log(plans.pop());
  const f2 = await resolveFundFilters(database.db, { year: 2018, district: "高青县" });
  await listAllocations(explaining, f2, { page: 1, pageSize: 50, sort: "-published" });
  console.log("\n── EXPLAIN: GET /api/funds?year=2018&district=高青县 (count + sum, then the page)");
  console.log(plans.join("\n\n"));
  const idx = await rows<{ indexdef: string }>(
    database.db,
    sql`SELECT indexdef FROM pg_indexes WHERE tablename = 'fund_allocations' ORDER BY indexname`,
  );
  console.log("\n── indexes on fund_allocations");
  for (const i of idx) console.log(`  ${i.indexdef}`);
  await database.close();
}

await prepare();
const { base, child: server } = await startBenchServer(
  DB_URL,
  { SUNSHINE_ENCRYPTION_KEY: "c".repeat(64), SUNSHINE_HMAC_KEY: "d".repeat(64) },
  60_000,
);
{
  // The server applied any pending migration (e.g. the rollup) on start; refresh statistics.
  const { openDatabase } = await import("../db/client");
  const d = await openDatabase({ url: DB_URL, poolMax: 1 });
  await d.exec("VACUUM ANALYZE fund_allocations");
  await d.exec("ANALYZE fund_rollup");
  await d.close();
}
try {
  const districts = [
    "高青县",
    "沂源县",
    "淄川区",
    "博山区",
    "张店区",
    "临淄区",
    "周村区",
    "桓台县",
    "高新区",
    "经济开发区",
  ];
  const years = [2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025];
  const e = encodeURIComponent;
  console.log(
    `\n${ROWS} allocations; ${REQUESTS} sequential requests per figure over HTTP (shared 2-core machine: figures are noisy)\n`,
  );
  const r1 = await timeRequests(
    base,
    "GET /api/funds/summary?groupBy=district&year=Y",
    years.map((y) => `/api/funds/summary?groupBy=district&year=${y}`),
  );
  const r2 = await timeRequests(
    base,
    "GET /api/funds?year=Y&district=D (page 1, 50 rows, total+sum)",
    districts.flatMap((d, i) => [`/api/funds?year=${years[i % 8]}&district=${e(d)}`]),
  );
  await timeRequests(base, "GET /api/funds?district=D&town=T&sort=-amount&page=3", [
    "/api/funds?district=" + e("高青县") + "&town=" + e("常家镇") + "&sort=-amount&page=3",
    "/api/funds?district=" + e("沂源县") + "&town=" + e("鲁村镇") + "&sort=-amount&page=3",
  ]);
  const r3 = await timeRequests(
    base,
    "GET /funds?year=Y&district=D (SSR page)",
    districts.map((d, i) => `/funds?year=${years[i % 8]}&district=${e(d)}`),
  );
  const r4 = await timeRequests(base, "GET /funds (SSR page, no filter: all 1M rows)", ["/funds"]);
  const exp = await exportAll(base, server.pid!);
  console.log(
    `\ntargets: summary p95 ${fmt(r1)} < 50 ms ${r1 < 50 ? "✓" : "✗"} · page p95 ${fmt(r2)} < 30 ms ${r2 < 30 ? "✓" : "✗"} · /funds p95 ${fmt(r3)} (filtered) / ${fmt(r4)} (unfiltered) < 100 ms ${r3 < 100 && r4 < 100 ? "✓" : "✗"} · export growth ${Math.round(exp.growthMb)} MB < 100 MB ${exp.growthMb < 100 ? "✓" : "✗"}`,
  );
} finally {
  server.kill("SIGTERM");
}
await explain();
process.exit(0);
