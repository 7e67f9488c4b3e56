import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rows } from "../../db/client";
import { migrationsDir } from "../../db/migrate";
import type { SearchDocument } from "../../search/contract";
import { embeddedBackend } from "../../search/embedded";
import {
  facetTsquery,
  parseQuery,
  sampledLevels,
  sampleLevel,
  sampleTsquery,
  titleTsqueryAt,
  tsqueryAt,
} from "../../search/text";
import { testDatabase } from "../support/db";

// Sampled postings (search/text.ts): the query written over level k's sampled lexemes finds exactly the
// query's matches among the level-k documents, for every kind of query word, with the facet filters and
// the title words.

const WORDS = ["城乡低保", "危房改造", "光伏扶贫", "小额信贷", "饮水安全", "黄河滩区", "乡村旅游", "扶贫车间"];
const PLACES = ["高青县常家镇", "沂源县西里镇", "淄川区太河镇", "博山区池上镇"];

/** 1,200 documents of mixed words, places, document numbers and an English word. */
function corpus(): SearchDocument[] {
  return Array.from({ length: 1200 }, (_, i) => {
    const a = WORDS[i % WORDS.length];
    const b = WORDS[(i * 5 + 3) % WORDS.length];
    const place = PLACES[i % PLACES.length];
    return {
      type: i % 3 === 0 ? "allocation" : "notice",
      id: `d${i}`,
      title: `${place}${a}项目公示（第${i}批）`,
      body: `${b}资金已拨付，依据淄财农〔2018〕${i % 7}号文件。photovoltaic ${i % 3 === 0 ? "中郝峪村联系人韩秀英" : ""}`,
      keywords: i % 5 === 0 ? ["兜底保障"] : [],
      url: `/notices/d${i}`,
      date: `201${6 + (i % 4)}-0${1 + (i % 9)}-15`,
      year: 2016 + (i % 4),
      district: place.slice(0, 3),
    };
  });
}

const QUERIES = [
  "低保", // a two-character word
  "危房改造", // a dictionary word of four characters: its lexeme
  "韩秀英", // a name jieba splits: a one-character prefix and a word
  "郝峪村", // a word that is not in the dictionary: its lexeme or its character pairs in a row
  "扶", // one character: a prefix
  "photo", // a Latin prefix
  "淄财农〔2018〕3号", // a document number
  "太河镇 光伏", // two words
];

async function ids(db: Parameters<typeof rows>[0], tsquery: string) {
  const found = await rows<{ id: string }>(
    db,
    sql`SELECT doc_id AS id FROM search_documents WHERE tsv @@ ${tsquery}::tsquery ORDER BY doc_id`,
  );
  return found.map((r) => r.id);
}

describe("search: sampled postings", () => {
  it("the query over level k's sampled postings finds exactly its matches at level k", async () => {
    const { db } = await testDatabase();
    const docs = corpus();
    await embeddedBackend.index(db, docs);
    const maxLevel = Math.max(...docs.map((d) => sampleLevel(d.type, String(d.id))));
    const levels = sampledLevels(maxLevel).slice(0, 3);
    expect(levels).toEqual([3, 6, 9].slice(0, levels.length));
    let compared = 0;
    for (const q of QUERIES) {
      const parsed = parseQuery(q);
      const all = await ids(db, parsed.tsquery!);
      expect(all.length, q).toBeGreaterThan(0);
      for (const k of levels) {
        const expected = await ids(db, `( ${parsed.tsquery} ) & ${sampleTsquery(k)}`);
        expect(await ids(db, tsqueryAt(parsed, k)), `${q} at level ${k}`).toEqual(expected);
        compared += expected.length;
        for (const mode of ["all", "any"] as const) {
          const inTitle = `( ${parsed.tsquery} ) & ( ${titleTsqueryAt(parsed, 0, mode)} ) & ${sampleTsquery(k)}`;
          const sampled = `( ${tsqueryAt(parsed, k)} ) & ( ${titleTsqueryAt(parsed, k, mode)} )`;
          expect(await ids(db, sampled), `${q} (${mode} in the title) at level ${k}`).toEqual(await ids(db, inTitle));
        }
      }
    }
    // Not vacuous: the samples held matches.
    expect(compared).toBeGreaterThan(100);
  });

  it("the facet filters over level k's sampled postings find exactly the filtered matches at level k", async () => {
    const { db } = await testDatabase();
    await embeddedBackend.index(db, corpus());
    const filters = [{ type: "notice" }, { year: 2017 }, { district: "沂源县" }, { type: "allocation", year: 2018 }];
    let compared = 0;
    for (const f of filters) {
      for (const q of ["低保", "太河镇 光伏"]) {
        const parsed = parseQuery(q);
        for (const k of [3, 6]) {
          const expected = await ids(db, `( ${parsed.tsquery} ) & ${facetTsquery(f)} & ${sampleTsquery(k)}`);
          const sampled = `( ${tsqueryAt(parsed, k)} ) & ${facetTsquery(f, k)}`;
          expect(await ids(db, sampled), `${q} ${JSON.stringify(f)} at level ${k}`).toEqual(expected);
          compared += expected.length;
        }
      }
    }
    expect(compared).toBeGreaterThan(20);
  });

  it("migrations 0260 and 0270 give rows indexed before them the sampled postings the code writes", async () => {
    const database = await testDatabase();
    const { db } = database;
    await embeddedBackend.index(db, corpus().slice(0, 200));
    const before = await rows<{ id: string; tsv: string }>(
      db,
      sql`SELECT doc_id AS id, tsv::text AS tsv FROM search_documents ORDER BY doc_id`,
    );
    expect(before.some((r) => r.tsv.includes("'#3/"))).toBe(true);
    // As an older version indexed them: no sampled postings, no '#r:1'.
    await rows(
      db,
      sql`UPDATE search_documents SET tsv = ts_delete(tsv, ARRAY(
            SELECT l FROM unnest(tsvector_to_array(tsv)) AS l WHERE l ~ '^#[0-9]' OR l = '#r:1'))`,
    );
    const stripped = await rows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM search_documents WHERE tsv::text LIKE '%''#3/%'`,
    );
    expect(stripped[0].n).toBe(0);
    for (const file of ["0260_search_sampled_postings.sql", "0270_search_sampled_facets_titles.sql"]) {
      await database.exec(readFileSync(path.join(migrationsDir(), file), "utf8"));
    }
    const after = await rows<{ id: string; tsv: string }>(
      db,
      sql`SELECT doc_id AS id, tsv::text AS tsv FROM search_documents ORDER BY doc_id`,
    );
    expect(after).toEqual(before);
  });
});
