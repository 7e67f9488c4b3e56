import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../../db/client";
import type { SearchDocument } from "../../search/contract";
import { createEmbeddedBackend, embeddedBackend } from "../../search/embedded";
import { type SearchResult, setSearchBackend } from "../../search/engine";
import { orderLexemes, SAMPLE_LEVELS, SHORTEST_RANK_LEN, sampleLevel, sampleLexemes } from "../../search/text";
import { testDatabase } from "../support/db";
import { api } from "../support/http";
import { searchDocument as doc } from "../support/search";

// Totals and facet counts exact up to a threshold, estimated beyond it, with the work bounded. The
// backend here counts exactly up to THRESHOLD = 20 matches, so a few hundred documents are "too many".

const THRESHOLD = 20;
const DISTRICTS = ["高青县", "沂源县", "淄川区"];

// Long keyword lists: none of these is in the shortest-title class ('#r:1'), so when they are sampled, a
// document is only ranked if the sample holds it.
const LONG_KEYWORDS = ["资金项目管理", "兜底保障", "农村低保", "民政局", "财政局", "公告公示", "监督电话"];

/** 300 documents with 低保 in the title, each dated a different day (newest: t300). */
function manyDocs(): SearchDocument[] {
  const docs: SearchDocument[] = [];
  for (let i = 1; i <= 300; i++) {
    const day = new Date(Date.UTC(2016, 0, 1) + i * 3 * 86_400_000).toISOString().slice(0, 10);
    docs.push(
      doc({
        type: i % 4 === 0 ? "allocation" : "notice",
        id: `t${i}`,
        title: `第${i}批城乡低保资金发放情况公示`,
        keywords: LONG_KEYWORDS,
        district: DISTRICTS[i % 3],
        date: day,
        year: Number(day.slice(0, 4)),
      }),
    );
  }
  return docs;
}

const q = (text: string, extra = "") => api<SearchResult>(`/api/search?q=${encodeURIComponent(text)}${extra}`);
const sum = (list: { count: number }[]) => list.reduce((n, f) => n + f.count, 0);

describe("search counts: exact up to the threshold, estimated beyond (embedded backend)", () => {
  // Ranking past the threshold considers a sample of about 40 matches (plus every short title).
  beforeAll(() => setSearchBackend(createEmbeddedBackend({ exactThreshold: THRESHOLD, rankingPool: 2 * THRESHOLD })));
  afterAll(() => setSearchBackend(undefined));

  it("counts exactly up to the threshold: total and every facet", async () => {
    const { db } = await testDatabase();
    const docs = Array.from({ length: THRESHOLD }, (_, i) =>
      doc({
        type: "project",
        id: `g${i}`,
        title: `光伏扶贫电站${i}号`,
        district: DISTRICTS[i % 3],
        year: 2017 + (i % 2),
      }),
    );
    await embeddedBackend.index(db, docs);
    const res = await q("光伏");
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(THRESHOLD);
    expect(res.body.totalIsExact).toBe(true);
    expect(res.body.facets.district).toEqual(
      DISTRICTS.map((d) => ({ value: d, count: docs.filter((x) => x.district === d).length })).sort(
        (a, b) => b.count - a.count || a.value.localeCompare(b.value, "zh-CN"),
      ),
    );
    expect(res.body.facets.year).toEqual([
      { value: "2018", count: 10 },
      { value: "2017", count: 10 },
    ]);
  });

  it("estimates beyond it, says so, and keeps the facets adding up to the total", async () => {
    const { db } = await testDatabase();
    await embeddedBackend.index(db, manyDocs());
    const res = await q("低保");
    expect(res.status).toBe(200);
    expect(res.body.totalIsExact).toBe(false);
    // More than the threshold for certain (the sample alone holds more), and near the truth.
    expect(res.body.total).toBeGreaterThan(THRESHOLD);
    expect(Math.abs(res.body.total - 300) / 300).toBeLessThan(0.5);
    expect(sum(res.body.facets.type)).toBe(res.body.total);
    expect(sum(res.body.facets.district)).toBe(res.body.total);
    expect(sum(res.body.facets.year)).toBe(res.body.total);
    expect(res.body.hits).toHaveLength(10);
    expect(res.body.hits.every((h) => h.title.includes("低保"))).toBe(true);

    // With the table's statistics gathered the walk starts at a lower level: the same guarantees.
    await rows(db, sql`ANALYZE search_documents`);
    const analysed = await q("低保");
    expect(analysed.body.totalIsExact).toBe(false);
    expect(analysed.body.total).toBeGreaterThan(THRESHOLD);
    expect(Math.abs(analysed.body.total - 300) / 300).toBeLessThan(0.5);
    expect(sum(analysed.body.facets.district)).toBe(analysed.body.total);
    expect((await q("光伏")).body).toMatchObject({ total: 0, totalIsExact: true });

    // Facets that narrow the matches to the threshold or fewer make them exact again.
    const narrow = manyDocs().filter((d) => d.type === "allocation" && d.district === "高青县" && d.year === 2016);
    expect(narrow.length).toBeGreaterThan(0);
    expect(narrow.length).toBeLessThanOrEqual(THRESHOLD);
    const few = await q("低保", `&type=allocation&district=${encodeURIComponent("高青县")}&year=2016`);
    expect(few.body).toMatchObject({ total: narrow.length, totalIsExact: true });
    expect(few.body.facets.type).toEqual([{ value: "allocation", count: narrow.length }]);
  });

  it("with too many matches to read, still puts the best first: a short title with the query", async () => {
    const { db } = await testDatabase();
    await embeddedBackend.index(db, [
      ...manyDocs(),
      doc({ type: "policy", id: "p1", title: "城乡低保", date: "2014-01-01", year: 2014 }),
    ]);
    const res = await q("低保");
    expect(res.body.totalIsExact).toBe(false);
    expect(res.body.hits[0].id).toBe("p1");
  });

  it("sorts by date from the newest, exactly, a month at a time", async () => {
    const { db } = await testDatabase();
    const docs = manyDocs();
    await embeddedBackend.index(db, docs);
    const newest = docs
      .slice()
      .sort((a, b) => b.date!.localeCompare(a.date!))
      .map((d) => d.id);
    const page1 = await q("低保", "&sort=date&pageSize=20");
    expect(page1.body.totalIsExact).toBe(false);
    expect(page1.body.hits.map((h) => h.id)).toEqual(newest.slice(0, 20));
    const page3 = await q("低保", "&sort=date&pageSize=20&page=3");
    expect(page3.body.hits.map((h) => h.id)).toEqual(newest.slice(40, 60));
  });

  it("pages through the sampled ranking without repeating a document", async () => {
    const { db } = await testDatabase();
    await embeddedBackend.index(db, manyDocs());
    const seen: string[] = [];
    for (let page = 1; page <= 4; page++)
      seen.push(...(await q("低保", `&pageSize=25&page=${page}`)).body.hits.map((h) => h.id));
    expect(seen).toHaveLength(100);
    expect(new Set(seen).size).toBe(100);
  });

  it("migrations 0170's and 0260's sample and order lexemes (for rows indexed before them) are the ones the code writes", async () => {
    const { db } = await testDatabase();
    const docs = [...manyDocs().slice(0, 40), doc({ type: "honor", id: "h1", title: "韩秀英", date: null })];
    await embeddedBackend.index(db, docs);
    const stored = await rows<{
      doc_type: string;
      doc_id: string;
      sql_lexemes: string[];
      lexemes: string[];
      rank_len: number;
    }>(
      db,
      sql`SELECT doc_type, doc_id, rank_len,
                 ARRAY(SELECT '#s:' || k FROM generate_series(1, 20) AS k
                       WHERE (('x' || substr(md5(doc_type || ':' || doc_id), 1, 8))::bit(32)::bigint) % (1::bigint << k) = 0)
                 || ARRAY['#m:' || coalesce(to_char(date, 'YYYY-MM'), 'none')]
                 || CASE WHEN rank_len <= 4 THEN ARRAY['#r:1'] ELSE ARRAY[]::text[] END AS sql_lexemes,
                 ARRAY(SELECT l FROM unnest(tsvector_to_array(tsv)) AS l WHERE l LIKE '#s:%' OR l LIKE '#m:%' OR l LIKE '#r:%') AS lexemes
          FROM search_documents`,
    );
    expect(stored).toHaveLength(docs.length);
    for (const r of stored) {
      const d = docs.find((x) => x.type === r.doc_type && x.id === r.doc_id)!;
      const expected = [
        ...sampleLexemes(sampleLevel(d.type, d.id)),
        ...orderLexemes({ rankLength: r.rank_len, date: d.date }),
      ];
      expect(r.sql_lexemes.sort()).toEqual(expected.sort());
      expect(r.lexemes.sort()).toEqual(expected.sort());
    }
    expect(stored.find((r) => r.doc_id === "h1")!.lexemes).toEqual(expect.arrayContaining(["#m:none", "#r:1"]));
    expect(stored.find((r) => r.doc_id === "t1")!.rank_len).toBeGreaterThan(SHORTEST_RANK_LEN);
  });

  it("sample levels are a uniform sample: about half the documents at level 1, a quarter at level 2", () => {
    const levels = Array.from({ length: 20_000 }, (_, i) => sampleLevel("notice", String(i)));
    const atLeast = (j: number) => levels.filter((l) => l >= j).length / levels.length;
    expect(atLeast(1)).toBeGreaterThan(0.48);
    expect(atLeast(1)).toBeLessThan(0.52);
    expect(atLeast(2)).toBeGreaterThan(0.23);
    expect(atLeast(2)).toBeLessThan(0.27);
    expect(Math.max(...levels)).toBeLessThanOrEqual(SAMPLE_LEVELS);
  });
});

describe("search ranking of every match, by the rows the exact count collected", () => {
  beforeAll(() => setSearchBackend(embeddedBackend));
  afterAll(() => setSearchBackend(undefined));

  it("pages through every match once: the scored ones, then the rest of the title class, then the others, newest first", async () => {
    const { db } = await testDatabase();
    const titled = manyDocs();
    // 低保 only in the body: the last tier.
    const inBody = Array.from({ length: 30 }, (_, i) =>
      doc({
        type: "notice",
        id: `b${i + 1}`,
        title: `第${i + 1}批资金发放情况公示`,
        body: "其中城乡低保资金已按月发放到户。",
        keywords: ["资金项目管理", "民政局", "财政局", "公告公示", "监督电话"],
        date: new Date(Date.UTC(2019, 0, 1) + i * 5 * 86_400_000).toISOString().slice(0, 10),
        year: 2019,
      }),
    );
    await embeddedBackend.index(db, [...titled, ...inBody]);
    const seen: string[] = [];
    for (let page = 1; page <= 7; page++) {
      const res = await q("低保", `&pageSize=50&page=${page}`);
      expect(res.body).toMatchObject({ total: 330, totalIsExact: true });
      seen.push(...res.body.hits.map((h) => h.id));
    }
    expect(seen).toHaveLength(330);
    expect(new Set(seen).size).toBe(330);
    // RANKED_CANDIDATES (200) of the title class are scored; the other 100 follow, newest first; then
    // the 30 with the word in the body only, newest first.
    const newest = (docs: SearchDocument[]) =>
      docs
        .slice()
        .sort((a, b) => b.date!.localeCompare(a.date!))
        .map((d) => d.id);
    const scored = new Set(seen.slice(0, 200));
    expect(seen.slice(0, 200).every((id) => id.startsWith("t"))).toBe(true);
    expect(seen.slice(200, 300)).toEqual(newest(titled.filter((d) => !scored.has(d.id))));
    expect(seen.slice(300)).toEqual(newest(inBody));

    // Newest first over every match, from the same rows.
    const byDate = await q("低保", "&sort=date&pageSize=40&page=2");
    expect(byDate.body.hits.map((h) => h.id)).toEqual(newest([...titled, ...inBody]).slice(40, 80));
  });
});

describe("search counts near the threshold: the lowest sample level answers when it clearly can", () => {
  // Threshold 300: level 3 answers once it holds 300/8 + 3 × √(300/8) ≈ 56 matches or more.
  beforeAll(() => setSearchBackend(createEmbeddedBackend({ exactThreshold: 300, rankingPool: 100 })));
  afterAll(() => setSearchBackend(undefined));

  it("estimates a query with a few times the threshold from level 3 and still counts one within it exactly", async () => {
    const { db } = await testDatabase();
    const docs = Array.from({ length: 1200 }, (_, i) =>
      doc({
        type: "notice",
        id: `n${i}`,
        // 光伏 in 700 titles, 危房改造 in 280.
        title: i < 700 ? `光伏扶贫电站${i}号公示` : i < 980 ? `危房改造第${i}户公示` : `饮水安全工程${i}号`,
        keywords: LONG_KEYWORDS,
        district: DISTRICTS[i % 3],
        date: "2018-05-01",
        year: 2018,
      }),
    );
    await embeddedBackend.index(db, docs);
    await rows(db, sql`ANALYZE search_documents`);
    const many = await q("光伏");
    expect(many.body.totalIsExact).toBe(false);
    // From level 3: every count is a multiple of 8.
    expect(many.body.total % 8).toBe(0);
    expect(Math.abs(many.body.total - 700) / 700).toBeLessThan(0.35);
    expect(sum(many.body.facets.district)).toBe(many.body.total);
    expect(many.body.hits).toHaveLength(10);
    expect(many.body.hits.every((h) => h.title.includes("光伏"))).toBe(true);
    const few = await q("危房改造");
    expect(few.body).toMatchObject({ total: 280, totalIsExact: true });
  });
});
