import { sql } from "drizzle-orm";
import { type Database, type Db, openDatabase, rows } from "../db/client";
import { migrate } from "../db/migrate";
import { CATEGORIES, DISTRICTS, VILLAGE_NAMES } from "../lib/reference-data";
import { SEARCH_TYPES, type SearchDocument, type SearchSource, type SearchType } from "../search/contract";
import { embeddedBackend } from "../search/embedded";
import { type SearchQuery, search, setSearchBackend } from "../search/engine";
import { progressBar, reindex } from "../search/reindex";
import { createServerDatabase } from "../test/support/db";

// Search benchmark on the PostgreSQL server (embedded backend), under the shared benchmark lock:
//   flock /tmp/sunshine-bench.lock npx tsx bench/search.ts [documents=200000] [--queries-only]
// BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/sunshine_bench_c) is DROPPED and
// re-created. Prints reindex throughput (segmentation + tsvector + insert, docs/s) and query latency
// (p50/p95/max, end to end through search(): parsing, SQL, facets, highlighting) for one- and
// two-word queries with a facet filter. The machine is shared: figures are noisy.

const args = process.argv.slice(2);
/** --queries-only: reuse the database a previous run built (skip the corpus and the reindex). */
const queriesOnly = args.includes("--queries-only");
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 200_000);
const base = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/sunshine_bench_c";

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

async function main() {
  console.log(`search benchmark: ${N} documents, embedded backend on ${base.replace(/\/[^/]*$/, "/…")}`);
  const admin = new URL(base);
  admin.pathname = "/postgres";
  const url = queriesOnly ? base : await createServerDatabase(admin.toString(), new URL(base).pathname.slice(1));
  const database = await openDatabase({ url, poolMax: 4 });
  await migrate(database);
  const db = database.db;
  setSearchBackend(embeddedBackend);
  if (!queriesOnly) await build(db, database);
  await queries(db);
  await database.close();
}

async function build(db: Db, database: Database) {
  console.log("generating corpus…");
  const byType = new Map<SearchType, SearchDocument[]>(SEARCH_TYPES.map((t) => [t, []]));
  for (let i = 1; i <= N; i++) {
    const doc = makeDoc(i);
    byType.get(doc.type)!.push(doc);
  }
  const sources = Object.fromEntries(
    SEARCH_TYPES.map((t) => [t, { type: t, load: async () => byType.get(t)! } satisfies SearchSource]),
  );

  const result = await reindex(db, embeddedBackend, { sources, onProgress: progressBar("reindex") });
  process.stderr.write("\n");
  const rate = Math.round(result.documents / (result.ms / 1000));
  await database.exec("ANALYZE search_documents");
  const [size] = await rows<{ table: string; index: string }>(
    db,
    sql`SELECT pg_size_pretty(pg_table_size('search_documents')) AS table, pg_size_pretty(pg_indexes_size('search_documents')) AS index`,
  );
  console.log(
    `reindex: ${result.documents} documents in ${(result.ms / 1000).toFixed(1)} s = ${rate} docs/s (table ${size.table}, indexes ${size.index})`,
  );
}

async function queries(db: Db) {
  const [{ n }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM search_documents`);
  console.log(`querying ${n} indexed documents`);

  const FACETS: Pick<SearchQuery, "type" | "year" | "district">[] = [
    { district: "高青县" },
    { type: "notice" },
    { year: 2018 },
    { district: "沂源县" },
    { type: "allocation", year: 2019 },
    { district: "淄川区" },
  ];
  const groups: { name: string; queries: string[] }[] = [
    {
      name: "one word",
      queries: [
        "低保",
        "危房改造",
        "光伏",
        "黄河滩区",
        "小额信贷",
        "太河镇",
        "扶贫车间",
        "乡村旅游",
        "桑蚕",
        "医疗救助",
      ],
    },
    {
      name: "two words",
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
    },
    { name: "document number", queries: ["淄财农〔2018〕12号", "淄发〔2017〕3号", "淄民发〔2019〕7号"] },
    { name: "very common word (worst case)", queries: ["扶贫", "资金 公示"] },
  ];

  // Warm the cache a little, as a running server would be.
  for (const g of groups) for (const q of g.queries) await search(db, { q, ...FACETS[0] });

  for (const g of groups) {
    const times: number[] = [];
    let matched = 0;
    const rounds = g.name.startsWith("very") ? 4 : 10;
    for (let round = 0; round < rounds; round++) {
      for (const [qi, q] of g.queries.entries()) {
        const facet = FACETS[(qi + round) % FACETS.length];
        const t0 = performance.now();
        const res = await search(db, { q, ...facet, pageSize: 10 });
        times.push(performance.now() - t0);
        matched += res.total;
      }
    }
    times.sort((a, b) => a - b);
    console.log(
      `${g.name.padEnd(30)} n=${String(times.length).padStart(3)}  p50 ${percentile(times, 50).toFixed(1)} ms  p95 ${percentile(times, 95).toFixed(1)} ms  max ${times[times.length - 1].toFixed(1)} ms  (avg ${Math.round(matched / times.length)} matches with the facet)`,
    );
  }
}

await main();
