import { Meilisearch } from "meilisearch";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { searchOutbox } from "../../db/schema";
import type { SearchDocument, SearchSource, SearchType } from "../../search/contract";
import { setSearchBackend } from "../../search/engine";
import {
  createMeiliTransport,
  MeiliBackend,
  type MeiliDocument,
  type MeiliSearchParams,
  type MeiliTransport,
  markersToHtml,
  meiliFilter,
  meiliKey,
  toMeiliDocument,
} from "../../search/meili";
import { drainAll, drainOnce } from "../../search/outbox";
import { reindex } from "../../search/reindex";
import { syncSearch } from "../../search/sync";
import { testDatabase } from "../support/db";
import { api } from "../support/http";

/** A Meilisearch stand-in: an in-memory index whose writes fail while `down` is set. */
class FakeTransport implements MeiliTransport {
  readonly indexUid = "fake";
  docs = new Map<string, MeiliDocument>();
  down = false;
  calls: string[] = [];
  searchResponse: Awaited<ReturnType<MeiliTransport["search"]>> = { hits: [], totalHits: 0 };
  /** When set: the answer to offset/limit requests (Meilisearch's estimating mode). */
  estimateResponse?: Awaited<ReturnType<MeiliTransport["search"]>>;
  lastSearch?: MeiliSearchParams;
  searches: MeiliSearchParams[] = [];
  async ensureIndex() {}
  async upsert(docs: MeiliDocument[], uid?: string) {
    if (uid) this.upsertedInto.push(uid);
    this.calls.push(`upsert:${docs.map((d) => d.key).join(",")}`);
    if (this.down) throw new Error("connect ECONNREFUSED 127.0.0.1:7700");
    for (const d of docs) this.docs.set(d.key, d);
  }
  async delete(keys: string[]) {
    this.calls.push(`delete:${keys.join(",")}`);
    if (this.down) throw new Error("connect ECONNREFUSED 127.0.0.1:7700");
    for (const k of keys) this.docs.delete(k);
  }
  async search(p: MeiliSearchParams) {
    this.lastSearch = p;
    this.searches.push(p);
    if ("offset" in p && this.estimateResponse) return this.estimateResponse;
    return this.searchResponse;
  }
  async healthy() {
    return !this.down;
  }
  swapped: string[] = [];
  upsertedInto: string[] = [];
  async swapIn(temp: string) {
    this.swapped.push(temp);
  }
}

const notice = (id: string, title: string): SearchDocument => ({
  type: "notice",
  id,
  title,
  body: "依据淄财农[2018]12号文件，下达高青县危房改造补助资金。",
  url: `/notices/${id}`,
  date: "2018-07-02",
  year: 2018,
  district: "高青县",
});

describe("Meilisearch document mapping", () => {
  it("copies only the public fields, with an explicit primary key and canonical document numbers", () => {
    const raw = {
      ...notice("12", "危房改造公示\u0001"),
      keywords: ["淄发〔2016〕3号"],
      reporterPhone: "13800000000",
      internalNote: "内部备注",
    } as SearchDocument;
    const mapped = toMeiliDocument(raw);
    expect(Object.keys(mapped).sort()).toEqual(
      ["body", "date", "dateSort", "district", "id", "key", "keywords", "title", "type", "url", "year"].sort(),
    );
    expect(JSON.stringify(mapped)).not.toContain("13800000000");
    expect(JSON.stringify(mapped)).not.toContain("内部备注");
    expect(mapped.key).toBe("notice__12");
    expect(mapped.title).toBe("危房改造公示");
    expect(mapped.dateSort).toBe(20180702);
    expect(mapped.keywords).toEqual(expect.arrayContaining(["淄发〔2016〕3号", "淄财农〔2018〕12号"]));
  });

  it("keeps primary keys within Meilisearch's alphabet", () => {
    expect(meiliKey("policy", "淄发-3")).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(meiliKey("policy", "a b")).not.toBe(meiliKey("policy", "a_b"));
  });

  it("builds filters with quoted values and turns highlight markers into safe HTML", () => {
    expect(meiliFilter({ type: "notice", year: 2018, district: '高青县"OR 1' })).toEqual([
      'type = "notice"',
      "year = 2018",
      'district = "高青县\\"OR 1"',
    ]);
    expect(markersToHtml("<b>\u0001低保\u0002</b>")).toBe("&lt;b&gt;<mark>低保</mark>&lt;/b&gt;");
  });
});

describe("search outbox with the Meilisearch backend (fake transport)", () => {
  const type: SearchType = "notice";
  const previous: SearchSource | undefined = undefined;
  let fake: FakeTransport;
  const store = new Map<string, SearchDocument>();
  const source: SearchSource = {
    type,
    load: async (_db, ids) => [...store.values()].filter((d) => !ids || ids.includes(d.id)),
  };
  const sources = { notice: source };

  beforeAll(() => {
    fake = new FakeTransport();
    setSearchBackend(new MeiliBackend(fake));
  });
  afterAll(() => setSearchBackend(previous));
  afterEach(() => {
    store.clear();
    fake.docs.clear();
    fake.calls = [];
    fake.down = false;
    fake.searches = [];
    fake.estimateResponse = undefined;
  });

  it("syncSearch leaves outbox rows in the content's transaction; a rollback leaves none", async () => {
    const { db } = await testDatabase();
    await expect(
      db.transaction(async (tx) => {
        await syncSearch(tx, type, [1, 2, 2]);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow();
    expect(await db.select().from(searchOutbox)).toEqual([]);
    await db.transaction(async (tx) => syncSearch(tx, type, [1, 2, 2]));
    const queued = await db.select().from(searchOutbox);
    expect(queued.map((r) => `${r.docType}:${r.docId}`).sort()).toEqual(["notice:1", "notice:2"]);
  });

  it("loses nothing while Meilisearch is down: fails, backs off, then delivers and empties the outbox", async () => {
    const { db } = await testDatabase();
    store.set("1", notice("1", "常家镇危房改造公示"));
    store.set("2", notice("2", "木李镇低保公示"));
    await db.transaction(async (tx) => syncSearch(tx, type, ["1", "2"]));

    fake.down = true;
    const failed = await drainOnce(db, new MeiliBackend(fake), { sources });
    expect(failed).toEqual({ processed: 0, failed: 2 });
    const waiting = await db.select().from(searchOutbox);
    expect(waiting).toHaveLength(2);
    for (const r of waiting) {
      expect(r.attempts).toBe(1);
      expect(r.lastError).toContain("ECONNREFUSED");
      expect(r.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    }
    // Not due yet: the worker leaves them alone.
    expect(await drainOnce(db, new MeiliBackend(fake), { sources })).toEqual({ processed: 0, failed: 0 });

    fake.down = false;
    const done = await drainAll(db, new MeiliBackend(fake), { sources, ignoreBackoff: true });
    expect(done).toEqual({ processed: 2, failed: 0 });
    expect(await db.select().from(searchOutbox)).toEqual([]);
    expect([...fake.docs.keys()].sort()).toEqual(["notice__1", "notice__2"]);
    expect(fake.docs.get("notice__2")?.title).toBe("木李镇低保公示");
  });

  it("an item that is gone (withdrawn, deleted) is removed from the index", async () => {
    const { db } = await testDatabase();
    store.set("5", notice("5", "撤回前的公示"));
    await db.transaction(async (tx) => syncSearch(tx, type, ["5"]));
    await drainAll(db, new MeiliBackend(fake), { sources });
    expect(fake.docs.has("notice__5")).toBe(true);
    store.delete("5");
    await db.transaction(async (tx) => syncSearch(tx, type, ["5"]));
    await drainAll(db, new MeiliBackend(fake), { sources });
    expect(fake.docs.has("notice__5")).toBe(false);
    expect(fake.calls.at(-1)).toBe("delete:notice__5");
  });

  it("keeps rows of a type with no registered source for later", async () => {
    const { db } = await testDatabase();
    await db.transaction(async (tx) => syncSearch(tx, "photo", ["1"]));
    const r = await drainOnce(db, new MeiliBackend(fake), { sources });
    expect(r.failed).toBe(1);
    expect((await db.select().from(searchOutbox))[0].lastError).toContain("no search source");
  });

  it("GET /api/search maps Meilisearch hits and facets, escaping stored text", async () => {
    fake.searchResponse = {
      totalHits: 1,
      hits: [
        {
          ...toMeiliDocument(notice("1", "<i>常家镇</i>危房改造公示")),
          _formatted: {
            title: "<i>常家镇</i>\u0001危房改造\u0002公示",
            body: "…下达高青县\u0001危房改造\u0002补助资金。",
          },
        },
      ],
      facetDistribution: { type: { notice: 1 }, year: { "2018": 1 }, district: { 高青县: 1 } },
    };
    const res = await api(`/api/search?q=${encodeURIComponent("危房改造")}&district=${encodeURIComponent("高青县")}`);
    expect(res.status).toBe(200);
    expect(fake.lastSearch?.filter).toEqual(['district = "高青县"']);
    expect(res.body.hits[0]).toMatchObject({
      type: "notice",
      id: "1",
      url: "/notices/1",
      titleHtml: "&lt;i&gt;常家镇&lt;/i&gt;<mark>危房改造</mark>公示",
      snippet: "…下达高青县<mark>危房改造</mark>补助资金。",
      district: "高青县",
      date: "2018-07-02",
    });
    expect(res.body.facets).toEqual({
      type: [{ value: "notice", count: 1 }],
      year: [{ value: "2018", count: 1 }],
      district: [{ value: "高青县", count: 1 }],
    });
  });

  it("GET /api/search maps estimatedTotalHits past the threshold to an estimated total (totalIsExact: false)", async () => {
    fake.estimateResponse = {
      estimatedTotalHits: 123_456,
      hits: [{ ...toMeiliDocument(notice("1", "扶贫资金公示")) }],
      facetDistribution: { type: { notice: 100_000, allocation: 23_456 }, year: { "2018": 123_456 }, district: {} },
    };
    const res = await api(`/api/search?q=${encodeURIComponent("扶贫")}&page=3&pageSize=20`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 123_456, totalIsExact: false, page: 3, pageSize: 20 });
    expect(res.body.facets.type).toEqual([
      { value: "notice", count: 100_000 },
      { value: "allocation", count: 23_456 },
    ]);
    // One request, in the estimating mode: never the exhaustive count of 123,456 matches.
    expect(fake.searches).toHaveLength(1);
    expect(fake.searches[0]).toMatchObject({ offset: 40, limit: 20 });
  });

  it("GET /api/search asks Meilisearch for the exhaustive count when its estimate is within the threshold", async () => {
    fake.estimateResponse = { estimatedTotalHits: 3, hits: [], facetDistribution: {} };
    fake.searchResponse = {
      totalHits: 2,
      hits: [
        { ...toMeiliDocument(notice("1", "常家镇危房改造公示")) },
        { ...toMeiliDocument(notice("2", "危房改造")) },
      ],
      facetDistribution: { type: { notice: 2 } },
    };
    const res = await api(`/api/search?q=${encodeURIComponent("危房改造")}`);
    expect(res.body).toMatchObject({ total: 2, totalIsExact: true });
    expect(res.body.facets.type).toEqual([{ value: "notice", count: 2 }]);
    expect(fake.searches.map((p) => ("page" in p ? "exhaustive" : "estimate"))).toEqual(["estimate", "exhaustive"]);
    expect(fake.searches[1]).toMatchObject({ page: 1, hitsPerPage: 10 });
  });

  it("reindex builds a fresh index from the sources, swaps it in and clears the outbox it covered", async () => {
    const { db } = await testDatabase();
    store.set("1", notice("1", "常家镇危房改造公示"));
    await db.transaction(async (tx) => syncSearch(tx, type, ["1"]));
    const result = await reindex(db, new MeiliBackend(fake), { sources });
    expect(result.documents).toBe(1);
    expect(fake.upsertedInto[0]).toMatch(/^fake_reindex_\d+$/);
    expect(fake.swapped).toEqual([fake.upsertedInto[0]]);
    expect(await db.select().from(searchOutbox)).toEqual([]);
  });

  it("health reports Meilisearch down and the outbox backlog", async () => {
    const { db } = await testDatabase();
    await db.transaction(async (tx) => syncSearch(tx, type, ["9"]));
    fake.down = true;
    const res = await api("/api/health");
    expect(res.body.searchStatus).toBe("unavailable");
    expect(res.body.searchBacklog).toBe(1);
  });
});

// Contract tests against a real Meilisearch: only when MEILISEARCH_URL is set.
const meiliUrl = process.env.MEILISEARCH_URL;
if (!meiliUrl) {
  console.log(
    "SKIPPED: Meilisearch contract tests (set MEILISEARCH_URL, MEILISEARCH_KEY and MEILISEARCH_SEARCH_KEY to run them)",
  );
}
describe.skipIf(!meiliUrl)("Meilisearch contract (real server)", () => {
  const uid = `sunshine_test_${process.pid}_${Date.now()}`;
  const transport = () =>
    createMeiliTransport({
      url: meiliUrl!,
      adminKey: process.env.MEILISEARCH_KEY,
      searchKey: process.env.MEILISEARCH_SEARCH_KEY ?? process.env.MEILISEARCH_KEY,
      indexUid: uid,
    });

  it("applies settings, indexes, finds Chinese words with facets and filters, deletes", async () => {
    const t = transport();
    const backend = new MeiliBackend(t);
    const { db } = await testDatabase();
    await t.ensureIndex();
    await backend.index(db, [
      notice("1", "常家镇农村危房改造补助资金公示"),
      { ...notice("2", "沂源县低保资金发放"), district: "沂源县", body: "农村低保" },
    ]);
    const q = (text: string, extra: object = {}) =>
      backend.query(db, { q: text, page: 1, pageSize: 10, sort: "relevance", ...extra });
    const housing = await q("危房改造");
    expect(housing.hits.map((h) => h.id)).toContain("1");
    expect(housing.hits[0].titleHtml).toContain("<mark>");
    const dibao = await q("低保", { district: "沂源县" });
    expect(dibao.hits.map((h) => h.id)).toEqual(["2"]);
    expect(dibao.facets.district).toEqual([{ value: "沂源县", count: 1 }]);
    await backend.remove(db, "notice", ["2"]);
    expect((await q("低保")).total).toBe(0);
    await new Meilisearch({ host: meiliUrl!, apiKey: process.env.MEILISEARCH_KEY }).deleteIndex(uid).waitTask();
  });
});
