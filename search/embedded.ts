import { and, eq, inArray, sql } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import { customPlan, type Db, rows } from "../db/client";
import { searchDocuments } from "../db/schema";
import type { SearchDocument, SearchType } from "./contract";
import type { FacetCount, NormalizedQuery, SearchBackend, SearchHit, SearchResult } from "./engine";
import {
  buildTsvector,
  facetLexemes,
  facetTsquery,
  highlightHtml,
  memoSegmenter,
  normalize,
  parseQuery,
  snippetHtml,
  titleLexemes,
} from "./text";

// The embedded backend: the index is a table in the application's own database (PGlite or the
// PostgreSQL server), written in the content's transaction, queried with a GIN index on a tsvector
// of jieba's words and adjacent-character pairs (see search/text.ts).

const BATCH = 400;
// ts_rank weights {D, C, B, A}: character pairs count little, the title most.
const WEIGHTS = "{0.05,0.25,0.6,1.0}";

const clean = (s: string) => s.replaceAll(String.fromCharCode(0), "");

export function toRow(doc: SearchDocument) {
  const keywords = (doc.keywords ?? []).map(clean).filter(Boolean);
  const title = clean(doc.title);
  const body = clean(doc.body ?? "");
  const year = doc.year ?? (doc.date ? Number(doc.date.slice(0, 4)) : null);
  const facets = facetLexemes({ type: doc.type, year, district: doc.district });
  const segment = memoSegmenter();
  return {
    docType: doc.type,
    docId: String(doc.id),
    title,
    body,
    keywords,
    url: doc.url,
    date: doc.date,
    year,
    district: doc.district,
    // Plus the facet lexemes and the title lexemes (search/text.ts), matched by the same GIN index.
    tsv: sql`${buildTsvector({ title, body, keywords }, { extra: [...facets, ...titleLexemes({ title, keywords }, segment)], segment })}::tsvector`,
    // Scoring reads only this (for a bounded number of matches): the title's and keywords' words.
    rankTsv: sql`${buildTsvector({ title, body: "", keywords }, { pairs: false, segment })}::tsvector`,
  };
}

async function index(db: Db, docs: SearchDocument[]) {
  // Last one wins when a batch names the same document twice.
  const unique = new Map(docs.map((d) => [`${d.type}\u0000${d.id}`, d]));
  const list = [...unique.values()];
  for (let i = 0; i < list.length; i += BATCH) {
    const batch = list.slice(i, i + BATCH).map(toRow);
    await db
      .insert(searchDocuments)
      .values(batch as any)
      .onConflictDoUpdate({
        target: [searchDocuments.docType, searchDocuments.docId],
        set: {
          title: sql`excluded.title`,
          body: sql`excluded.body`,
          keywords: sql`excluded.keywords`,
          url: sql`excluded.url`,
          date: sql`excluded.date`,
          year: sql`excluded.year`,
          district: sql`excluded.district`,
          tsv: sql`excluded.tsv`,
          rankTsv: sql`excluded.rank_tsv`,
          indexedAt: sql`now()`,
        },
      });
  }
}

async function remove(db: Db, type: SearchType, ids: string[]) {
  if (ids.length === 0) return;
  await db
    .delete(searchDocuments)
    .where(and(eq(searchDocuments.docType, type), inArray(searchDocuments.docId, ids.map(String))));
}

const emptyFacets = () => ({ type: [], year: [], district: [] });

/**
 * How many title/keyword matches get a relevance score; when there are more, those with every query word
 * in their title or keywords, then those with some, the shortest (ts_rank divides by the length) and then
 * the newest first.
 * Scoring reads each one's out-of-line rank_tsv and title; every other match is only counted and dated.
 */
export const RANKED_CANDIDATES = 200;

/**
 * Run fn with the planner told to use the GIN index. Left alone, it may choose a sequential scan and
 * evaluate `tsv @@ …` on every row it reads: that detoasts the full tsvector of each (ten times the cost
 * of a bitmap scan for a common word). It also underestimates the matches, and would sort them for a
 * merge join where hashing them is cheaper. The matches are materialised: give them memory. The settings
 * last until the transaction ends; inside a caller's transaction they are put back before returning.
 */
const PLAN_SETTINGS: [string, string][] = [
  ["enable_seqscan", "off"],
  ["enable_mergejoin", "off"],
  ["jit", "off"],
  ["work_mem", "32MB"],
];

async function withGinPlan<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  const nested = db instanceof PgTransaction;
  return db.transaction(async (tx) => {
    const [before] = await rows<Record<string, string>>(
      tx,
      sql.join(
        [
          sql`SELECT`,
          sql.join(
            PLAN_SETTINGS.map(
              ([name, value], i) =>
                sql`current_setting(${name}) AS ${sql.identifier(`s${i}`)}, set_config(${name}, ${value}, true)`,
            ),
            sql`, `,
          ),
        ],
        sql` `,
      ),
    );
    const result = await fn(tx);
    if (nested) {
      await rows(
        tx,
        sql`SELECT ${sql.join(
          PLAN_SETTINGS.map(([name], i) => sql`set_config(${name}, ${before[`s${i}`]}, true)`),
          sql`, `,
        )}`,
      );
    }
    return result;
  });
}

async function query(db: Db, q: NormalizedQuery): Promise<Omit<SearchResult, "tookMs">> {
  const parsed = parseQuery(q.q);
  if (!parsed.tsquery || !parsed.inTitle || !parsed.allInTitle) {
    return { hits: [], total: 0, facets: emptyFacets(), page: q.page, pageSize: q.pageSize };
  }
  // Facet filters and title words are lexemes of tsv too (search/text.ts), so one GIN index answers all.
  const facets = facetTsquery({ type: q.type, year: q.year, district: q.district });
  const matchQuery = facets ? `( ${parsed.tsquery} ) & ${facets}` : parsed.tsquery;
  const allTitleQuery = `( ${matchQuery} ) & ( ${parsed.allInTitle} )`;
  // With one word, "some word in the title" is "every word in the title".
  const anyTitleQuery = parsed.allInTitle === parsed.inTitle ? null : `( ${matchQuery} ) & ( ${parsed.inTitle} )`;
  const phrase = normalize(q.q).replace(/\s+/g, "");
  const need = q.page * q.pageSize;
  const offset = (q.page - 1) * q.pageSize;
  const score = sql`ts_rank(${sql.raw(`'${WEIGHTS}'::float4[]`)}, s.rank_tsv, ${parsed.tsquery}::tsquery, 1)
    + CASE WHEN strpos(lower(s.title), ${phrase}) > 0 THEN 1 ELSE 0 END`;
  // f: every match, counted by (type, year, district) for the total and the facets: a bitmap scan of the
  // GIN index whose small heap rows hold those values. Then the page, as (row, tier, score, all_title,
  // dt) in order; its scans use the same index (tsv holds the facet and title lexemes too), each only
  // when matches are left for it. Only `scored` and the page of hits read a row's out-of-line title,
  // body and rank_tsv. Rows are named by ctid: stable within the statement's snapshot, cheap to hash.
  const page =
    q.sort === "date"
      ? sql`m AS MATERIALIZED (
            SELECT ctid AS row, doc_type, year, district, date AS dt FROM search_documents
            WHERE tsv @@ ${matchQuery}::tsquery
          ), f AS (
            SELECT doc_type, year, district, count(*)::int AS n FROM m GROUP BY doc_type, year, district
          ), top AS (
            SELECT row, 0 AS tier, NULL::real AS score, false AS all_title, dt FROM m
            ORDER BY dt DESC NULLS LAST, row LIMIT ${q.pageSize} OFFSET ${offset}
          )`
      : // Relevance, in three tiers, each computed only when the ones before fill less than the page:
        // 0. scored: of the matches with every query word in their title or keywords (e: the shortest,
        //    then newest RANKED_CANDIDATES of them) or, when e has fewer, with some word (a, likewise),
        //    RANKED_CANDIDATES by score (the whole query in the title first, then ts_rank);
        // 1. the rest of e, newest first;  2. the rest of the matches, newest first.
        sql`f AS MATERIALIZED (
            SELECT doc_type, year, district, count(*)::int AS n FROM search_documents
            WHERE tsv @@ ${matchQuery}::tsquery GROUP BY doc_type, year, district
          ), total AS MATERIALIZED (
            SELECT coalesce(sum(n), 0) AS n FROM f
          ), e AS MATERIALIZED (
            SELECT ctid AS row, date AS dt, rank_len FROM search_documents
            WHERE (SELECT n FROM total) > 0 AND tsv @@ ${allTitleQuery}::tsquery
            ORDER BY rank_len, date DESC NULLS LAST, ctid LIMIT ${RANKED_CANDIDATES}
          ), a AS MATERIALIZED (
            SELECT ctid AS row, date AS dt, rank_len FROM search_documents
            WHERE ${anyTitleQuery !== null} AND (SELECT count(*) FROM e) < ${RANKED_CANDIDATES}
              AND (SELECT n FROM total) > (SELECT count(*) FROM e)
              AND tsv @@ ${anyTitleQuery ?? allTitleQuery}::tsquery AND NOT (ctid IN (SELECT row FROM e))
            ORDER BY rank_len, date DESC NULLS LAST, ctid LIMIT ${RANKED_CANDIDATES}
          ), c AS (
            SELECT row, dt, rank_len, true AS all_title FROM e
            UNION ALL
            SELECT row, dt, rank_len, false FROM a
          ), scored AS MATERIALIZED (
            SELECT c.row, 0 AS tier, (${score})::real AS score, c.all_title, c.dt
            FROM (SELECT * FROM c ORDER BY all_title DESC, rank_len, dt DESC NULLS LAST, row
                  LIMIT ${RANKED_CANDIDATES}) c
            JOIN search_documents s ON s.ctid = c.row
          ), t01 AS MATERIALIZED (
            SELECT * FROM scored
            UNION ALL
            (SELECT ctid, 1, NULL::real, true, date FROM search_documents
             WHERE (SELECT count(*) FROM scored) < ${need} AND tsv @@ ${allTitleQuery}::tsquery
               AND NOT (ctid IN (SELECT row FROM scored))
             ORDER BY date DESC NULLS LAST, ctid LIMIT ${need})
          ), t2 AS (
            SELECT ctid AS row, 2 AS tier, NULL::real AS score, false AS all_title, date AS dt
            FROM search_documents
            WHERE (SELECT count(*) FROM t01) < ${need} AND (SELECT n FROM total) > (SELECT count(*) FROM t01)
              AND tsv @@ ${matchQuery}::tsquery AND NOT (ctid IN (SELECT row FROM t01))
            ORDER BY date DESC NULLS LAST, ctid LIMIT ${need}
          ), top AS (
            SELECT * FROM (SELECT * FROM t01 UNION ALL SELECT * FROM t2) u
            ORDER BY tier, score DESC NULLS LAST, all_title DESC, dt DESC NULLS LAST, row
            LIMIT ${q.pageSize} OFFSET ${offset}
          )`;
  const all = await withGinPlan(db, (tx) =>
    rows<{
      kind: "h" | "f";
      rn: number | null;
      doc_type: string | null;
      doc_id: string | null;
      title: string | null;
      body: string | null;
      url: string | null;
      date: string | null;
      district: string | null;
      year: number | null;
      n: number;
    }>(
      tx,
      // Planned for this query's words: one matching ten documents and one matching ten thousand differ.
      customPlan(sql`WITH ${page}
          SELECT 'h' AS kind,
                 (row_number() OVER (ORDER BY top.tier, top.score DESC NULLS LAST, top.all_title DESC,
                                              top.dt DESC NULLS LAST, top.row))::int AS rn,
                 s.doc_type, s.doc_id, s.title, left(s.body, 4000) AS body, s.url,
                 to_char(s.date, 'YYYY-MM-DD') AS date, s.district, NULL::int AS year, 0 AS n
            FROM top JOIN search_documents s ON s.ctid = top.row
          UNION ALL
          -- Every match, counted: the total and the three facets add up from these rows.
          SELECT 'f', NULL, doc_type, NULL, NULL, NULL, NULL, NULL, district, year, n FROM f`),
    ),
  );
  const hitRows = all
    .filter((r) => r.kind === "h")
    .sort((a, b) => a.rn! - b.rn!)
    .map((r) => ({
      ...r,
      doc_type: r.doc_type as SearchType,
      doc_id: r.doc_id!,
      title: r.title!,
      body: r.body!,
      url: r.url!,
    }));
  // One row per (type, year, district) combination: the three facets and the total add up from them.
  const byType = new Map<string, number>();
  const byYear = new Map<string, number>();
  const byDistrict = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string | number | null, n: number) => {
    if (key !== null) map.set(String(key), (map.get(String(key)) ?? 0) + n);
  };
  let total = 0;
  for (const r of all) {
    if (r.kind !== "f") continue;
    total += r.n;
    bump(byType, r.doc_type, r.n);
    bump(byYear, r.year, r.n);
    bump(byDistrict, r.district, r.n);
  }
  const list = (map: Map<string, number>) => [...map].map(([value, count]) => ({ value, count }));
  const facetCounts: { type: FacetCount[]; year: FacetCount[]; district: FacetCount[] } = {
    type: list(byType).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value)),
    year: list(byYear).sort((a, b) => Number(b.value) - Number(a.value)),
    district: list(byDistrict).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value, "zh-CN")),
  };
  const hits: SearchHit[] = hitRows.map((r) => ({
    type: r.doc_type,
    id: r.doc_id,
    title: r.title,
    titleHtml: highlightHtml(r.title, parsed.highlight),
    snippet: snippetHtml(r.body || r.title, parsed.highlight),
    url: r.url,
    date: r.date,
    district: r.district,
  }));
  return { hits, total, facets: facetCounts, page: q.page, pageSize: q.pageSize };
}

export const embeddedBackend: SearchBackend & {
  /** Remove every document of a type (reindex). */
  clear(db: Db, type: SearchType): Promise<void>;
} = {
  name: "embedded",
  index,
  remove,
  query,
  clear: async (db, type) => {
    await db.delete(searchDocuments).where(eq(searchDocuments.docType, type));
  },
  health: async (db) => {
    await rows(db, sql`SELECT 1 FROM search_documents LIMIT 1`);
    return { backend: "embedded", ok: true };
  },
};
