import { sql } from "drizzle-orm";
import postgres from "postgres";
import { type Db, openDatabase, rows } from "../db/client";
import { migrate } from "../db/migrate";
import { CATEGORIES, DISTRICTS, VILLAGE_NAMES } from "../lib/reference-data";
import type { SearchDocument, SearchType } from "../search/contract";
import { countMatches, embeddedBackend } from "../search/embedded";
import { EXACT_COUNT_THRESHOLD, type SearchQuery, search, setSearchBackend } from "../search/engine";
import { facetTsqueries, parseQuery } from "../search/text";
import { createServerDatabase } from "../test/support/db";

// Search benchmark on the PostgreSQL server (embedded backend), under the shared benchmark lock:
//   flock /tmp/sunshine-bench.lock npx tsx bench/search.ts [--sizes 200000,1000000] [--queries-only]
//                                                          [--replicate [--reuse-smallest]] [--latency-only]
// One database per size, named after BENCH_DATABASE_URL's (default
// postgres://postgres@127.0.0.1:5432/sunshine_bench_search) plus the size: sunshine_bench_search_200k,
// sunshine_bench_search_1m. Without --queries-only they are DROPPED and built: the smallest from
// nothing, each larger one as a copy of the one before plus the documents that follow (the corpus is
// deterministic, so the first 200,000 documents of the million are the 200,000). With --replicate, each
// larger one is instead the smallest one's documents repeated under new ids (same words, same facets, new
// sample levels), copied in SQL and the GIN index built once: minutes instead of an hour of segmenting on
// a busy machine. Prints the indexing
// throughput (segmentation + tsvector + insert, docs/s), then for every size, with the table and its index
// read into the OS cache first (see prewarm()), query latency (p50/p95/max over 100 timings per class,
// end to end through search(): parsing, SQL, facets, highlighting) per query class side by side with the
// ratio of the largest size's p95 to the smallest's, and the error of the estimated totals against exact
// counts for 100 random queries. --queries-only reuses databases a previous run built.

const args = process.argv.slice(2);
const queriesOnly = args.includes("--queries-only");
/** Larger sizes: the smallest database's documents repeated under new ids, in SQL (see replicate()). */
const replicateLarger = args.includes("--replicate");
/** Keep the smallest database if it already holds its documents (with --replicate). */
const reuseSmallest = args.includes("--reuse-smallest");
/** Skip the comparison of estimates with exact counts (each exact count reads every match). */
const latencyOnly = args.includes("--latency-only");
const sizesArg = args[args.indexOf("--sizes") + 1];
const SIZES = (args.includes("--sizes") ? sizesArg.split(",").map(Number) : [200_000, 1_000_000]).sort((a, b) => a - b);
if (SIZES.some((n) => !Number.isInteger(n) || n < 1000)) {
  console.error("--sizes takes document counts of at least 1000, e.g. --sizes 200000,1000000");
  process.exit(2);
}
const base = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/sunshine_bench_search";
const baseName = new URL(base).pathname.slice(1);
const label = (n: number) => (n % 1_000_000 === 0 ? `${n / 1_000_000}m` : n % 1000 === 0 ? `${n / 1000}k` : String(n));
const urlFor = (n: number) => {
  const url = new URL(base);
  url.pathname = `/${baseName}_${label(n)}`;
  return url.toString();
};
const adminUrl = (() => {
  const url = new URL(base);
  url.pathname = "/postgres";
  return url.toString();
})();
const tty = process.stderr.isTTY;

// Deterministic pseudo-random numbers, so every run indexes the same corpus.
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)];

const PURPOSES = [
  "村内道路硬化",
  "饮水安全工程",
  "扶贫车间建设",
  "光伏电站建设",
  "特色种植（桑蚕、蜜桃）产业扶持",
  "贫困家庭学生资助",
  "农村危房改造",
  "低保和特困人员救助供养",
  "扶贫小额信贷贴息",
  "大病保险和医疗救助",
  "乡村旅游开发",
  "公益岗位补贴",
  "黄河滩区居民迁建",
  "易地扶贫搬迁",
  "残疾人康复救助",
];
const LEVELS = ["中央", "省级", "市级", "县级"];
const ISSUERS = ["淄财农", "淄发", "淄政办发", "鲁财农", "淄民发", "淄扶贫办发", "淄金办发"];
const PEOPLE = ["韩秀英", "孙立军", "王建国", "李红梅", "张志强", "刘海燕", "赵德胜", "陈玉兰", "周福来", "吴桂芝"];
const TYPE_WEIGHTS: [SearchType, number][] = [
  ["allocation", 0.5],
  ["notice", 0.25],
  ["project", 0.15],
  ["photo", 0.04],
  ["honor", 0.03],
  ["policy", 0.02],
  ["yearbook", 0.01],
];

function makeDoc(i: number): SearchDocument {
  let r = rand();
  let type: SearchType = "allocation";
  for (const [t, w] of TYPE_WEIGHTS) {
    if (r < w) {
      type = t;
      break;
    }
    r -= w;
  }
  const d = pick(DISTRICTS);
  const town = pick(d.towns).name;
  const village = pick(VILLAGE_NAMES);
  const cat = pick(CATEGORIES).name.split("/")[0];
  const purpose = pick(PURPOSES);
  const year = 2016 + Math.floor(rand() * 5);
  const date = `${year}-${String(1 + Math.floor(rand() * 12)).padStart(2, "0")}-${String(1 + Math.floor(rand() * 28)).padStart(2, "0")}`;
  const docNo = `${pick(ISSUERS)}〔${year}〕${1 + Math.floor(rand() * 60)}号`;
  const amount = (Math.floor(rand() * 2_000_000) / 100).toFixed(2);
  const titles: Record<SearchType, () => string> = {
    allocation: () => `${year}年${pick(LEVELS)}财政专项扶贫资金（${d.name}${town}）`,
    notice: () => `${d.name}${town}${village}${year}年${purpose}项目公示`,
    project: () => `${d.name}${town}${village}${purpose}项目`,
    photo: () => `我眼中的脱贫攻坚：${town}${village}`,
    honor: () => `${pick(PEOPLE)}${i}（${year}年度先进个人）`,
    policy: () => `关于做好${year}年${cat}工作的通知`,
    yearbook: () => `淄博脱贫攻坚年鉴（${year}）：${cat}`,
  };
  const body = [
    `${d.name}${town}${village}。类别：${cat}。用途：${purpose}，资金 ${amount} 元。`,
    `依据${docNo}，由${town}人民政府组织实施，接受群众监督，监督电话 12317。`,
    rand() < 0.5
      ? "带贫减贫机制：吸纳建档立卡贫困户务工，收益按比例分配到户。"
      : "实施期限一年，绩效目标为带动贫困人口稳定增收。",
  ].join("");
  return {
    type,
    id: String(i),
    title: titles[type](),
    body,
    url: `/${type}s/${i}`,
    date: type === "honor" ? null : date,
    year,
    district: type === "policy" || type === "yearbook" ? null : d.name,
    keywords: [docNo, cat],
  };
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Index documents from..to (1-based, inclusive) of the corpus into db, in batches. */
async function indexRange(db: Db, docs: SearchDocument[], from: number, to: number) {
  const BATCH = 4000; // as reindex hands them to the backend
  const started = performance.now();
  for (let i = from; i <= to; i += BATCH) {
    const batch = docs.slice(i - 1, Math.min(to, i + BATCH - 1));
    await db.transaction(async (tx) => embeddedBackend.index(tx, batch));
    if (tty) {
      const done = Math.min(to, i + BATCH - 1) - from + 1;
      const rate = Math.round(done / ((performance.now() - started) / 1000));
      process.stderr.write(`\rindexing ${done}/${to - from + 1}  ${rate} docs/s   `);
    }
  }
  if (tty) process.stderr.write("\n");
  return (to - from + 1) / ((performance.now() - started) / 1000);
}

async function holds(n: number): Promise<boolean> {
  try {
    const database = await openDatabase({ url: urlFor(n), poolMax: 1 });
    try {
      const [{ count }] = await rows<{ count: number }>(
        database.db,
        sql`SELECT count(*)::int AS count FROM search_documents`,
      );
      return count === n;
    } finally {
      await database.close();
    }
  } catch {
    return false;
  }
}

/** The smallest database copied to `name`, its documents repeated under new ids up to n of them. */
async function replicate(n: number) {
  const small = SIZES[0];
  const name = `${baseName}_${label(n)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE "${name}" TEMPLATE "${baseName}_${label(small)}"`);
  } finally {
    await admin.end();
  }
  const database = await openDatabase({ url: urlFor(n), poolMax: 1 });
  const started = performance.now();
  try {
    await migrate(database);
    const [{ def }] = await rows<{ def: string }>(
      database.db,
      sql`SELECT indexdef AS def FROM pg_indexes WHERE indexname = 'search_documents_tsv_idx'`,
    );
    await database.exec("DROP INDEX search_documents_tsv_idx");
    for (let copy = 1; copy * small < n; copy++) {
      const count = Math.min(small, n - copy * small);
      // The new id's sample level (as migration 0170 computes it), its sample lexemes and its sampled
      // postings (as migrations 0260 and 0270 add them), in place of the copied document's.
      await database.exec(`INSERT INTO search_documents (doc_type, doc_id, title, body, keywords, url, date, year, district, tsv, rank_tsv)
        SELECT doc_type, id, title, body, keywords, url, date, year, district,
               base || array_to_tsvector(
                 ARRAY(SELECT '#s:' || k FROM generate_series(1, lv) AS k)
                 || ARRAY(SELECT '#' || k || '/' || l FROM unnest(tsvector_to_array(base)) AS l, generate_series(3, lv, 3) AS k
                          WHERE left(l, 1) <> '#' OR left(l, 3) IN ('#t:', '#y:', '#d:'))),
               rank_tsv
        FROM (SELECT *, ts_delete(tsv, ARRAY(SELECT l FROM unnest(tsvector_to_array(tsv)) AS l WHERE l ~ '^#(s:|[0-9])')) AS base,
                     (SELECT count(*)::int FROM generate_series(1, 20) AS k
                      WHERE (('x' || substr(md5(doc_type || ':' || id), 1, 8))::bit(32)::bigint) % (1::bigint << k) = 0) AS lv
              FROM (SELECT *, doc_id || '~${copy}' AS id FROM search_documents
                    WHERE doc_id NOT LIKE '%~%' ORDER BY doc_type, doc_id LIMIT ${count}) c) s`);
      if (tty) process.stderr.write(`\rreplicating: ${(copy + 1) * small} documents   `);
    }
    if (tty) process.stderr.write("\n");
    await database.exec(def);
    await database.exec("VACUUM ANALYZE search_documents");
    const [size] = await rows<{ table: string; index: string }>(
      database.db,
      sql`SELECT pg_size_pretty(pg_table_size('search_documents')) AS table, pg_size_pretty(pg_indexes_size('search_documents')) AS index`,
    );
    console.log(
      `replicated ${label(small)} → ${label(n)} in ${((performance.now() - started) / 1000).toFixed(0)} s (table ${size.table}, indexes ${size.index})`,
    );
  } finally {
    await database.close();
  }
}

async function build() {
  console.log("generating the corpus…");
  const docs: SearchDocument[] = [];
  const last = replicateLarger ? SIZES[0] : SIZES[SIZES.length - 1];
  for (let i = 1; i <= last; i++) docs.push(makeDoc(i));
  let previous: number | undefined;
  for (const n of SIZES) {
    const name = `${baseName}_${label(n)}`;
    if (previous !== undefined && replicateLarger) {
      await replicate(n);
      continue;
    }
    if (previous === undefined && reuseSmallest && (await holds(n))) {
      console.log(`reusing ${name} (${n} documents)`);
      previous = n;
      continue;
    }
    if (previous === undefined) {
      await createServerDatabase(adminUrl, name);
    } else {
      // A copy of the smaller database, then the documents that follow.
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await admin.unsafe(`CREATE DATABASE "${name}" TEMPLATE "${baseName}_${label(previous)}"`);
      } finally {
        await admin.end();
      }
    }
    const database = await openDatabase({ url: urlFor(n), poolMax: 4 });
    try {
      await migrate(database);
      const from = (previous ?? 0) + 1;
      const rate = await indexRange(database.db, docs, from, n);
      // As autovacuum would leave it: the GIN index's pending list merged, statistics gathered.
      await database.exec("VACUUM ANALYZE search_documents");
      const [size] = await rows<{ table: string; index: string }>(
        database.db,
        sql`SELECT pg_size_pretty(pg_table_size('search_documents')) AS table, pg_size_pretty(pg_indexes_size('search_documents')) AS index`,
      );
      console.log(
        `indexed documents ${from}–${n}: ${Math.round(rate)} docs/s (table ${size.table}, indexes ${size.index})`,
      );
    } finally {
      await database.close();
    }
    previous = n;
  }
}

const FACETS: Pick<SearchQuery, "type" | "year" | "district">[] = [
  { district: "高青县" },
  { type: "notice" },
  { year: 2018 },
  { district: "沂源县" },
  { type: "allocation", year: 2019 },
  { district: "淄川区" },
];
/**
 * Timings per query class: the class's queries in rounds (rotating the facet filters) until there are
 * this many, so that its p95 is a percentile and not its slowest timing.
 */
const TIMINGS = 100;
const GROUPS: { name: string; queries: string[]; facets: boolean }[] = [
  {
    name: "one word + facet",
    queries: ["低保", "危房改造", "光伏", "黄河滩区", "小额信贷", "太河镇", "扶贫车间", "乡村旅游", "桑蚕", "医疗救助"],
    facets: true,
  },
  {
    name: "two words + facet",
    queries: [
      "高青 资金",
      "沂源 光伏",
      "淄川 危房改造",
      "博山 旅游",
      "饮水 安全",
      "常家镇 低保",
      "池上镇 道路",
      "中央 专项",
      "贫困 学生",
      "公益岗位 补贴",
    ],
    facets: true,
  },
  {
    name: "document number + facet",
    queries: ["淄财农〔2018〕12号", "淄发〔2017〕3号", "淄民发〔2019〕7号"],
    facets: true,
  },
  { name: "very common word + facet", queries: ["扶贫", "资金 公示"], facets: true },
  // No facet: every document of the corpus has 扶贫, 监督 (and 项目 or 资金 in most).
  { name: "very common word, no facet", queries: ["扶贫", "资金 公示", "监督", "项目"], facets: false },
];

interface ClassFigures {
  p50: number;
  p95: number;
  max: number;
  matches: number;
  estimated: number;
}

/**
 * Read the table, its out-of-line values and its indexes once into the operating system's cache, as
 * they are on a server that has been answering searches: a database just built may have been evicted
 * by what was written after it, and its first queries would time the disk instead of the search.
 * pg_prewarm ships with PostgreSQL's contrib; without it the run says the cache was left cold.
 */
async function prewarm(database: Awaited<ReturnType<typeof openDatabase>>, n: number) {
  try {
    await database.exec("CREATE EXTENSION IF NOT EXISTS pg_prewarm");
  } catch (e) {
    console.log(`${label(n)}: cache not warmed (pg_prewarm unavailable: ${(e as Error).message.split("\n")[0]})`);
    return;
  }
  await rows(
    database.db,
    sql`SELECT pg_prewarm(oid, 'read') FROM pg_class
        WHERE oid IN ('search_documents'::regclass,
                      (SELECT reltoastrelid FROM pg_class WHERE oid = 'search_documents'::regclass))
           OR oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'search_documents'::regclass)`,
  );
}

async function queries(n: number): Promise<Map<string, ClassFigures>> {
  const database = await openDatabase({ url: urlFor(n), poolMax: 4 });
  const out = new Map<string, ClassFigures>();
  try {
    await migrate(database);
    const db = database.db;
    const [{ count }] = await rows<{ count: number }>(db, sql`SELECT count(*)::int AS count FROM search_documents`);
    if (count !== n) throw new Error(`${urlFor(n)} holds ${count} documents, not ${n}: run without --queries-only`);
    await prewarm(database, n);
    // Warm the connections' caches a little, as a running server would be.
    for (const g of GROUPS) for (const q of g.queries) await search(db, { q, ...(g.facets ? FACETS[0] : {}) });
    for (const g of GROUPS) {
      const times: number[] = [];
      let matched = 0;
      let estimated = 0;
      for (let round = 0; round < Math.ceil(TIMINGS / g.queries.length); round++) {
        for (const [qi, q] of g.queries.entries()) {
          const facet = g.facets ? FACETS[(qi + round) % FACETS.length] : {};
          const t0 = performance.now();
          const res = await search(db, { q, ...facet, pageSize: 10 });
          times.push(performance.now() - t0);
          matched += res.total;
          if (!res.totalIsExact) estimated++;
        }
      }
      times.sort((a, b) => a - b);
      out.set(g.name, {
        p50: percentile(times, 50),
        p95: percentile(times, 95),
        max: times[times.length - 1],
        matches: Math.round(matched / times.length),
        estimated: estimated / times.length,
      });
    }
  } finally {
    await database.close();
  }
  return out;
}

/** 100 random queries (seeded): the estimated totals against exact counts. */
async function estimateError(n: number) {
  const database = await openDatabase({ url: urlFor(n), poolMax: 2 });
  try {
    const db = database.db;
    let s = 7;
    const r = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const WORDS = [
      "扶贫",
      "资金",
      "公示",
      "项目",
      "监督",
      "贫困",
      "高青",
      "沂源",
      "淄川",
      "博山",
      "光伏",
      "低保",
      "危房改造",
      "道路",
      "饮水",
      "旅游",
      "中央",
      "省级",
      "补贴",
      "学生",
      "医疗",
      "搬迁",
      "车间",
      "产业",
      "就业",
    ];
    const errors: number[] = [];
    let exactChecked = 0;
    let exactWrong = 0;
    for (let i = 0; i < 100; i++) {
      const words =
        r() < 0.6 ? [WORDS[Math.floor(r() * WORDS.length)]] : [0, 1].map(() => WORDS[Math.floor(r() * WORDS.length)]);
      const facet = r() < 0.5 ? {} : FACETS[Math.floor(r() * FACETS.length)];
      const q = [...new Set(words)].join(" ");
      const res = await search(db, { q, ...facet, pageSize: 10 });
      const parsed = parseQuery(q);
      const match = [parsed.tsquery!, ...facetTsqueries(facet)];
      // The exact count: the same walk with a threshold no query reaches, starting at level 0 (table size
      // 0), which it reads whole: every match.
      const exact = await db.transaction(async (tx) => {
        await rows(tx, sql`SELECT set_config('enable_seqscan', 'off', true), set_config('work_mem', '64MB', true)`);
        return (await countMatches(tx, () => match, 10_000_000, 0)).total;
      });
      if (res.totalIsExact) {
        exactChecked++;
        if (res.total !== exact) exactWrong++;
      } else {
        errors.push((res.total - exact) / exact);
      }
    }
    const abs = errors.map(Math.abs).sort((a, b) => a - b);
    const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
    const bias = errors.reduce((a, b) => a + b, 0) / Math.max(1, errors.length);
    console.log(
      `  ${label(n)}: ${errors.length} of 100 estimated (|error| median ${pct(percentile(abs, 50) ?? 0)}, p90 ${pct(percentile(abs, 90) ?? 0)}, max ${pct(abs[abs.length - 1] ?? 0)}, mean signed ${pct(bias)}); ${exactChecked} exact, ${exactWrong} of them wrong`,
    );
  } finally {
    await database.close();
  }
}

async function main() {
  console.log(
    `search benchmark: ${SIZES.map(label).join(", ")} documents, embedded backend on ${base.replace(/\/[^/]*$/, "/…")}`,
  );
  setSearchBackend(embeddedBackend);
  if (!queriesOnly) await build();
  const figures = new Map<number, Map<string, ClassFigures>>();
  for (const n of SIZES) figures.set(n, await queries(n));
  const ms = (x: number) => `${x.toFixed(1)}`.padStart(6);
  const small = SIZES[0];
  const large = SIZES[SIZES.length - 1];
  console.log(
    `\np50 / p95 ms per query class (threshold for exact counts ${EXACT_COUNT_THRESHOLD}); ratio = p95 at ${label(large)} / p95 at ${label(small)}`,
  );
  for (const g of GROUPS) {
    const cells = SIZES.map((n) => {
      const f = figures.get(n)!.get(g.name)!;
      return `${label(n)}: ${ms(f.p50)} / ${ms(f.p95)} (max ${ms(f.max)}; ~${f.matches} matches, ${Math.round(100 * f.estimated)} % estimated)`;
    });
    const ratio = figures.get(large)!.get(g.name)!.p95 / figures.get(small)!.get(g.name)!.p95;
    console.log(`${g.name.padEnd(28)} ${cells.join("   ")}   ratio ${ratio.toFixed(2)}`);
  }
  if (latencyOnly) return;
  console.log("\nestimated totals against exact counts, 100 random queries (one or two words, half with a facet):");
  for (const n of SIZES) await estimateError(n);
}

await main();
