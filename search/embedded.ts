import { and, eq, inArray, sql } from "drizzle-orm";
import { type Db, rows } from "../db/client";
import { searchDocuments } from "../db/schema";
import type { SearchDocument, SearchType } from "./contract";
import type { FacetCount, NormalizedQuery, SearchBackend, SearchHit, SearchResult } from "./engine";
import {
  buildTsvector,
  facetLexemes,
  facetTsquery,
  highlightHtml,
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
    tsv: sql`${buildTsvector({ title, body, keywords }, { extra: [...facets, ...titleLexemes({ title, keywords })] })}::tsvector`,
    // Scoring reads only this (for a bounded number of matches): the title's and keywords' words.
    rankTsv: sql`${buildTsvector({ title, body: "", keywords }, { pairs: false })}::tsvector`,
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
 * How many title/keyword matches get a relevance score (the most recent ones when there are more).
 * Scoring reads each one's out-of-line rank_tsv and title; every other match is only counted.
 */
export const RANKED_CANDIDATES = 200;

/**
 * Run fn with the planner told to use the GIN indexes. Left alone, it may choose a sequential scan
 * and evaluate `tsv @@ …` on every row it reads: that detoasts the full tsvector of each (ten times the
 * cost of a bitmap scan for a common word). It also underestimates the matches, and would sort them
 * for a merge join where hashing them is cheaper. The settings are local to
 * this transaction (restored before it ends when the caller's transaction is the one we joined).
 */
async function withGinPlan<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const [before] = await rows<{ seq: string; merge: string; jit: string }>(
      tx,
      sql`SELECT current_setting('enable_seqscan') AS seq, current_setting('enable_mergejoin') AS merge,
                 current_setting('jit') AS jit, set_config('enable_seqscan', 'off', true),
                 set_config('enable_mergejoin', 'off', true), set_config('jit', 'off', true)`,
    );
    const result = await fn(tx);
    await rows(
      tx,
      sql`SELECT set_config('enable_seqscan', ${before.seq}, true), set_config('enable_mergejoin', ${before.merge}, true),
                 set_config('jit', ${before.jit}, true)`,
    );
    return result;
  });
}

async function query(db: Db, q: NormalizedQuery): Promise<Omit<SearchResult, "tookMs">> {
  const parsed = parseQuery(q.q);
  if (!parsed.tsquery || !parsed.inTitle) {
    return { hits: [], total: 0, facets: emptyFacets(), page: q.page, pageSize: q.pageSize };
  }
  // Facet filters are lexemes of both tsvectors (migration 0070), so the GIN indexes answer them too.
  const facets = facetTsquery({ type: q.type, year: q.year, district: q.district });
  const matchQuery = facets ? `( ${parsed.tsquery} ) & ${facets}` : parsed.tsquery;
  const titleQuery = `( ${matchQuery} ) & ( ${parsed.inTitle} )`;
  const phrase = normalize(q.q).replace(/\s+/g, "");
  const ranked = q.sort === "date" ? 0 : RANKED_CANDIDATES;
  // Relevance: the scored title/keyword matches (title containing the whole query first, then ts_rank
  // on rank_tsv), then the other title/keyword matches, then the rest, each newest first.
  // Ties go by physical row: stable within a snapshot, and cheaper than comparing (type, id) as text.
  const order =
    q.sort === "date"
      ? sql`dt DESC NULLS LAST, in_title DESC, row`
      : sql`score DESC NULLS LAST, in_title DESC, dt DESC NULLS LAST, row`;
  // m: every match (GIN bitmap scan; its rows are small: facets and date), counted for the facets.
  // t: the matches' title/keyword hits (second GIN index). Only `ranked` of those read rank_tsv and
  // the title to be scored; the page of hits reads the title and body of its own rows.
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
      sql`WITH m AS MATERIALIZED (
            SELECT ctid AS row, year, district, doc_type, date AS dt FROM search_documents
            WHERE tsv @@ ${matchQuery}::tsquery
          ), t AS MATERIALIZED (
            SELECT ctid AS row FROM search_documents WHERE tsv @@ ${titleQuery}::tsquery
          ), mt AS MATERIALIZED (
            SELECT m.row, m.dt, t.row IS NOT NULL AS in_title FROM m LEFT JOIN t ON t.row = m.row
          ), scored AS MATERIALIZED (
            SELECT c.row,
                   ts_rank(${sql.raw(`'${WEIGHTS}'::float4[]`)}, s.rank_tsv, ${parsed.tsquery}::tsquery, 1)
                     + CASE WHEN strpos(lower(s.title), ${phrase}) > 0 THEN 1 ELSE 0 END AS score
            FROM (SELECT row FROM mt WHERE in_title ORDER BY dt DESC NULLS LAST, row LIMIT ${ranked}) c
            JOIN search_documents s ON s.ctid = c.row
          ), top AS (
            SELECT mt.row, mt.dt, mt.in_title, sc.score FROM mt LEFT JOIN scored sc ON sc.row = mt.row
            ORDER BY ${order} LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}
          )
          SELECT 'h' AS kind, (row_number() OVER (ORDER BY ${order}))::int AS rn, s.doc_type, s.doc_id, s.title,
                 left(s.body, 4000) AS body, s.url, to_char(s.date, 'YYYY-MM-DD') AS date, s.district,
                 NULL::int AS year, 0 AS n
            FROM top JOIN search_documents s ON s.ctid = top.row
          UNION ALL
          SELECT 'f', NULL, doc_type, NULL, NULL, NULL, NULL, NULL, district, year, count(*)::int
            FROM m GROUP BY doc_type, year, district`,
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
