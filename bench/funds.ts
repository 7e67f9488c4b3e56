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
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { sql } from "drizzle-orm";

const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const ROWS = arg("rows", 1_000_000);
const REQUESTS = arg("requests", 200);
const KEEP = args.includes("--keep");
const DB_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/sunshine_bench_a";

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const fmt = (n: number) => n.toFixed(1);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

async function prepare() {
  const { createServerDatabase } = await import("../test/support/db");
  const { openDatabase, rows } = await import("../db/client");
  const { migrate } = await import("../db/migrate");
  const { seedReference } = await import("../seed");
  const url = new URL(DB_URL);
  const admin = `${url.protocol}//${url.username}@${url.host}/postgres`;
  const name = url.pathname.slice(1);
  const database = await openDatabase({ url: DB_URL }).catch(() => null);
  let existing = 0;
  if (database) {
    try {
      const [r] = await rows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM fund_allocations`);
      existing = Number(r.n);
    } catch {}
    await database.close();
  }
  if (KEEP && existing === ROWS) {
    console.log(`reusing ${existing} allocations in ${name}`);
    return;
  }
  await createServerDatabase(admin, name);
  const db = await openDatabase({ url: DB_URL });
  await migrate(db);
  await seedReference(db.db);
  const t0 = Date.now();
  // Every place: district level, town level and village level rows, in a fixed order.
  await db.exec(`
    CREATE TEMP TABLE bench_places AS
      SELECT row_number() OVER (ORDER BY district_id, town_id NULLS FIRST, village_id NULLS FIRST) - 1 AS i, * FROM (
        SELECT d.id AS district_id, NULL::int AS town_id, NULL::int AS village_id FROM districts d
        UNION ALL SELECT t.district_id, t.id, NULL FROM towns t
        UNION ALL SELECT t.district_id, t.id, v.id FROM villages v JOIN towns t ON t.id = v.town_id) p;
    CREATE TEMP TABLE bench_cats AS SELECT row_number() OVER (ORDER BY sort) - 1 AS i, code FROM categories;
    INSERT INTO fund_allocations (year, level, fund_name, doc_number, district_id, town_id, village_id, category_code,
        amount, purpose, published_on)
      SELECT 2018 + (g % 8),
        (ARRAY['central','provincial','city','county'])[1 + (g / 8) % 4],
        (ARRAY['中央财政专项扶贫资金','省级财政专项扶贫资金','市级财政专项扶贫资金','县级财政专项扶贫资金'])[1 + (g / 8) % 4],
        '淄财农〔' || (2018 + (g % 8)) || '〕' || (1 + g % 97) || '号',
        p.district_id, p.town_id, p.village_id, c.code,
        ((g::bigint * 7919) % 50000000) / 100.0 + 1000,
        '基准测试用途 ' || (g % 1000),
        make_date(2018 + (g % 8), 1 + (g / 32) % 12, 1 + (g / 7) % 28)
      FROM generate_series(1, ${ROWS}) g
      JOIN bench_places p ON p.i = g % (SELECT count(*) FROM bench_places)
      JOIN bench_cats c ON c.i = (g / 3) % (SELECT count(*) FROM bench_cats);
  `);
  console.log(`generated ${ROWS} allocations in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const t1 = Date.now();
  await db.exec("VACUUM ANALYZE fund_allocations");
  console.log(`VACUUM ANALYZE in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  await db.close();
}

async function startServer(port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      "const m = await import('tsx/esm/api'); m.register(); await import('./scripts/serve.ts');",
    ],
    {
      env: {
        ...process.env,
        DATABASE_URL: DB_URL,
        PORT: String(port),
        HOST: "127.0.0.1",
        NODE_ENV: "production",
        SEED_DEMO: "false",
        LOG_LEVEL: "warn",
        SWEEP_INTERVAL_SECONDS: "0",
        SUNSHINE_ENCRYPTION_KEY: "c".repeat(64),
        SUNSHINE_HMAC_KEY: "d".repeat(64),
      },
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  for (let i = 0; i < 120; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (r.ok) return child;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill();
  throw new Error("server did not start");
}

async function timeRequests(base: string, label: string, paths: string[]) {
  // Warm-up (JIT, connection pool, caches), then the measured run.
  for (const p of paths.slice(0, 10)) await (await fetch(base + p)).arrayBuffer();
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const p = paths[i % paths.length];
    const t = performance.now();
    const r = await fetch(base + p);
    await r.arrayBuffer();
    times.push(performance.now() - t);
    if (r.status !== 200) throw new Error(`${p} → ${r.status}`);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(58)} p50 ${fmt(percentile(times, 50)).padStart(6)} ms   p95 ${fmt(percentile(times, 95)).padStart(6)} ms   (n=${REQUESTS})`,
  );
  return percentile(times, 95);
}

function rssKb(pid: number, field: "VmRSS" | "VmHWM") {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : 0;
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
const port = await freePort();
const server = await startServer(port);
{
  // The server applied any pending migration (e.g. the rollup) on start; refresh statistics.
  const { openDatabase } = await import("../db/client");
  const d = await openDatabase({ url: DB_URL, poolMax: 1 });
  await d.exec("VACUUM ANALYZE fund_allocations");
  await d.exec("ANALYZE fund_rollup");
  await d.close();
}
const base = `http://127.0.0.1:${port}`;
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
