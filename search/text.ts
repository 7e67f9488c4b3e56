import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { Jieba } from "@node-rs/jieba";
import { CATEGORIES, DEPARTMENTS, DISTRICTS, VILLAGE_NAMES } from "../lib/reference-data";

// Chinese text for search: segmentation (jieba, search mode, with the campaign's own vocabulary),
// document numbers (文号) as single tokens, the tsvector/tsquery the embedded backend stores, and
// safe highlighting. Pure functions (no database), shared by both backends and the tests.

const require = createRequire(import.meta.url);

/** Words the stock dictionary splits wrongly: places, programmes, units of the Zibo campaign. */
export const DOMAIN_WORDS: string[] = (() => {
  const words = new Set<string>([
    "低保",
    "低保户",
    "特困",
    "五保",
    "兜底",
    "兜底保障",
    "危房改造",
    "危房",
    "扶贫小额信贷",
    "小额信贷",
    "建档立卡",
    "精准扶贫",
    "精准脱贫",
    "脱贫攻坚",
    "产业扶贫",
    "就业扶贫",
    "健康扶贫",
    "教育扶贫",
    "金融扶贫",
    "光伏扶贫",
    "扶贫车间",
    "黄河滩区",
    "滩区迁建",
    "太河库区",
    "南部山区",
    "省定重点村",
    "重点村",
    "薄弱村",
    "群英谱",
    "先进集体",
    "先进个人",
    "公告公示",
    "整改销号",
    "易地扶贫搬迁",
    "扶贫资金",
    "专项扶贫资金",
    "财政专项扶贫资金",
    "12317",
    "淄博",
    "淄博市",
  ]);
  for (const d of DISTRICTS) {
    words.add(d.name);
    // 高青县 → 高青, 淄川区 → 淄川 (but keep 高新区, 经济开发区 whole)
    if (/^[\u4e00-\u9fff]{2}[区县]$/.test(d.name)) words.add(d.name.slice(0, 2));
    for (const t of d.towns) {
      words.add(t.name);
      if (t.name.length >= 3) words.add(t.name.replace(/(镇|街道|乡)$/, ""));
    }
  }
  words.add("文昌湖");
  for (const v of VILLAGE_NAMES) words.add(v);
  for (const c of CATEGORIES) for (const part of c.name.split("/")) words.add(part);
  for (const dep of DEPARTMENTS) {
    words.add(dep.city);
    words.add(dep.district);
  }
  return [...words].filter((w) => w.length >= 2);
})();

let jieba: Jieba | undefined;
function segmenter(): Jieba {
  if (!jieba) {
    const { dict } = require("@node-rs/jieba/dict.js") as { dict: Uint8Array };
    jieba = Jieba.withDict(dict);
    // High frequency so these win over the stock dictionary's splits.
    jieba.loadDict(Buffer.from(DOMAIN_WORDS.map((w) => `${w} 200000 n`).join("\n")));
  }
  return jieba;
}

/** NFKC (full-width letters and digits → ASCII) and lower case. Never changes 〔〕 or Chinese. */
export function normalize(text: string): string {
  return text.normalize("NFKC").toLowerCase();
}

const HAN = /\p{Script=Han}/u;
const NOT_WORD = /[^\p{L}\p{N}]/u;
const NOT_WORD_G = /[^\p{L}\p{N}]/gu;
const HAN_RUN = /\p{Script=Han}+/gu;
const isHan = (s: string) => HAN.test(s);
const onlyHan = (s: string) => /^\p{Script=Han}+$/u.test(s);

/** Function words that carry nothing on their own in a query. */
const STOP = new Set(["的", "了", "和", "与", "及", "在", "是", "之", "或", "等", "对", "把", "被", "于"]);

// ---------------------------------------------------------------------------------------------
// Document numbers (文号): 淄发〔2016〕3号, 淄财农〔2018〕12号, 鲁政办字[2017]5号, 国开发(2016)16号 …
// written with any bracket (or none). Canonical form: <issuer>〔<year>〕<n>号 with no leading zeros.

const DOCNO = /(\p{Script=Han}{1,10})\s*[〔[［(（【{]?\s*((?:19|20)\d{2})\s*[〕\]］)）】}]?\s*第?\s*0*(\d{1,4})\s*号/gu;

export interface DocNumber {
  issuer: string;
  year: string;
  n: string;
}

export function findDocNumbers(text: string): DocNumber[] {
  const out: DocNumber[] = [];
  for (const m of normalize(text).matchAll(DOCNO)) out.push({ issuer: m[1], year: m[2], n: m[3] });
  return out;
}

export const canonicalDocNumber = (d: DocNumber) => `${d.issuer}〔${d.year}〕${d.n}号`;

/** Index side: the issuer may have swallowed preceding words (根据淄发…), so every tail of 2–6 chars. */
export function docNumberTokens(text: string): string[] {
  const out = new Set<string>();
  for (const d of findDocNumbers(text)) {
    for (let len = 2; len <= Math.min(6, d.issuer.length); len++) {
      out.add(canonicalDocNumber({ ...d, issuer: d.issuer.slice(-len) }));
    }
  }
  return [...out];
}

/** Regex source that finds this document number as written in a text (any brackets, zeros). */
function docNumberPattern(d: DocNumber): string {
  return `${escapeRegex(d.issuer)}\\s*[〔\\[［(（【{]?\\s*${d.year}\\s*[〕\\]］)）】}]?\\s*第?\\s*0*${d.n}\\s*号`;
}

// ---------------------------------------------------------------------------------------------
// Index side

/**
 * Words of a text for the index: jieba search mode, lexemes normalised, punctuation dropped; then every
 * other dictionary word of three or more Chinese characters the text contains (jieba's full mode),
 * which search mode leaves out when it sits inside a longer word (小额信贷 in 扶贫小额信贷) or across
 * two words. A query for a dictionary word then matches its lexeme alone, and the GIN index answers
 * without reading the row to check the character-pair phrase (see parseQuery).
 */
export function segmentForIndex(text: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const norm = normalize(text);
  for (const raw of segmenter().cutForSearch(norm, true)) {
    const tok = NOT_WORD.test(raw) ? raw.replace(NOT_WORD_G, "") : raw;
    if (!tok) continue;
    // Single Chinese characters live in the character-pair stream.
    if (tok.length === 1 && tok.charCodeAt(0) >= 0x2e80) continue;
    out.push(tok);
    seen.add(tok);
  }
  // Two-character words are always in the character-pair stream; only longer ones can be missing.
  for (const word of segmenter().cutAll(norm)) {
    if (word.length >= 3 && !seen.has(word) && onlyHan(word)) {
      out.push(word);
      seen.add(word);
    }
  }
  return out;
}

/** Segmentation of a query (precise mode): what the person typed, word by word. */
export function segmentQuery(text: string): string[] {
  const out: string[] = [];
  for (const chunk of normalize(text).split(/[^\p{L}\p{N}]+/u)) {
    if (!chunk) continue;
    let run = "";
    const flush = () => {
      if (run) out.push(run);
      run = "";
    };
    for (const tok of segmenter().cut(chunk, true)) {
      // Consecutive single Han characters (an unknown name split letter by letter) form one run.
      if (onlyHan(tok) && tok.length === 1) {
        run += tok;
        continue;
      }
      flush();
      out.push(tok);
    }
    flush();
  }
  return out;
}

const MAX_WORD_POS = 8000;
const BIGRAM_START = 8200;
const MAX_POS = 16383;
const MAX_POSITIONS_PER_LEXEME = 255;

/** Quote a lexeme for tsvector/tsquery input syntax. */
function quoteLexeme(lex: string): string {
  if (lex.indexOf("'") < 0 && lex.indexOf("\\") < 0) return `'${lex}'`;
  return `'${lex.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

/** segmentForIndex remembering its answers: one document's tsvectors segment its title three times. */
export function memoSegmenter(): (text: string) => string[] {
  const seen = new Map<string, string[]>();
  return (text) => {
    let words = seen.get(text);
    if (!words) seen.set(text, (words = segmentForIndex(text)));
    return words;
  };
}

/**
 * The tsvector (as input text) of a document. Built here rather than by to_tsvector() so that the
 * lexemes are exactly jieba's words whatever the server's locale (PGlite and PostgreSQL agree):
 * title words weight A, keywords and document numbers B, body C; plus every pair of adjacent Chinese
 * characters (weight D, positions from 8200, runs kept apart) so that any 2-character word — 低保 —
 * and any substring jieba did not cut as a word is still found, by phrase (b1 <-> b2 <-> …).
 */
export function buildTsvector(
  doc: { title: string; body: string; keywords?: string[] },
  opts: {
    /** Adjacent-character pairs (default true). */
    pairs?: boolean;
    /** Lexemes added without positions (facet and title lexemes). */
    extra?: string[];
    /** The segmenter to use (default segmentForIndex; see memoSegmenter). */
    segment?: (text: string) => string[];
    /** The document's sample level: adds its sampled postings (see sampledLexeme). */
    sampleLevel?: number;
  } = {},
): string {
  const segment = opts.segment ?? segmentForIndex;
  // lexeme → "pos weight" entries; positions only grow, so a repeat can only be the last one.
  const lexemes = new Map<string, { list: string[]; last: number }>();
  const add = (lex: string, pos: number, weight: "A" | "B" | "C" | "D") => {
    if (lex.length === 0 || (lex.length > 500 && Buffer.byteLength(lex) > 2000)) return;
    let entry = lexemes.get(lex);
    if (!entry) lexemes.set(lex, (entry = { list: [], last: 0 }));
    if (entry.last === pos || entry.list.length >= MAX_POSITIONS_PER_LEXEME) return;
    entry.last = pos;
    entry.list.push(`${pos}${weight}`);
  };
  let pos = 1;
  const words = (text: string, weight: "A" | "B" | "C") => {
    for (const w of segment(text)) add(w, Math.min(pos++, MAX_WORD_POS), weight);
    pos += 2; // fields never form a phrase across their boundary
  };
  const keywords = (doc.keywords ?? []).join(" ");
  words(doc.title, "A");
  words(keywords, "B");
  for (const d of docNumberTokens(`${doc.title} ${keywords} ${doc.body}`)) add(d, Math.min(pos++, MAX_WORD_POS), "B");
  pos += 2;
  words(doc.body, "C");

  let bpos = opts.pairs === false ? MAX_POS : BIGRAM_START;
  const text = normalize(`${doc.title}\n${keywords}\n${doc.body}`);
  for (const m of text.matchAll(HAN_RUN)) {
    const run = [...m[0]];
    for (let i = 0; i + 1 < run.length && bpos < MAX_POS; i++) add(run[i] + run[i + 1], bpos++, "D");
    bpos += 2;
    if (bpos >= MAX_POS) break;
  }
  const parts: string[] = [];
  for (const [lex, entry] of lexemes) parts.push(`${quoteLexeme(lex)}:${entry.list.join(",")}`);
  for (const lex of opts.extra ?? []) if (!lexemes.has(lex)) parts.push(quoteLexeme(lex));
  for (const k of sampledLevels(opts.sampleLevel ?? 0)) {
    for (const lex of lexemes.keys()) parts.push(quoteLexeme(sampledLexeme(k, lex)));
    for (const lex of opts.extra ?? []) if (hasSampledPostings(lex)) parts.push(quoteLexeme(sampledLexeme(k, lex)));
  }
  return parts.join(" ");
}

/** How many distinct lexemes a tsvector built by buildTsvector holds (PostgreSQL's length()). */
export function tsvectorLength(tsv: string): number {
  // Lexemes never contain a space (segmentation drops everything but letters and digits), so every
  // space separates two entries.
  return tsv === "" ? 0 : tsv.split(" ").length;
}

// Title lexemes: every word of the title and keywords, every document number in them and every pair of
// adjacent Chinese characters of the title, each once more in the full tsvector behind TITLE_MARK
// ('^危房改造', '^低保'). `tsv @@ (query & '^word')` then finds, in the same GIN index as the query,
// the matches whose title or keywords contain the word: the ones that get a relevance score.
// TITLE_MARK and the facet lexemes' "#" can come from no indexed or typed word (punctuation is dropped
// from both), so no query and no prefix query (`abc:*`) reaches them by accident.

export const TITLE_MARK = "^";

export function titleLexemes(
  doc: { title: string; keywords?: string[] },
  segment: (text: string) => string[] = segmentForIndex,
): string[] {
  const keywords = (doc.keywords ?? []).join(" ");
  const out = new Set<string>([...segment(doc.title), ...segment(keywords)]);
  for (const d of docNumberTokens(`${doc.title} ${keywords}`)) out.add(d);
  for (const m of normalize(doc.title).matchAll(HAN_RUN)) {
    const run = [...m[0]];
    for (let i = 0; i + 1 < run.length; i++) out.add(run[i] + run[i + 1]);
  }
  return [...out].map((lex) => TITLE_MARK + lex);
}

// Facet lexemes: a document's type, year and district as lexemes of its tsvectors, so a facet filter
// is one more term of the tsquery, answered by the same GIN index as the words (no second index, no
// per-row filter). Migration 0070 builds the same strings in SQL for rows indexed before it: keep the
// two in step.

export interface FacetValues {
  type?: string | null;
  year?: number | null;
  district?: string | null;
}

export function facetLexemes(f: FacetValues): string[] {
  const out: string[] = [];
  if (f.type) out.push(`#t:${f.type}`);
  if (f.year !== undefined && f.year !== null) out.push(`#y:${f.year}`);
  if (f.district) out.push(`#d:${f.district}`);
  return out;
}

// Sample levels: a uniform random sample of the index at every scale, for counting without reading
// every match. Level j holds the documents whose first 32 bits of md5("type:id") end in at least j
// zero bits (about one in 2^j, independent of the content), marked by the lexemes '#s:1' … '#s:j'.
// `tsv @@ (query & '#s:j')` is then the query's matches in a 1/2^j sample, found by the same GIN index
// with the small '#s:j' list driving the intersection. Migration 0170 computes the same in SQL.

export const SAMPLE_LEVELS = 20;

export function sampleLevel(type: string, id: string): number {
  let v = createHash("md5").update(`${type}:${id}`).digest().readUInt32BE(0);
  if (v === 0) return SAMPLE_LEVELS;
  let level = 0;
  while ((v & 1) === 0 && level < SAMPLE_LEVELS) {
    v >>>= 1;
    level++;
  }
  return level;
}

export function sampleLexemes(level: number): string[] {
  return Array.from({ length: Math.min(level, SAMPLE_LEVELS) }, (_, i) => `#s:${i + 1}`);
}

/** The lexeme of sample level j as tsquery text (level 0, the whole index, has none). */
export const sampleTsquery = (level: number) => quoteLexeme(`#s:${level}`);

// Sampled postings: a document at sample level L carries each of its word, document-number,
// character-pair, facet and title lexemes once more per level k = 3, 6, 9 … up to L as '#k/lexeme',
// without positions. The query's matches in the level-k sample are then the query with every lexeme x
// written '#k/x' (tsqueryAt, facetTsquery, titleTsqueryAt): the GIN index reads only the sample's share
// of each posting list, so counting and ranking from a sample cost what the sample holds, not what the
// whole index holds. Combining the query with '#s:k' instead gives the same documents, but the index
// must then intersect the full posting lists of the query's words and facets, which grow with the
// index. Every third level only: one document in eight carries one copy, one in 64 two …, a seventh
// more lexemes in all (every level would double them, and indexing would slow by as much); adjacent
// usable levels differ eightfold. The sample and order lexemes have none. Migrations 0260 (words) and
// 0270 (facets, titles) add them to rows indexed before.

export const SAMPLED_LEVEL_STEP = 3;

/** The levels whose sampled postings a document at `level` carries: 3, 6, … up to level. */
export function sampledLevels(level: number): number[] {
  const out: number[] = [];
  for (let k = SAMPLED_LEVEL_STEP; k <= Math.min(level, SAMPLE_LEVELS); k += SAMPLED_LEVEL_STEP) out.push(k);
  return out;
}

export const sampledLexeme = (level: number, lex: string) => `#${level}/${lex}`;

/** Whether an extra lexeme (facet, sample, order, title) has sampled postings: facets and titles do. */
const hasSampledPostings = (lex: string) => lex.startsWith(TITLE_MARK) || /^#[tyd]:/.test(lex);

/** The highest level with sampled postings. */
export const TOP_SAMPLED_LEVEL = Math.floor(SAMPLE_LEVELS / SAMPLED_LEVEL_STEP) * SAMPLED_LEVEL_STEP;

/** A sample level rounded to one that has sampled postings (0, 3, 6, … TOP_SAMPLED_LEVEL), down or up. */
export const usableLevel = (level: number, round: "down" | "up") => {
  const steps = Math.max(0, level) / SAMPLED_LEVEL_STEP;
  return Math.min(TOP_SAMPLED_LEVEL, (round === "down" ? Math.floor(steps) : Math.ceil(steps)) * SAMPLED_LEVEL_STEP);
};

// Order lexemes, so that ordering can be answered from the GIN index a bounded piece at a time:
//   '#r:1'  the document's title and keywords have at most SHORTEST_RANK_LEN words (a name, a short
//           heading): the class ts_rank puts first, rare, considered in full even when the rest of the
//           matches are sampled (rows indexed before migration 0260 may also carry '#r:0', no longer
//           read);
//   '#m:YYYY-MM' the month the document is dated ('#m:none' when undated), so "newest first" reads
//           the matches a month at a time from the newest.

export const SHORTEST_RANK_LEN = 4;

export function orderLexemes(doc: { rankLength: number; date: string | null }): string[] {
  const out = [`#m:${doc.date ? doc.date.slice(0, 7) : "none"}`];
  if (doc.rankLength <= SHORTEST_RANK_LEN) out.push("#r:1");
  return out;
}

export const SHORTEST_RANK_TSQUERY = quoteLexeme("#r:1");

/**
 * The facet filters as a tsquery conjunction (null when there are none), over the sampled postings of
 * sample level `level` (0, the default: every document).
 */
export function facetTsquery(f: FacetValues, level = 0): string | null {
  const terms = facetTsqueries(f, level);
  return terms.length ? terms.join(" & ") : null;
}

/** The facet filters one tsquery each (their conjunction is facetTsquery). */
export function facetTsqueries(f: FacetValues, level = 0): string[] {
  return facetLexemes(f).map((lex) => quoteLexeme(level === 0 ? lex : sampledLexeme(level, lex)));
}

// ---------------------------------------------------------------------------------------------
// Query side

/** One word of a query: a lexeme (optionally a prefix), or a word with its character pairs. */
type Clause = { lex: string; prefix?: boolean } | { word: string; pairs: string[] };

export interface ParsedQuery {
  /** tsquery input text, or null when nothing searchable is left. */
  tsquery: string | null;
  /** The words as clauses, for the query at a sample level (tsqueryAt). */
  clauses: Clause[];
  /** Each word in the title or keywords, as clauses over the title lexemes (titleTsqueryAt). */
  titleClauses: Clause[];
  /**
   * Every one of the query's words in the title or keywords (the title lexemes, see titleLexemes), without
   * phrase operators so the GIN index answers it with no recheck (titleTsqueryAt at level 0): what tells
   * the matches that get a relevance score (search/embedded.ts). Null when tsquery is.
   */
  allInTitle: string | null;
  /** Regex sources (case-insensitive) marking the matches in a text, longest first. */
  highlight: string[];
  /** The words, for Meilisearch and for display. */
  words: string[];
}

function escapeRegex(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A clause as tsquery text, at sample level `level` (0: the whole index). A word of three or more
 * characters is its lexeme or its character pairs in a row; sampled, the pairs' sampled lexemes must
 * all be there and the phrase is checked on the ordinary ones (which carry the positions).
 */
function renderClause(c: Clause, level: number): string {
  const at = (lex: string) => quoteLexeme(level === 0 ? lex : sampledLexeme(level, lex));
  if ("lex" in c) return `${at(c.lex)}${c.prefix ? ":*" : ""}`;
  const phrase = c.pairs.map(quoteLexeme).join(" <-> ");
  if (level === 0) return `( ${quoteLexeme(c.word)} | ${phrase} )`;
  return `( ${at(c.word)} | ( ${c.pairs.map(at).join(" & ")} & ( ${phrase} ) ) )`;
}

/** The query's matches among the documents of sample level `level` (0, 3, 6, …; see sampledLevels). */
export function tsqueryAt(parsed: Pick<ParsedQuery, "clauses">, level: number): string {
  return wordTsqueriesAt(parsed, level).join(" & ");
}

/** The query's words at sample level `level`, one tsquery each (their conjunction is tsqueryAt). */
export function wordTsqueriesAt(parsed: Pick<ParsedQuery, "clauses">, level: number): string[] {
  return parsed.clauses.map((c) => renderClause(c, level));
}

/**
 * Every (`all`) or any (`any`) one of the query's words in the title or keywords, among the documents of
 * sample level `level`: the title lexemes without phrase operators (a word jieba did not cut is its
 * lexeme or all its pairs), so the GIN index answers with no recheck.
 */
export function titleTsqueryAt(parsed: Pick<ParsedQuery, "titleClauses">, level: number, mode: "all" | "any"): string {
  const at = (lex: string) => quoteLexeme(level === 0 ? lex : sampledLexeme(level, lex));
  const render = (c: Clause) =>
    "lex" in c ? `${at(c.lex)}${c.prefix ? ":*" : ""}` : `${at(c.word)} | ( ${c.pairs.map(at).join(" & ")} )`;
  return parsed.titleClauses.map((c) => `( ${render(c)} )`).join(mode === "all" ? " & " : " | ");
}

/** Turn what a person typed into a tsquery: every word must match (AND). */
export function parseQuery(q: string): ParsedQuery {
  const clauses: Clause[] = [];
  const highlight = new Set<string>();
  const words: string[] = [];
  let rest = normalize(q);
  for (const d of findDocNumbers(rest)) {
    const issuer = d.issuer.slice(-6);
    clauses.push({ lex: canonicalDocNumber({ ...d, issuer }) });
    highlight.add(docNumberPattern({ ...d, issuer }));
    words.push(canonicalDocNumber({ ...d, issuer }));
  }
  rest = rest.replace(DOCNO, " ");
  let tokens = segmentQuery(rest);
  const meaningful = tokens.filter((t) => !STOP.has(t));
  if (meaningful.length > 0) tokens = meaningful;
  for (const tok of [...new Set(tokens)]) {
    words.push(tok);
    highlight.add(escapeRegex(tok));
    if (onlyHan(tok)) {
      const chars = [...tok];
      if (chars.length === 1) {
        clauses.push({ lex: tok, prefix: true });
      } else if (chars.length === 2) {
        clauses.push({ lex: tok });
      } else if (segmenter().cutAll(tok).includes(tok)) {
        // A dictionary word: every indexed text containing it carries its lexeme (segmentForIndex adds
        // every dictionary word of three or more characters), so the lexeme alone finds them all.
        clauses.push({ lex: tok });
      } else {
        const pairs = chars.slice(0, -1).map((c, i) => c + chars[i + 1]);
        clauses.push({ word: tok, pairs });
      }
    } else if (isHan(tok)) {
      const clean = tok.replace(/[^\p{L}\p{N}]/gu, "");
      clauses.push({ lex: clean });
    } else {
      const clean = tok.replace(/[^\p{L}\p{N}]/gu, "");
      if (clean) {
        const prefix = /^[a-z]{3,}$/.test(clean);
        clauses.push({ lex: clean, prefix });
      }
    }
  }
  // The same words over the title lexemes (titleLexemes): every lexeme behind TITLE_MARK.
  const titleClauses = clauses.map(
    (c): Clause =>
      "lex" in c
        ? { ...c, lex: TITLE_MARK + c.lex }
        : { word: TITLE_MARK + c.word, pairs: c.pairs.map((p) => TITLE_MARK + p) },
  );
  const empty = clauses.length === 0;
  return {
    tsquery: empty ? null : tsqueryAt({ clauses }, 0),
    clauses,
    titleClauses,
    allInTitle: empty ? null : titleTsqueryAt({ titleClauses }, 0, "all"),
    highlight: [...highlight].sort((a, b) => b.length - a.length),
    words,
  };
}

// ---------------------------------------------------------------------------------------------
// Highlighting: escape everything, then wrap the matches in <mark>.

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function matchRanges(text: string, patterns: string[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const p of patterns) {
    let re: RegExp;
    try {
      re = new RegExp(p, "giu");
    } catch {
      continue;
    }
    for (const m of text.matchAll(re)) if (m[0].length > 0) ranges.push([m.index!, m.index! + m[0].length]);
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([...r]);
  }
  return merged;
}

/** The whole text as safe HTML with the matches marked. */
export function highlightHtml(text: string, patterns: string[]): string {
  let out = "";
  let at = 0;
  for (const [s, e] of matchRanges(text, patterns)) {
    out += escapeHtml(text.slice(at, s)) + "<mark>" + escapeHtml(text.slice(s, e)) + "</mark>";
    at = e;
  }
  return out + escapeHtml(text.slice(at));
}

/** A window of the text around its first match (or its beginning), as safe HTML with <mark>. */
export function snippetHtml(text: string, patterns: string[], length = 90): string {
  const clean = text.replace(/\s+/g, " ").trim();
  const first = matchRanges(clean, patterns)[0];
  let start = 0;
  if (first && first[0] > length / 3) start = first[0] - Math.floor(length / 3);
  // Never cut a surrogate pair.
  if (start > 0 && /[\udc00-\udfff]/.test(clean[start] ?? "")) start--;
  let end = Math.min(clean.length, start + length);
  if (end < clean.length && /[\udc00-\udfff]/.test(clean[end] ?? "")) end++;
  const html = highlightHtml(clean.slice(start, end), patterns);
  return (start > 0 ? "…" : "") + html + (end < clean.length ? "…" : "");
}
