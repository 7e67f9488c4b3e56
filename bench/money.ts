// Money-to-the-household benchmark, on the PostgreSQL server:
//   1. a database of its own (sunshine_money_bench by default) with 1,000,000 allocations (as in
//      bench/funds.ts), a disbursement from every village-level allocation, 200,000 households (names
//      and ID numbers sealed and keyed-hashed exactly as the app does) and 1,000,000 household payments;
//   2. the real server (scripts/serve.ts, with a build) in a separate process on that database;
//   3. p50/p95 over HTTP of: the rendered /villages/{id} page, POST /api/payments/check (查询本人补贴)
//      and GET /api/money/progress?groupBy=district&year=Y;
//   4. an import of 100,000 household payments through the domain (importHouseholdPayments, as the
//      console and API run it): seconds and this process's RSS growth (VmRSS sampled).
// Usage: flock /tmp/sunshine-bench.lock npx tsx bench/money.ts [--allocations 1000000] [--households 200000]
//          [--payments 1000000] [--import 100000] [--requests 200] [--keep] [--prepare-only]   (needs a build: npm run build)
//        --keep reuses the data of an earlier run when it has enough payments; --prepare-only builds the data and stops;
//        --import-only measures the import alone (no server, no build needed).
// Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/sunshine_money_bench), SUNSHINE_BUILD_DIR.
import { sql } from "drizzle-orm";
import { generateAllocations } from "./corpus/allocations";
import { countInDatabase, databaseName, freshReferenceDatabase } from "./corpus/database";
import { fmt, numberArg, rssKb, timeSequential } from "./measure";
import { startBenchServer } from "./server";

// The keys the server below uses; set before lib/crypto is loaded so the generated hashes match.
process.env.SUNSHINE_ENCRYPTION_KEY = "c".repeat(64);
process.env.SUNSHINE_HMAC_KEY = "d".repeat(64);
process.env.LOG_LEVEL ??= "warn";

const ALLOCATIONS = numberArg("allocations", 1_000_000);
const HOUSEHOLDS = numberArg("households", 200_000);
const PAYMENTS = numberArg("payments", 1_000_000);
const IMPORT = numberArg("import", 100_000);
const REQUESTS = numberArg("requests", 200);
const KEEP = process.argv.includes("--keep");
const PREPARE_ONLY = process.argv.includes("--prepare-only");
const IMPORT_ONLY = process.argv.includes("--import-only");
const DB_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/sunshine_money_bench";
const tty = process.stdout.isTTY;
const progress = (s: string) => tty && process.stdout.write(`\r${s}   `);

const secs = (t: number) => ((Date.now() - t) / 1000).toFixed(1);

const SURNAMES =
  "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文";
const GIVEN = "秀兰建国桂英长河玉梅德胜凤芝守田春花明亮海燕志强丽华永福淑珍金山红梅国庆宝林翠英振华";

/** The i-th benchmark household: a deterministic name and a unique, valid ID number. */
async function person(i: number) {
  const { idCheckChar } = await import("../domain/money/privacy");
  // (birth date, sequence) pairs are unique for i < 18,000 × 1,000.
  const birth = new Date(Date.UTC(1940, 0, 1) + (i % 18_000) * 86_400_000)
    .toISOString()
    .slice(0, 10)
    .replaceAll("-", "");
  const first17 = `370322${birth}${String(Math.floor(i / 18_000)).padStart(3, "0")}`;
  const idNumber = `${first17}${idCheckChar(first17)}`;
  const name =
    SURNAMES[i % SURNAMES.length] +
    GIVEN[Math.floor(i / SURNAMES.length) % GIVEN.length] +
    GIVEN[Math.floor(i / (SURNAMES.length * GIVEN.length)) % GIVEN.length];
  return { idNumber, name };
}

async function prepare() {
  const existing = await countInDatabase(DB_URL, sql`SELECT count(*)::int AS n FROM household_payments`);
  if (KEEP && existing >= PAYMENTS) {
    console.log(`reusing ${existing} household payments in ${databaseName(DB_URL)}`);
    return;
  }
  const db = await freshReferenceDatabase(DB_URL);
  const { rows } = await import("../db/client");
  let t = Date.now();
  await generateAllocations(db, ALLOCATIONS, 100000);
  console.log(`generated ${ALLOCATIONS} allocations in ${secs(t)} s`);
  t = Date.now();
  // Four of five village-level allocations disbursed at 80 %, to households.
  await db.exec(`
    INSERT INTO disbursements (allocation_id, district_id, town_id, village_id, year, disbursed_on, amount, voucher_no,
        recipient_kind, recipient)
      SELECT id, district_id, town_id, village_id, year, published_on + 20, round(amount * 0.8, 2),
        '基准拨〔' || year || '〕' || id || '号', 'households', '到户发放'
      FROM fund_allocations WHERE village_id IS NOT NULL AND id % 5 <> 0;
  `);
  console.log(`generated disbursements in ${secs(t)} s`);

  // Households: sealed and hashed in this process, exactly as createHousehold does, in batches.
  t = Date.now();
  const { seal } = await import("../lib/crypto");
  const { HOUSEHOLD_AAD, householdNameHash, idNumberHash } = await import("../domain/money/households");
  const { maskIdNumber, maskName } = await import("../domain/money/privacy");
  const villages = await rows<{ id: number; town_id: number; district_id: number }>(
    db.db,
    sql`SELECT v.id, v.town_id, t.district_id FROM villages v JOIN towns t ON t.id = v.town_id ORDER BY v.id`,
  );
  for (let start = 0; start < HOUSEHOLDS; start += 5000) {
    const values = [];
    for (let i = start; i < Math.min(HOUSEHOLDS, start + 5000); i++) {
      const p = await person(i);
      const v = villages[i % villages.length];
      const sealed = seal(JSON.stringify(p), HOUSEHOLD_AAD);
      values.push(
        sql`(${v.district_id}, ${v.town_id}, ${v.id}, ${sealed.keyId}, ${sealed.data}, ${idNumberHash(p.idNumber)},
          ${householdNameHash(p.name)}, ${maskName(p.name)}, ${maskIdNumber(p.idNumber)}, ${1 + (i % 6)}, 'registered', '2016-05-01')`,
      );
    }
    await db.db.execute(
      sql`INSERT INTO households (district_id, town_id, village_id, key_id, identity_enc, id_hash, name_hash, name_masked,
            id_masked, members, status, identified_on) VALUES ${sql.join(values, sql`, `)}`,
    );
    progress(`households ${start + values.length}/${HOUSEHOLDS}`);
  }
  console.log(`\ngenerated ${HOUSEHOLDS} households (sealed, keyed hashes) in ${secs(t)} s`);

  // Payments: household h gets payment k (k = 0…) for programme k % 6 in year 2018 + k, from a
  // disbursement of its own village.
  t = Date.now();
  const perHousehold = Math.ceil(PAYMENTS / HOUSEHOLDS);
  await db.exec(`
    CREATE TEMP TABLE bench_disb AS
      SELECT village_id, array_agg(id ORDER BY id) AS ids FROM disbursements GROUP BY village_id;
    INSERT INTO household_payments (household_id, disbursement_id, district_id, village_id, programme, period, year, amount,
        paid_on, state, method)
      SELECT h.id, bd.ids[1 + ((h.id + k) % array_length(bd.ids, 1))], h.district_id, h.village_id,
        (ARRAY['housing','dividend','education','health','microcredit','employment'])[1 + k % 6],
        (2018 + k)::text, 2018 + k, 100 + (h.id * 7 + k * 13) % 900, make_date(2018 + k, 6, 1 + (h.id % 28)), 'paid', '惠民惠农一卡通'
      FROM households h JOIN bench_disb bd ON bd.village_id = h.village_id
      CROSS JOIN generate_series(0, ${perHousehold - 1}) k
      WHERE (h.id - 1) * ${perHousehold} + k < ${PAYMENTS};
  `);
  console.log(`generated household payments in ${secs(t)} s`);
  t = Date.now();
  await db.exec("VACUUM ANALYZE");
  console.log(`VACUUM ANALYZE in ${secs(t)} s`);
  const [c] = await rows<{ a: number; d: number; h: number; p: number }>(
    db.db,
    sql`SELECT (SELECT count(*)::int FROM fund_allocations) AS a, (SELECT count(*)::int FROM disbursements) AS d,
          (SELECT count(*)::int FROM households) AS h, (SELECT count(*)::int FROM household_payments) AS p`,
  );
  console.log(`database: ${c.a} allocations, ${c.d} disbursements, ${c.h} households, ${c.p} household payments`);
  await db.close();
}

async function timeRequests(label: string, make: (i: number) => [string, RequestInit?], expectStatus = 200) {
  for (let i = 0; i < 10; i++) {
    const [url, init] = make(i + 100_000);
    await (await fetch(url, init)).arrayBuffer();
  }
  return timeSequential(label, 60, REQUESTS, make, expectStatus);
}

/** Import IMPORT payments for as many households (programme other, period 2026) through the domain. */
async function importBench() {
  const { openDatabase, rows } = await import("../db/client");
  const { importHouseholdPayments } = await import("../domain/money/payment-import");
  const { createDisbursement } = await import("../domain/money/disbursements");
  const database = await openDatabase({ url: DB_URL, poolMax: 2 });
  const db = database.db;
  const [v] = await rows<{ district_id: number; town_id: number; village_id: number }>(
    db,
    sql`SELECT district_id, town_id, village_id FROM households LIMIT 1`,
  );
  const [a] = await rows<{ id: number }>(
    db,
    sql`INSERT INTO fund_allocations (year, level, fund_name, doc_number, district_id, town_id, village_id, category_code, amount, published_on)
        VALUES (2026, 'city', '基准导入资金', '基准导入〔2026〕1号', ${v.district_id}, ${v.town_id}, ${v.village_id}, 'other', 900000000, '2026-01-01')
        RETURNING id`,
  );
  const disbursementId = await createDisbursement(
    db,
    {
      allocationId: Number(a.id),
      disbursedOn: "2026-02-01",
      amount: "800000000.00",
      voucherNo: "基准导入",
      recipientKind: "households",
      recipient: "基准导入",
    },
    null,
  );
  const lines = ["身份证号码,户主姓名,拨付编号,项目,期次,金额,发放日期,状态,退回原因"];
  for (let i = 0; i < Math.min(IMPORT, HOUSEHOLDS); i++) {
    const p = await person(i);
    lines.push(`${p.idNumber},${p.name},${disbursementId},其他补贴,2026-导入,${100 + (i % 500)}.50,2026-03-01,已发放,`);
  }
  const file = new TextEncoder().encode(lines.join("\r\n"));
  lines.length = 0;
  global.gc?.();
  const before = rssKb("self", "VmRSS");
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssKb("self", "VmRSS"));
  }, 50);
  const t = performance.now();
  const r = await importHouseholdPayments(db, file, { fileName: "bench.csv", actorId: null });
  const s = (performance.now() - t) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, rssKb("self", "VmRSS"));
  const growth = (peak - before) / 1024;
  console.log(
    `import of ${r.count} household payments (${(file.byteLength / 1048576).toFixed(1)} MB CSV): ${s.toFixed(1)} s, ` +
      `RSS ${Math.round(before / 1024)} MB before, peak ${Math.round(peak / 1024)} MB (growth ${Math.round(growth)} MB)`,
  );
  // Leave the database as it was for a rerun with --keep.
  await database.exec(`DELETE FROM money_versions WHERE subject_type = 'household_payment' AND subject_id IN
      (SELECT id FROM household_payments WHERE batch_id = ${r.batchId});
    DELETE FROM household_payments WHERE batch_id = ${r.batchId};`);
  await database.close();
  return { secs: s, growth };
}

await prepare();
if (PREPARE_ONLY) process.exit(0);
if (IMPORT_ONLY) {
  const imp = await importBench();
  console.log(
    `\ntarget: import ${imp.secs.toFixed(1)} s < 60 s ${imp.secs < 60 ? "✓" : "✗"}, RSS growth ${Math.round(imp.growth)} MB < 200 MB ${imp.growth < 200 ? "✓" : "✗"}`,
  );
  process.exit(0);
}
const { base, child: server } = await startBenchServer(DB_URL, {}, 120_000);
let results: { village: number; check: number; progress: number };
try {
  const { openDatabase, rows } = await import("../db/client");
  const d = await openDatabase({ url: DB_URL, poolMax: 1 });
  const villageIds = (
    await rows<{ village_id: number }>(d.db, sql`SELECT DISTINCT village_id FROM households ORDER BY 1 LIMIT 200`)
  ).map((r) => Number(r.village_id));
  await d.close();
  console.log(
    `\n${ALLOCATIONS} allocations, ${HOUSEHOLDS} households, ${PAYMENTS} household payments; ${REQUESTS} sequential requests per figure (shared 2-core machine: figures are noisy)\n`,
  );
  const village = await timeRequests("GET /villages/{id} (SSR page)", (i) => [
    `${base}/villages/${villageIds[i % villageIds.length]}`,
  ]);
  const people = await Promise.all(Array.from({ length: 250 }, (_, i) => person((i * 797) % HOUSEHOLDS)));
  const check = await timeRequests("POST /api/payments/check (查询本人补贴)", (i) => [
    `${base}/api/payments/check`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(people[i % people.length]),
    },
  ]);
  const years = [2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025];
  const progress = await timeRequests("GET /api/money/progress?groupBy=district&year=Y", (i) => [
    `${base}/api/money/progress?groupBy=district&year=${years[i % years.length]}`,
  ]);
  results = { village, check, progress };
} finally {
  server.kill("SIGTERM");
}
const imp = await importBench();
console.log(
  `\ntargets: /villages/{id} p95 ${fmt(results.village)} < 100 ms ${results.village < 100 ? "✓" : "✗"} · check p95 ${fmt(results.check)} < 20 ms ${results.check < 20 ? "✓" : "✗"} · progress p95 ${fmt(results.progress)} < 50 ms ${results.progress < 50 ? "✓" : "✗"} · import ${imp.secs.toFixed(1)} s < 60 s ${imp.secs < 60 ? "✓" : "✗"}, RSS growth ${Math.round(imp.growth)} MB < 200 MB ${imp.growth < 200 ? "✓" : "✗"}`,
);
process.exit(0);
