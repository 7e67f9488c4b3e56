import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import { customPlan, type Db, rows } from "../db/client";
import { searchDocuments } from "../db/schema";
import type { SearchDocument, SearchType } from "./contract";
import {
  EXACT_COUNT_THRESHOLD,
  type NormalizedQuery,
  type SearchBackend,
  type SearchFacets,
  type SearchHit,
  type SearchResult,
} from "./engine";
import {
  buildTsvector,
  facetLexemes,
  facetTsqueries,
  highlightHtml,
  memoSegmenter,
  normalize,
  orderLexemes,
  type ParsedQuery,
  parseQuery,
  SAMPLED_LEVEL_STEP,
  SHORTEST_RANK_TSQUERY,
  sampleLevel,
  sampleLexemes,
  sampleTsquery,
  snippetHtml,
  TOP_SAMPLED_LEVEL,
  titleLexemes,
  titleTsqueryAt,
  tsvectorLength,
  usableLevel,
  wordTsqueriesAt,
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
  const level = sampleLevel(doc.type, String(doc.id));
  // Scoring reads only this (for a bounded number of matches): the title's and keywords' words.
  const rankTsv = buildTsvector({ title, body: "", keywords }, { pairs: false, segment });
  const extra = [
    ...facets,
    ...sampleLexemes(level),
    ...orderLexemes({ rankLength: tsvectorLength(rankTsv), date: doc.date }),
    ...titleLexemes({ title, keywords }, segment),
  ];
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
    // Plus the facet, sample, order and title lexemes and the sampled postings (search/text.ts), matched
    // by the same GIN index.
    tsv: sql`${buildTsvector({ title, body, keywords }, { extra, segment, sampleLevel: level })}::tsvector`,
    rankTsv: sql`${rankTsv}::tsvector`,
  };
}

function upsert(db: Db, batch: ReturnType<typeof toRow>[]) {
  return (
    db
      .insert(searchDocuments)
      // biome-ignore lint/suspicious/noExplicitAny: tsv and rank_tsv are SQL expressions, which drizzle's insert type for custom columns does not admit
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
      })
      .execute()
  );
}

async function index(db: Db, docs: SearchDocument[]) {
  // Last one wins when a batch names the same document twice.
  const unique = new Map(docs.map((d) => [`${d.type}\u0000${d.id}`, d]));
  const list = [...unique.values()];
  // Each batch's rows are built (segmentation and tsvectors: CPU in this process) while the database
  // writes the batch before, one statement at a time on the caller's connection.
  let writing: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < list.length; i += BATCH) {
    let batch: ReturnType<typeof toRow>[];
    try {
      batch = list.slice(i, i + BATCH).map(toRow);
    } finally {
      await writing;
    }
    writing = upsert(db, batch);
    // Awaited on the next turn or below; until then a failure must not count as unhandled.
    writing.catch(() => {});
    // Let the statement go out before the next batch's build, which holds the event loop: the driver
    // sends it a few promise turns after the call, and without this turn it waited for the build.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await writing;
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

/** How many sampled matches ranking considers when the matches are too many to read (see byRelevance). */
export const RANKING_POOL = 4 * RANKED_CANDIDATES;

/**
 * Run fn with the planner told to use the GIN index, given the table's size by its last statistics (0
 * before the first ANALYZE or autovacuum), read in the same round trip. Left alone, the planner may
 * choose a sequential scan and evaluate `tsv @@ …` on every row it reads: that detoasts the full tsvector
 * of each (ten times the cost of a bitmap scan for a common word). It also underestimates the matches,
 * and would sort them for a merge join where hashing them is cheaper. The matches are materialised: give
 * them memory. The settings last until the transaction ends; inside a caller's transaction they are put
 * back before returning.
 */
const PLAN_SETTINGS: [string, string][] = [
  ["enable_seqscan", "off"],
  ["enable_mergejoin", "off"],
  ["jit", "off"],
  ["work_mem", "32MB"],
];

async function withGinPlan<T>(db: Db, fn: (tx: Db, tableSize: number) => Promise<T>): Promise<T> {
  const nested = db instanceof PgTransaction;
  return db.transaction(async (tx) => {
    const [{ size, ...before }] = await rows<Record<string, string> & { size: number }>(
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
          sql`, (SELECT greatest(reltuples, 0)::float8 FROM pg_class WHERE oid = 'search_documents'::regclass) AS size`,
        ],
        sql` `,
      ),
    );
    const result = await fn(tx, size);
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

/**
 * A query as a conjunction of tsqueries (its words and facet filters), each its own condition:
 * `tsv @@ a AND tsv @@ b …`. One GIN scan answers them all, and with one scan key per condition it
 * leapfrogs between them (a key whose next match lies past another's lets that one skip ahead), where a
 * single tsquery walks its shortest posting list entry by entry and tests every entry against the other
 * lists. Proving that long lists have few or no documents in common (a query that must be counted at
 * level 0) costs about a third as much.
 */
export type Match = string[];

/** The condition that a row matches `m`. */
const matching = (m: Match) =>
  sql`(${sql.join(
    m.map((t) => sql`tsv @@ ${t}::tsquery`),
    sql` AND `,
  )})`;

/**
 * `m` without the documents that match `not`. The negation joins one of m's tsqueries: a tsquery of
 * negations alone would have the GIN scan read the whole index.
 */
const excluding = (m: Match, not: string): Match => [...m.slice(0, -1), `( ${m[m.length - 1]} ) & !( ${not} )`];

/** The matches counted: exactly, or from a sample level (see sampleLevel() in search/text.ts). */
export interface MatchCount {
  total: number;
  exact: boolean;
  /** The sample level the counts come from: 0 = every match (exact). */
  level: number;
  /** Matches per (type, year, district) at that level, not yet scaled. */
  groups: { type: string; year: number | null; district: string | null; n: number }[];
  /** The rows of the matches counted (at `level`), as a tid[] literal (see byRelevance). */
  rows: string;
}

/**
 * One sample level's matches (at most `cap` read), grouped by (type, year, district), with their rows,
 * so that ranking the same matches reads them by row instead of intersecting the posting lists again.
 */
async function countLevel(tx: Db, matchAt: (level: number) => Match, level: number, cap: number) {
  const found = await rows<{ type: string; year: number | null; district: string | null; n: number; rows: string }>(
    tx,
    customPlan(sql`SELECT m.doc_type AS type, m.year, m.district, count(*)::int AS n,
             array_agg(m.ctid)::text AS rows
      FROM (SELECT ctid, doc_type, year, district FROM search_documents WHERE ${matching(matchAt(level))} LIMIT ${cap}) m
      GROUP BY m.doc_type, m.year, m.district`),
  );
  const groups = found.map(({ rows: _, ...g }) => g);
  // Each group's rows are a tid[] literal, {"(0,1)","(0,2)"}: their elements joined into one.
  const all = `{${found.map((g) => g.rows.slice(1, -1)).join(",")}}`;
  return { level, c: groups.reduce((sum, g) => sum + g.n, 0), groups, rows: all };
}

/** The count's probes read at most this many times the threshold of rows each. */
export const COUNT_CAP_FACTOR = 3;
/** An estimate needs at least this share of the threshold in sampled matches. */
export const MIN_SAMPLE_SHARE = 0.3;
/**
 * The lowest sampled level (3), the one level 0 would otherwise be read after, answers with fewer: when
 * it holds at least this many standard deviations more matches than a query with `threshold` matches
 * would put there on average.
 */
export const LOWEST_LEVEL_MARGIN = 3;

/**
 * Count a query's matches with work bounded by the threshold, not by the number of matches or the size
 * of the index. Sample level j (see sampleLevel() in search/text.ts) holds about one document in 2^j,
 * and each level holds the ones above it, so a level's matches are a uniform sample of the query's;
 * `matchAt(j)` is the query over level j's sampled postings (j = 0, 3, 6, …; see sampledLevels()), so a
 * probe reads only the sample's share of each posting list. Each probe reads one level's matches, at
 * most cap = COUNT_CAP_FACTOR × threshold rows (every row read is a heap visit for the facets), in one
 * GIN scan:
 *   - the first probe reads the lowest usable level whose documents, all of them, number at most cap by
 *     `tableSize`, the table's size by its last statistics (every level when it is 0);
 *   - level 0 read whole is every match: counted exactly;
 *   - a level with at least MIN_SAMPLE_SHARE × threshold matches whose estimate c × 2^j is at least 1.5
 *     times the threshold answers with that estimate, for the total and each facet count; its relative
 *     standard error is about 1/√c, at most 5.8 % (docs/benchmarks.md gives the measured error). A query
 *     with at most `threshold` matches would need its sample to hold 1.5 times its expected share, itself
 *     at least 2/3 × MIN_SAMPLE_SHARE × threshold: at the default threshold seven standard errors, so
 *     such a query is counted exactly;
 *   - so does level 3 when c ≥ b + LOWEST_LEVEL_MARGIN × √b, b = threshold / 8 being the matches a query
 *     with `threshold` of them puts there on average (at the default threshold c ≥ 159: a relative
 *     standard error of at most 8 %), rather than intersecting every match's posting lists at level 0.
 *     A query with at most `threshold` matches reaches that with three standard deviations of luck
 *     (about 0.2 % at exactly the threshold; with 900 matches, under 0.001 %);
 *   - a level whose matches filled the cap is not a whole sample, but proves the total above
 *     cap × 2^j: the next probe reads the level above, which answers from any number of matches;
 *   - otherwise the level predicts the total (c × 2^j, at least 2^j when c is 0) and the next probe reads
 *     the highest usable level expected to hold 1.1 × MIN_SAMPLE_SHARE × threshold matches or more (so
 *     between that and eight times that, within the cap), or, when none above would, level 3 if the
 *     level held a match and predicts at least half the threshold (level 3 may answer, see above; a few
 *     sampled matches predict loosely) and level 0 otherwise.
 * Usually two probes (three when level 3 is read and cannot answer), each bounded by cap rows.
 */
export async function countMatches(
  tx: Db,
  matchAt: (level: number) => Match,
  threshold: number,
  tableSize: number,
): Promise<MatchCount> {
  const cap = COUNT_CAP_FACTOR * threshold;
  const minSample = Math.ceil(MIN_SAMPLE_SHARE * threshold);
  const step = SAMPLED_LEVEL_STEP;
  let level = tableSize > cap ? usableLevel(Math.ceil(Math.log2(tableSize / cap)), "up") : 0;
  // The highest level known to have filled the cap (-step: none).
  let full = -step;
  for (;;) {
    const probe = await countLevel(tx, matchAt, level, cap);
    if (probe.c >= cap) {
      if (level === TOP_SAMPLED_LEVEL) return estimate(probe);
      full = level;
      level += step;
      continue;
    }
    if (level === 0) return { total: probe.c, exact: true, level: 0, groups: probe.groups, rows: probe.rows };
    if (probe.c >= minSample && (full >= 0 || probe.c * 2 ** level >= 1.5 * threshold)) return estimate(probe);
    if (full === level - step) {
      // The level below filled the cap: few matches here by chance; never below what the cap proved.
      const upper = estimate(probe);
      return { ...upper, total: Math.max(upper.total, cap * 2 ** full) };
    }
    const bound = threshold / 2 ** step;
    if (level === step && probe.c >= bound + LOWEST_LEVEL_MARGIN * Math.sqrt(bound)) return estimate(probe);
    const predicted = Math.max(probe.c, 1) * 2 ** level;
    let target = usableLevel(Math.log2(predicted / (1.1 * minSample)), "down");
    if (target === 0 && probe.c > 0 && predicted >= threshold / 2) target = step;
    level = Math.min(level - step, Math.max(full + step, target, 0));
  }
}

function estimate(probe: { level: number; c: number; groups: MatchCount["groups"]; rows: string }): MatchCount {
  return {
    total: probe.c * 2 ** probe.level,
    exact: false,
    level: probe.level,
    groups: probe.groups,
    rows: probe.rows,
  };
}

function facetsOf(count: MatchCount): SearchFacets {
  const scale = 2 ** count.level;
  const byType = new Map<string, number>();
  const byYear = new Map<string, number>();
  const byDistrict = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string | number | null, n: number) => {
    if (key !== null) map.set(String(key), (map.get(String(key)) ?? 0) + n);
  };
  for (const g of count.groups) {
    bump(byType, g.type, g.n);
    bump(byYear, g.year, g.n);
    bump(byDistrict, g.district, g.n);
  }
  const list = (map: Map<string, number>) => [...map].map(([value, n]) => ({ value, count: n * scale }));
  return {
    type: list(byType).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value)),
    year: list(byYear).sort((a, b) => Number(b.value) - Number(a.value)),
    district: list(byDistrict).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value, "zh-CN")),
  };
}

type PageRow = {
  rn: number;
  doc_type: SearchType;
  doc_id: string;
  title: string;
  body: string;
  url: string;
  date: string | null;
  district: string | null;
};

/** The page's documents, in order, from `top` (row, tier, score, all_title, dt). */
const hitColumns = sql`SELECT (row_number() OVER (ORDER BY top.tier, top.score DESC NULLS LAST, top.all_title DESC,
                                              top.dt DESC NULLS LAST, top.row))::int AS rn,
                 s.doc_type, s.doc_id, s.title, left(s.body, 4000) AS body, s.url,
                 to_char(s.date, 'YYYY-MM-DD') AS date, s.district
            FROM top JOIN search_documents s ON s.ctid = top.row`;

/**
 * The matches ranking reads: those of sample level `level` through its sampled postings (`query`), or
 * the matches the count read, by row (`rows`: their tid[] literal; no posting list is read again).
 */
type Pool = { query: Match; level: number } | { rows: string };

/**
 * The pool's rows with `titleWords` (a tsquery over the title lexemes at the pool's level) that are not
 * in `exclude`, as (row, dt, rank_len) in order `order` (a list over those three), at most
 * `limit`, if `when`. A sample: one GIN scan of the pool's query and the title words. Every match by
 * row: the rows read by ctid and sorted first, the title words checked on them in that order only until
 * `limit` are found (pool_rows: see byRelevance).
 */
function poolRows(
  pool: Pool,
  titleWords: string,
  { order, limit, exclude, when }: { order: SQL; limit: number | null; exclude?: SQL; when?: SQL },
) {
  const limitSql = limit === null ? sql`` : sql`LIMIT ${limit}`;
  const cond = sql.join([when ?? sql`true`, exclude ? sql`NOT (row IN (${exclude}))` : sql`true`], sql` AND `);
  if ("rows" in pool) {
    return sql`SELECT row, dt, rank_len FROM (SELECT * FROM pool_rows ORDER BY ${order} OFFSET 0) o
      WHERE ${cond} AND tsv @@ ${titleWords}::tsquery ${limitSql}`;
  }
  return sql`SELECT row, dt, rank_len FROM (
      SELECT ctid AS row, date AS dt, rank_len FROM search_documents WHERE ${matching([...pool.query, titleWords])}) o
    WHERE ${cond} ORDER BY ${order} ${limitSql}`;
}

/**
 * Best first, over `pool`: every match when they were counted exactly, else those in a sample level
 * (see query()) plus, through `shortQuery`, every match whose title and keywords are shortest ('#r:1',
 * see orderLexemes()) and hold every query word: the class ts_rank puts first. In three tiers, each
 * computed only when the ones before fill less than the page:
 * 0. scored: of the pool's matches with every query word in their title or keywords (e: the shortest,
 *    then newest RANKED_CANDIDATES of them) or, when e has fewer, with some word (a, likewise),
 *    RANKED_CANDIDATES by score (the whole query in the title first, then ts_rank);
 * 1. the rest of e's class in the pool, newest first;  2. the rest of the pool, newest first.
 * Each reads at most the pool's rows, so the work is bounded by the threshold and the page, not by the
 * number of matches. Rows are named by ctid: stable within the statement's snapshot, cheap to hash.
 */
function byRelevance(
  q: NormalizedQuery,
  parsed: ParsedQuery & { tsquery: string },
  pool: Pool,
  shortQuery: Match | null,
  total: number,
) {
  // Rows read by row are checked against their own title lexemes, which every document has.
  const titleLevel = "rows" in pool ? 0 : pool.level;
  const allInTitle = titleTsqueryAt(parsed, titleLevel, "all");
  // With one word, "some word in the title" is "every word in the title".
  const anyInTitle = parsed.titleClauses.length === 1 ? null : titleTsqueryAt(parsed, titleLevel, "any");
  const phrase = normalize(q.q).replace(/\s+/g, "");
  const need = q.page * q.pageSize;
  const offset = (q.page - 1) * q.pageSize;
  const score = sql`ts_rank(${sql.raw(`'${WEIGHTS}'::float4[]`)}, s.rank_tsv, ${parsed.tsquery}::tsquery, 1)
    + CASE WHEN strpos(lower(s.title), ${phrase}) > 0 THEN 1 ELSE 0 END`;
  const shortest = sql`rank_len, dt DESC NULLS LAST, row`;
  // The shortest class, read once for the scored tier and, if it runs, tier 1.
  const shortRowsCte = shortQuery
    ? sql`short_rows AS MATERIALIZED (
          SELECT ctid AS row, date AS dt, rank_len FROM search_documents WHERE ${matching(shortQuery)}),`
    : sql``;
  const poolAll =
    "rows" in pool
      ? sql`SELECT row, dt FROM pool_rows`
      : sql`SELECT ctid AS row, date AS dt FROM search_documents WHERE ${matching(pool.query)}`;
  // Rows given by ctid are read once, for every tier (the tsvector stays out of line until a tier checks
  // a row's title words).
  const poolRowsCte =
    "rows" in pool
      ? sql`pool_rows AS MATERIALIZED (
          SELECT ctid AS row, date AS dt, rank_len, tsv FROM search_documents WHERE ctid = ANY(${pool.rows}::tid[])),`
      : sql``;
  return sql`WITH ${poolRowsCte} ${shortRowsCte} e AS MATERIALIZED (
        SELECT * FROM (
          (${poolRows(pool, allInTitle, { order: shortest, limit: RANKED_CANDIDATES })})
          ${shortQuery ? sql`UNION (SELECT * FROM short_rows)` : sql``}
        ) u ORDER BY rank_len, dt DESC NULLS LAST, row LIMIT ${RANKED_CANDIDATES}
      ), a AS MATERIALIZED (
        ${poolRows(pool, anyInTitle ?? allInTitle, {
          order: shortest,
          limit: RANKED_CANDIDATES,
          exclude: sql`SELECT row FROM e`,
          when: sql`${anyInTitle !== null} AND (SELECT count(*) FROM e) < ${RANKED_CANDIDATES}
            AND ${total} > (SELECT count(*) FROM e)`,
        })}
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
        (SELECT row, 1, NULL::real, true, dt
         FROM ((SELECT row, dt FROM (${poolRows(pool, allInTitle, { order: sql`row`, limit: null })}) p)
               ${shortQuery ? sql`UNION (SELECT row, dt FROM short_rows)` : sql``}) r
         WHERE (SELECT count(*) FROM scored) < ${need} AND (SELECT count(*) FROM e) >= ${RANKED_CANDIDATES}
           AND NOT (row IN (SELECT row FROM scored))
         ORDER BY dt DESC NULLS LAST, row LIMIT ${need})
      ), t2 AS (
        SELECT row, 2 AS tier, NULL::real AS score, false AS all_title, dt
        FROM (${poolAll}) p
        WHERE (SELECT count(*) FROM t01) < ${need} AND ${total} > (SELECT count(*) FROM t01)
          AND NOT (row IN (SELECT row FROM t01))
        ORDER BY dt DESC NULLS LAST, row LIMIT ${need}
      ), top AS (
        SELECT * FROM (SELECT * FROM t01 UNION ALL SELECT * FROM t2) u
        ORDER BY tier, score DESC NULLS LAST, all_title DESC, dt DESC NULLS LAST, row
        LIMIT ${q.pageSize} OFFSET ${offset}
      )
      ${hitColumns}`;
}

/** Newest first, over every match (counted exactly: `rows`, at most COUNT_CAP_FACTOR × threshold). */
function byDateExact(q: NormalizedQuery, matchRows: string) {
  return sql`WITH top AS (
        SELECT ctid AS row, 0 AS tier, NULL::real AS score, false AS all_title, date AS dt FROM search_documents
        WHERE ctid = ANY(${matchRows}::tid[])
        ORDER BY date DESC NULLS LAST, ctid LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}
      )
      ${hitColumns}`;
}

/**
 * Newest first when there are too many matches to sort: a month at a time from the newest ('#m:YYYY-MM',
 * see orderLexemes()), then the undated ones, until the months read hold the results up to this page.
 * Only those months' matches are read and sorted.
 */
function byDateMonths(match: Match, years: number[], offset: number, limit: number) {
  const months: string[] = [];
  for (const year of years) for (let m = 12; m >= 1; m--) months.push(`${year}-${String(m).padStart(2, "0")}`);
  months.push("none");
  const need = offset + limit;
  return sql`WITH RECURSIVE months AS (
        SELECT m, i::int FROM unnest(${`{${months.join(",")}}`}::text[]) WITH ORDINALITY AS u(m, i)
      ), walk(i, got, found) AS (
        SELECT 0, 0, ARRAY[]::tid[]
        UNION ALL
        SELECT w.i + 1, w.got + cardinality(r.found), r.found
        FROM walk w JOIN months mo ON mo.i = w.i + 1
        CROSS JOIN LATERAL (
          SELECT array(SELECT ctid FROM search_documents
                       WHERE ${matching(match)} AND tsv @@ ('''#m:' || mo.m || '''')::tsquery) AS found
        ) r
        WHERE w.got < ${need}
      ), top AS (
        SELECT s.ctid AS row, 0 AS tier, NULL::real AS score, false AS all_title, s.date AS dt
        FROM (SELECT unnest(found) AS row FROM walk) f JOIN search_documents s ON s.ctid = f.row
        ORDER BY s.date DESC NULLS LAST, s.ctid LIMIT ${limit} OFFSET ${offset}
      )
      ${hitColumns}`;
}

/** The years to walk for byDateMonths: from next year down to the oldest year with a counted match. */
function yearsToWalk(q: NormalizedQuery, count: MatchCount): number[] {
  if (q.year !== undefined) return [q.year];
  const years = count.groups.map((g) => g.year).filter((y): y is number => y !== null);
  const newest = Math.max(new Date().getFullYear() + 1, ...years);
  const oldest = Math.min(newest, ...years, 1990);
  return Array.from({ length: newest - oldest + 1 }, (_, i) => newest - i);
}

async function query(
  db: Db,
  q: NormalizedQuery,
  { threshold, rankingPool }: { threshold: number; rankingPool: number },
): Promise<Omit<SearchResult, "tookMs">> {
  const parsed = parseQuery(q.q);
  const { tsquery } = parsed;
  if (!tsquery) {
    return { hits: [], total: 0, totalIsExact: true, facets: emptyFacets(), page: q.page, pageSize: q.pageSize };
  }
  const words = { ...parsed, tsquery };
  // Facet filters and title words are lexemes of tsv too (search/text.ts), so one GIN index answers all.
  const facetValues = { type: q.type, year: q.year, district: q.district };
  /** The matches in sample level `level` (0: all of them), through the sampled postings. */
  const matchAt = (level: number): Match => [...wordTsqueriesAt(parsed, level), ...facetTsqueries(facetValues, level)];
  const matchQuery = matchAt(0);
  const offset = (q.page - 1) * q.pageSize;
  const { count, hitRows } = await withGinPlan(db, async (tx, tableSize) => {
    const count = await countMatches(tx, matchAt, threshold, tableSize);
    if (count.total === 0) return { count, hitRows: [] as PageRow[] };
    // Planned for this query's words: one matching ten documents and one matching ten thousand differ.
    const read = (page: SQL) => rows<PageRow>(tx, customPlan(page));
    if (q.sort === "date") {
      const page = count.exact
        ? byDateExact(q, count.rows)
        : byDateMonths(matchQuery, yearsToWalk(q, count), offset, q.pageSize);
      return { count, hitRows: await read(page) };
    }
    // Counted exactly (at most the count's cap of them): every match is ranked, by the rows the count read.
    if (count.exact) {
      return { count, hitRows: await read(byRelevance(q, words, { rows: count.rows }, null, count.total)) };
    }
    // Too many matches to rank them all. Ranked: the matches in the usable sample level (never level 0,
    // which would intersect every posting list again) expected to hold about rankingPool of them (the
    // matches counted at count.level, an eighth per usable level above, eight times per level below),
    // with every match whose title and keywords are shortest and hold every query word (the class
    // ts_rank puts first); then the rest, newest first. The level does not depend on the page, so pages
    // never overlap.
    const inLevel = count.total / 2 ** count.level;
    const shift = Math.round(Math.log2(inLevel / rankingPool) / SAMPLED_LEVEL_STEP) * SAMPLED_LEVEL_STEP;
    const level = Math.max(usableLevel(count.level + shift, "down"), SAMPLED_LEVEL_STEP);
    // A small sample the count read is read again by row: checking its few rows' titles costs less than
    // intersecting the title words' posting lists.
    const pool: Pool =
      level === count.level && inLevel <= 2 * RANKED_CANDIDATES
        ? { rows: count.rows }
        : { query: matchAt(level), level };
    const shortestClass = `( ${parsed.allInTitle} ) & ${SHORTEST_RANK_TSQUERY}`;
    const shortQuery = [...matchQuery, parsed.allInTitle!, SHORTEST_RANK_TSQUERY];
    const ranked = await read(byRelevance(q, words, pool, shortQuery, count.total));
    if (ranked.length === q.pageSize) return { count, hitRows: ranked };
    const [{ n: poolSize }] = await rows<{ n: number }>(
      tx,
      customPlan(sql`SELECT count(*)::int AS n FROM (
          ${"rows" in pool ? sql`SELECT unnest(${pool.rows}::tid[])` : sql`SELECT ctid FROM search_documents WHERE ${matching(pool.query)}`}
          UNION SELECT ctid FROM search_documents WHERE ${matching(shortQuery)}) u`),
    );
    const rest = excluding(matchQuery, `${sampleTsquery(level)} | ( ${shortestClass} )`);
    const newest = await read(
      byDateMonths(rest, yearsToWalk(q, count), Math.max(0, offset - poolSize), q.pageSize - ranked.length),
    );
    return { count, hitRows: [...ranked, ...newest.map((r) => ({ ...r, rn: r.rn + q.pageSize }))] };
  });
  const hits: SearchHit[] = hitRows
    .sort((a, b) => a.rn - b.rn)
    .map((r) => ({
      type: r.doc_type,
      id: r.doc_id,
      title: r.title,
      titleHtml: highlightHtml(r.title, parsed.highlight),
      snippet: snippetHtml(r.body || r.title, parsed.highlight),
      url: r.url,
      date: r.date,
      district: r.district,
    }));
  return {
    hits,
    total: count.total,
    totalIsExact: count.exact,
    facets: facetsOf(count),
    page: q.page,
    pageSize: q.pageSize,
  };
}

/**
 * The embedded backend. `exactThreshold`: up to how many matches the total and the facets are exact
 * (beyond it they are estimated from a sample); `rankingPool`: how many sampled matches ranking
 * considers beyond it. Tests use small ones.
 */
export function createEmbeddedBackend(opts: { exactThreshold?: number; rankingPool?: number } = {}): SearchBackend & {
  /** Remove every document of a type (reindex). */
  clear(db: Db, type: SearchType): Promise<void>;
} {
  const tuning = {
    threshold: opts.exactThreshold ?? EXACT_COUNT_THRESHOLD,
    rankingPool: opts.rankingPool ?? RANKING_POOL,
  };
  return {
    name: "embedded",
    index,
    remove,
    query: (db, q) => query(db, q, tuning),
    clear: async (db, type) => {
      await db.delete(searchDocuments).where(eq(searchDocuments.docType, type));
    },
    health: async (db) => {
      await rows(db, sql`SELECT 1 FROM search_documents LIMIT 1`);
      return { backend: "embedded", ok: true };
    },
  };
}

export const embeddedBackend = createEmbeddedBackend();
