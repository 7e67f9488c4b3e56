import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { rows } from "../../db/client";
import { searchOutbox } from "../../db/schema";
import type { SearchDocument, SearchSource, SearchType } from "../../search/contract";
import { embeddedBackend, RANKED_CANDIDATES } from "../../search/embedded";
import { normalizeQuery, type SearchResult } from "../../search/engine";
import { searchSources } from "../../search/registry";
import { reindex } from "../../search/reindex";
import { seedSearchIndex } from "../../search/seed";
import { syncSearch } from "../../search/sync";
import { facetLexemes } from "../../search/text";
import { testDatabase } from "../support/db";
import { api, expectEnvelope } from "../support/http";
import { searchDocument as doc } from "../support/search";

async function indexDocs(docs: SearchDocument[]) {
  const { db } = await testDatabase();
  await embeddedBackend.index(db, docs);
}

describe("GET /api/search (embedded backend)", () => {
  it("finds segmented Chinese words, with facets by type, year and district", async () => {
    await indexDocs([
      doc({
        type: "notice",
        id: "1",
        title: "高青县常家镇2018年农村危房改造补助资金公示",
        body: "对常家镇危房改造户进行补助，公示期10天。",
        district: "高青县",
      }),
      doc({
        type: "allocation",
        id: "7",
        title: "2018年中央财政专项扶贫资金（高青县）",
        body: "用于高青县黄河滩区产业扶贫项目。",
        district: "高青县",
      }),
      doc({
        type: "allocation",
        id: "8",
        title: "2017年省级财政专项扶贫资金（沂源县）",
        body: "沂源县产业扶贫。",
        district: "沂源县",
        date: "2017-05-01",
        year: 2017,
      }),
      doc({ type: "policy", id: "3", title: "淄博市城乡低保标准调整通知", body: "提高农村低保标准。", district: null }),
    ]);
    const housing = await api<SearchResult>(`/api/search?q=${encodeURIComponent("危房改造")}`);
    expect(housing.status).toBe(200);
    expect(housing.body.hits.map((h) => `${h.type}:${h.id}`)).toEqual(["notice:1"]);
    expect(housing.body.hits[0].titleHtml).toContain("<mark>危房改造</mark>");
    expect(housing.body.hits[0].url).toBe("/notices/1");

    const gaoqing = await api<SearchResult>(`/api/search?q=${encodeURIComponent("高青 资金")}`);
    expect(gaoqing.body.total).toBe(2);
    expect(gaoqing.body.facets.type).toEqual([
      { value: "allocation", count: 1 },
      { value: "notice", count: 1 },
    ]);
    expect(gaoqing.body.facets.district).toEqual([{ value: "高青县", count: 2 }]);
    expect(gaoqing.body.facets.year).toEqual([{ value: "2018", count: 2 }]);
    expect(typeof gaoqing.body.tookMs).toBe("number");

    const filtered = await api<SearchResult>(`/api/search?q=${encodeURIComponent("资金")}&type=allocation&year=2017`);
    expect(filtered.body.hits.map((h) => h.id)).toEqual(["8"]);
    expect(filtered.body.hits[0].district).toBe("沂源县");

    const dibao = await api<SearchResult>(`/api/search?q=${encodeURIComponent("低保")}`);
    expect(dibao.body.hits.map((h) => h.id)).toEqual(["3"]);
  });

  it("highlights safely: the text is escaped and only the matches are wrapped in <mark>", async () => {
    await indexDocs([
      doc({
        type: "notice",
        id: "9",
        title: '<img src=x onerror="alert(1)">低保公示',
        body: "前言<script>alert('x')</script>低保资金 & 补助",
      }),
    ]);
    const res = await api<SearchResult>(`/api/search?q=${encodeURIComponent("低保")}`);
    const hit = res.body.hits[0];
    expect(hit.titleHtml).toBe("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;<mark>低保</mark>公示");
    expect(hit.snippet).toContain("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;<mark>低保</mark>资金 &amp; 补助");
    expect(hit.snippet.replace(/<\/?mark>/g, "")).not.toMatch(/[<>]/);
  });

  it("sorts by date when asked and paginates", async () => {
    await indexDocs(
      Array.from({ length: 12 }, (_, i) =>
        doc({
          type: "notice",
          id: String(i + 1),
          title: `扶贫项目公示第${i + 1}期`,
          date: `2018-${String(i + 1).padStart(2, "0")}-01`,
        }),
      ),
    );
    const page1 = await api<SearchResult>(`/api/search?q=${encodeURIComponent("扶贫项目")}&sort=date&pageSize=5`);
    expect(page1.body.total).toBe(12);
    expect(page1.body.hits.map((h) => h.id)).toEqual(["12", "11", "10", "9", "8"]);
    const page3 = await api<SearchResult>(
      `/api/search?q=${encodeURIComponent("扶贫项目")}&sort=date&pageSize=5&page=3`,
    );
    expect(page3.body.hits.map((h) => h.id)).toEqual(["2", "1"]);
  });

  it("rejects an empty or overlong query, an unknown type and a bad page with the error envelope", async () => {
    for (const path of [
      "/api/search",
      "/api/search?q=",
      "/api/search?q=  ",
      `/api/search?q=${"扶".repeat(101)}`,
      "/api/search?q=低保&type=tickets",
      "/api/search?q=低保&page=0",
      "/api/search?q=低保&page=abc",
      "/api/search?q=低保&pageSize=500",
      "/api/search?q=低保&sort=popular",
      "/api/search?q=低保&year=18",
    ]) {
      const res = await api(encodeURI(path));
      expect(res.status, path).toBe(400);
      const error = expectEnvelope(res.body);
      expect(error.message, path).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it("punctuation-only queries find nothing rather than failing", async () => {
    const res = await api<SearchResult>(`/api/search?q=${encodeURIComponent("！？…")}`);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(0);
  });
});

describe("embedded backend at scale: exact counts, bounded scoring", () => {
  it("counts every match for the total and facets, ranks title matches first, and pages consistently past the scored ones", async () => {
    const districts = ["高青县", "沂源县", "淄川区"];
    const docs: SearchDocument[] = [];
    // More title matches than get a relevance score, spread over types, districts and years…
    for (let i = 1; i <= RANKED_CANDIDATES + 40; i++) {
      docs.push(
        doc({
          type: i % 4 === 0 ? "allocation" : "notice",
          id: `t${i}`,
          title: `第${i}批低保资金发放公示`,
          district: districts[i % 3],
          date: `${2016 + (i % 3)}-03-${String(1 + (i % 28)).padStart(2, "0")}`,
          year: 2016 + (i % 3),
        }),
      );
    }
    // …newer documents that mention the word only in their body…
    for (let i = 1; i <= 15; i++) {
      docs.push(
        doc({
          type: "notice",
          id: `b${i}`,
          title: `第${i}批村内道路硬化项目公示`,
          body: "含低保户务工补助。",
          district: "高青县",
          date: "2020-05-01",
          year: 2020,
        }),
      );
    }
    // …and an old document whose title is the query itself.
    docs.push(doc({ type: "policy", id: "p1", title: "低保", date: "2014-01-01", year: 2014 }));
    await indexDocs(docs);

    const all = await api<SearchResult>(`/api/search?q=${encodeURIComponent("低保")}&pageSize=50`);
    expect(all.body.total).toBe(docs.length);
    const sum = (list: { count: number }[]) => list.reduce((n, f) => n + f.count, 0);
    expect(sum(all.body.facets.type)).toBe(docs.length);
    expect(sum(all.body.facets.year)).toBe(docs.length);
    expect(all.body.facets.year.find((f) => f.value === "2020")?.count).toBe(15);
    expect(all.body.facets.district.find((f) => f.value === "高青县")?.count).toBe(
      docs.filter((d) => d.district === "高青县").length,
    );
    // The whole query as the title first; then title matches; body-only matches last, though newest.
    expect(all.body.hits[0].id).toBe("p1");
    expect(all.body.hits.every((h) => h.title.includes("低保"))).toBe(true);

    const seen: string[] = [];
    for (let page = 1; page <= 6; page++) {
      const res = await api<SearchResult>(`/api/search?q=${encodeURIComponent("低保")}&pageSize=50&page=${page}`);
      seen.push(...res.body.hits.map((h) => h.id));
    }
    expect(seen.length).toBe(docs.length);
    expect(new Set(seen).size).toBe(docs.length);
    expect(seen.slice(-15).every((id) => id.startsWith("b"))).toBe(true);

    // A facet filter is exact too, and the facets describe the filtered matches.
    const filtered = await api<SearchResult>(
      `/api/search?q=${encodeURIComponent("低保")}&district=${encodeURIComponent("沂源县")}&year=2017`,
    );
    const expected = docs.filter((d) => d.district === "沂源县" && d.year === 2017).length;
    expect(filtered.body.total).toBe(expected);
    expect(filtered.body.facets.district).toEqual([{ value: "沂源县", count: expected }]);
    expect(filtered.body.facets.year).toEqual([{ value: "2017", count: expected }]);
    expect(filtered.body.hits.every((h) => h.district === "沂源县")).toBe(true);

    const byDate = await api<SearchResult>(`/api/search?q=${encodeURIComponent("低保")}&sort=date&pageSize=5`);
    expect(byDate.body.hits.map((h) => h.date)).toEqual(Array(5).fill("2020-05-01"));
  });

  it("no typed word reaches the facet or title lexemes", async () => {
    await indexDocs([
      doc({ type: "notice", id: "1", title: "高青县危房改造公示", district: "高青县" }),
      doc({ type: "notice", id: "2", title: "沂源县道路硬化公示", body: "危房改造后续", district: "沂源县" }),
    ]);
    for (const q of ["notice", "t:notice", "#t:notice", "#d:高青县", "year", "201", "^危房改造"]) {
      const res = await api<SearchResult>(`/api/search?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
      expect(
        res.body.hits.map((h) => h.id).filter((id: string) => id === "2"),
        q,
      ).toEqual(q === "^危房改造" ? ["2"] : []);
    }
    // Title matches rank first: the title, not the body, says 危房改造.
    const res = await api<SearchResult>(`/api/search?q=${encodeURIComponent("危房改造")}`);
    expect(res.body.hits.map((h) => h.id)).toEqual(["1", "2"]);
  });

  it("searching inside a caller's transaction leaves its planner settings as they were", async () => {
    const { db } = await testDatabase();
    await indexDocs([doc({ type: "notice", id: "1", title: "高青县危房改造公示", district: "高青县" })]);
    const settings = await db.transaction(async (tx) => {
      const result = await embeddedBackend.query(tx, normalizeQuery({ q: "危房改造" }));
      expect(result.total).toBe(1);
      return rows<{ seq: string; mem: string }>(
        tx,
        sql`SELECT current_setting('enable_seqscan') AS seq, current_setting('work_mem') AS mem`,
      );
    });
    const [outside] = await rows<{ seq: string; mem: string }>(
      db,
      sql`SELECT current_setting('enable_seqscan') AS seq, current_setting('work_mem') AS mem`,
    );
    expect(settings[0]).toEqual(outside);
    expect(outside.seq).toBe("on");
  });

  it("migration 0070's facet lexemes (for rows indexed before it) are the ones the code writes", async () => {
    const { db } = await testDatabase();
    await indexDocs([doc({ type: "notice", id: "1", title: "高青县危房改造公示", district: "高青县", year: 2018 })]);
    const [row] = await rows<{ sqlLexemes: string[]; stored: string[] }>(
      db,
      sql`SELECT array_remove(ARRAY['#t:' || doc_type, '#y:' || year::text, '#d:' || NULLIF(district, '')], NULL) AS "sqlLexemes",
                 tsvector_to_array(tsv) AS stored
          FROM search_documents`,
    );
    expect(row.sqlLexemes.sort()).toEqual(facetLexemes({ type: "notice", year: 2018, district: "高青县" }).sort());
    expect(row.stored).toEqual(expect.arrayContaining(row.sqlLexemes));
  });
});

describe("syncSearch with the embedded backend", () => {
  const type: SearchType = "yearbook";
  const previous = searchSources[type];
  afterEach(() => {
    if (previous) searchSources[type] = previous;
    else delete searchSources[type];
  });

  it("writes the index rows in the caller's transaction: a rollback leaves no trace, a commit is searchable", async () => {
    const { db } = await testDatabase();
    const store = new Map<string, string>([["1", "2018年淄博脱贫攻坚年鉴：黄河滩区迁建"]]);
    const source: SearchSource = {
      type,
      load: async (_db, ids) =>
        [...store.entries()]
          .filter(([id]) => !ids || ids.includes(id))
          .map(([id, title]) => doc({ type, id, title, url: `/archive/yearbook/${id}` })),
    };
    searchSources[type] = source;

    await expect(
      db.transaction(async (tx) => {
        await syncSearch(tx, type, [1]);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect((await api<SearchResult>(`/api/search?q=${encodeURIComponent("黄河滩区")}`)).body.total).toBe(0);

    await db.transaction(async (tx) => syncSearch(tx, type, [1]));
    const found = await api<SearchResult>(`/api/search?q=${encodeURIComponent("黄河滩区")}`);
    expect(found.body.hits.map((h) => h.url)).toEqual(["/archive/yearbook/1"]);
    // The embedded backend needs no outbox.
    expect(await db.select().from(searchOutbox)).toEqual([]);

    // Changed, then gone: the index follows.
    store.set("1", "2018年淄博脱贫攻坚年鉴：太河库区");
    await db.transaction(async (tx) => syncSearch(tx, type, ["1"]));
    expect((await api<SearchResult>(`/api/search?q=${encodeURIComponent("黄河滩区")}`)).body.total).toBe(0);
    expect((await api<SearchResult>(`/api/search?q=${encodeURIComponent("太河库区")}`)).body.total).toBe(1);
    store.delete("1");
    await db.transaction(async (tx) => syncSearch(tx, type, ["1"]));
    const [{ n }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM search_documents`);
    expect(n).toBe(0);
  });
});

describe("reindex and the demo seeder", () => {
  const type: SearchType = "photo";
  const previous = searchSources[type];
  afterEach(() => {
    if (previous) searchSources[type] = previous;
    else delete searchSources[type];
  });

  it("rebuilds a type from its source, dropping rows that no longer exist, and reports progress", async () => {
    const { db } = await testDatabase();
    searchSources[type] = {
      type,
      load: async (_db, ids) =>
        ["1", "2", "3"]
          .filter((id) => !ids || ids.includes(id))
          .map((id) => doc({ type, id, title: `我眼中的脱贫攻坚：太河库区${id}` })),
    };
    await embeddedBackend.index(db, [doc({ type, id: "99", title: "已删除的太河库区照片" })]);
    const progress: number[] = [];
    const result = await reindex(db, embeddedBackend, {
      sources: searchSources,
      types: [type],
      onProgress: (p) => progress.push(p.done),
    });
    expect(result.perType[type]).toBe(3);
    expect(progress.at(-1)).toBe(3);
    const found = await api<SearchResult>(`/api/search?q=${encodeURIComponent("太河库区")}&type=photo`);
    expect(found.body.hits.map((h) => h.id).sort()).toEqual(["1", "2", "3"]);

    // The demo seeder leaves a type alone when its rows match the source, and fills it when they do not.
    await seedSearchIndex(db);
    await db.execute(sql`DELETE FROM search_documents WHERE doc_type = 'photo' AND doc_id = '2'`);
    await seedSearchIndex(db);
    const again = await api<SearchResult>(`/api/search?q=${encodeURIComponent("太河库区")}&type=photo`);
    expect(again.body.total).toBe(3);
  });
});

describe("GET /api/health", () => {
  it("reports the search backend and its state", async () => {
    const res = await api("/api/health");
    expect(res.status).toBe(200);
    expect(res.body.search).toBe("embedded");
    expect(res.body.searchStatus).toBe("ok");
  });
});
