import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import { type Db, rows } from "../db/client";
import { searchDocuments } from "../db/schema";
import type { SearchDocument, SearchType } from "./contract";
import type { FacetCount, NormalizedQuery, SearchBackend, SearchHit, SearchResult } from "./engine";
import { buildTsvector, highlightHtml, normalize, parseQuery, snippetHtml } from "./text";

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
  return {
    docType: doc.type,
    docId: String(doc.id),
    title,
    body,
    keywords,
    url: doc.url,
    date: doc.date,
    year: doc.year ?? (doc.date ? Number(doc.date.slice(0, 4)) : null),
    district: doc.district,
    tsv: sql`${buildTsvector({ title, body, keywords })}::tsvector`,
    // Ranking reads only this: the title's and keywords' words (no character pairs), kept small and inline.
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

function filters(tsquery: string, q: NormalizedQuery): SQL {
  const parts: SQL[] = [sql`tsv @@ ${tsquery}::tsquery`];
  if (q.type) parts.push(sql`doc_type = ${q.type}`);
  if (q.year !== undefined) parts.push(sql`year = ${q.year}`);
  if (q.district) parts.push(sql`district = ${q.district}`);
  return sql.join(parts, sql` AND `);
}

const emptyFacets = () => ({ type: [], year: [], district: [] });

async function query(db: Db, q: NormalizedQuery): Promise<Omit<SearchResult, "tookMs">> {
  const parsed = parseQuery(q.q);
  if (!parsed.tsquery) return { hits: [], total: 0, facets: emptyFacets(), page: q.page, pageSize: q.pageSize };
  const where = filters(parsed.tsquery, q);
  const phrase = normalize(q.q).replace(/\s+/g, "");
  // A title that contains the whole query, as typed, ranks first.
  const score = sql`ts_rank(${sql.raw(`'${WEIGHTS}'::float4[]`)}, rank_tsv, ${parsed.tsquery}::tsquery, 1)
    + CASE WHEN strpos(lower(title), ${phrase}) > 0 THEN 1 ELSE 0 END`;
  const order =
    q.sort === "date"
      ? sql`date DESC NULLS LAST, score DESC, doc_type, doc_id`
      : sql`score DESC, date DESC NULLS LAST, doc_type, doc_id`;
  // One scan of the matches feeds both the page of hits and the facet counts.
  const all = await rows<{
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
    g: number;
    n: number;
  }>(
    db,
    sql`WITH m AS MATERIALIZED (
          SELECT doc_type, doc_id, year, district, date, ${score} AS score
          FROM search_documents WHERE ${where}
        ), top AS (
          SELECT doc_type, doc_id, row_number() OVER (ORDER BY ${order})::int AS rn
          FROM m ORDER BY ${order} LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}
        )
        SELECT 'h' AS kind, top.rn, s.doc_type, s.doc_id, s.title, left(s.body, 4000) AS body, s.url,
               to_char(s.date, 'YYYY-MM-DD') AS date, s.district, NULL::int AS year, 0 AS g, 0 AS n
          FROM top JOIN search_documents s ON s.doc_type = top.doc_type AND s.doc_id = top.doc_id
        UNION ALL
        SELECT 'f', NULL, doc_type, NULL, NULL, NULL, NULL, NULL, district, year,
               GROUPING(doc_type, year, district)::int, count(*)::int
          FROM m GROUP BY GROUPING SETS ((doc_type), (year), (district))`,
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
  const facetRows = all.filter((r) => r.kind === "f");
  const facets: { type: FacetCount[]; year: FacetCount[]; district: FacetCount[] } = emptyFacets();
  let total = 0;
  for (const r of facetRows) {
    // GROUPING bits (doc_type, year, district): 3 = grouped by type, 5 = by year, 6 = by district.
    if (r.g === 3) {
      total += r.n;
      if (r.doc_type !== null) facets.type.push({ value: r.doc_type, count: r.n });
    } else if (r.g === 5 && r.year !== null) facets.year.push({ value: String(r.year), count: r.n });
    else if (r.g === 6 && r.district !== null) facets.district.push({ value: r.district, count: r.n });
  }
  facets.type.sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  facets.year.sort((a, b) => Number(b.value) - Number(a.value));
  facets.district.sort((a, b) => b.count - a.count || a.value.localeCompare(b.value, "zh-CN"));
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
  return { hits, total, facets, page: q.page, pageSize: q.pageSize };
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
