import { sql } from "drizzle-orm";
import { Meilisearch, type Settings } from "meilisearch";
import { type Db, rows } from "../db/client";
import { SEARCH_TYPES, type SearchDocument, type SearchType } from "./contract";
import {
  EXACT_COUNT_THRESHOLD,
  type FacetCount,
  type NormalizedQuery,
  type SearchBackend,
  type SearchHit,
  type SearchResult,
} from "./engine";
import { docNumberTokens, escapeHtml } from "./text";

// The Meilisearch backend. Content changes reach it through search_outbox (search/outbox.ts): the
// worker calls index()/remove() here. Queries use the search-only key; the admin key is used only to
// apply settings and write documents.

export const DEFAULT_INDEX_UID = "sunshine_documents";

/** What is stored in Meilisearch for one document: public fields only, an explicit primary key. */
export interface MeiliDocument {
  key: string;
  type: SearchType;
  id: string;
  title: string;
  body: string;
  keywords: string[];
  url: string;
  date: string | null;
  /** date as a number (YYYYMMDD) for sorting; 0 when undated. */
  dateSort: number;
  year: number | null;
  district: string | null;
}

export const MEILI_SETTINGS: Settings = {
  searchableAttributes: ["title", "keywords", "district", "body"],
  filterableAttributes: ["type", "year", "district"],
  sortableAttributes: ["dateSort"],
  displayedAttributes: ["key", "type", "id", "title", "body", "url", "date", "year", "district"],
  rankingRules: ["words", "typo", "proximity", "attribute", "sort", "exactness"],
  localizedAttributes: [{ attributePatterns: ["title", "body", "keywords", "district"], locales: ["cmn"] }],
  typoTolerance: { disableOnAttributes: ["keywords"], disableOnNumbers: true },
  faceting: { maxValuesPerFacet: 100 },
  pagination: { maxTotalHits: 5000 },
};

// Highlight markers that cannot occur in stored text (stripped on the way in).
const PRE = "\u0001";
const POST = "\u0002";
// C0 control characters (but tab, newline, carriage return) never reach the index.
const stripControl = (s: string) =>
  [...s].filter((ch) => ch.charCodeAt(0) >= 32 || ch === "\t" || ch === "\n" || ch === "\r").join("");

/** Primary keys may only hold [A-Za-z0-9_-]: other characters of an id are hex-escaped. */
export function meiliKey(type: SearchType, id: string): string {
  const safe = [...String(id)]
    .map((ch) => (/^[A-Za-z0-9_]$/.test(ch) ? ch : `-${ch.codePointAt(0)!.toString(16)}`))
    .join("");
  return `${type}__${safe}`.slice(0, 511);
}

/** Map a SearchDocument field by field: nothing but these public fields ever reaches Meilisearch. */
export function toMeiliDocument(doc: SearchDocument): MeiliDocument {
  const keywords = (doc.keywords ?? []).map(stripControl);
  // Document numbers also in canonical form (淄发〔2016〕3号), however the source wrote them.
  keywords.push(...docNumberTokens(`${doc.title} ${keywords.join(" ")} ${doc.body}`));
  const date = doc.date ?? null;
  return {
    key: meiliKey(doc.type, String(doc.id)),
    type: doc.type,
    id: String(doc.id),
    title: stripControl(doc.title),
    body: stripControl(doc.body ?? ""),
    keywords: [...new Set(keywords)],
    url: doc.url,
    date,
    dateSort: date ? Number(date.slice(0, 10).replace(/-/g, "")) : 0,
    year: doc.year ?? (date ? Number(date.slice(0, 4)) : null),
    district: doc.district ?? null,
  };
}

const quote = (v: string) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

export function meiliFilter(q: Pick<NormalizedQuery, "type" | "year" | "district">): string[] {
  const filter: string[] = [];
  if (q.type) filter.push(`type = ${quote(q.type)}`);
  if (q.year !== undefined) filter.push(`year = ${Number(q.year)}`);
  if (q.district) filter.push(`district = ${quote(q.district)}`);
  return filter;
}

/** Meilisearch's highlighted text → safe HTML: escape everything, then turn the markers into <mark>. */
export function markersToHtml(text: string): string {
  return escapeHtml(text).replaceAll(PRE, "<mark>").replaceAll(POST, "</mark>");
}

/**
 * Either offset/limit (Meilisearch answers with estimatedTotalHits, counting only as far as it needs) or
 * page/hitsPerPage ("exhaustive": totalHits and the facet distribution count every match).
 */
export type MeiliSearchParams = {
  q: string;
  filter: string[];
  sort?: string[];
} & ({ offset: number; limit: number } | { page: number; hitsPerPage: number });

export interface MeiliSearchResponse {
  hits: (MeiliDocument & { _formatted?: Partial<Record<"title" | "body", string>> })[];
  /** Exhaustive (page/hitsPerPage requests). */
  totalHits?: number;
  /** An estimate (offset/limit requests). */
  estimatedTotalHits?: number;
  facetDistribution?: Record<string, Record<string, number>>;
}

/** The little of Meilisearch this backend needs; tests pass a fake. */
export interface MeiliTransport {
  /** Create the index with its primary key and apply the settings (once per process), waiting for both. */
  ensureIndex(uid?: string): Promise<void>;
  upsert(docs: MeiliDocument[], uid?: string): Promise<void>;
  delete(keys: string[], uid?: string): Promise<void>;
  search(params: MeiliSearchParams): Promise<MeiliSearchResponse>;
  healthy(): Promise<boolean>;
  /** Reindex: build into a fresh index, then swap it with the live one. */
  swapIn(tempUid: string): Promise<void>;
  readonly indexUid: string;
}

export function createMeiliTransport(opts: {
  url: string;
  adminKey?: string;
  searchKey?: string;
  indexUid?: string;
}): MeiliTransport {
  const indexUid = opts.indexUid ?? DEFAULT_INDEX_UID;
  const admin = new Meilisearch({ host: opts.url, apiKey: opts.adminKey, timeout: 30_000 });
  // The site's queries use the search-only key (falls back to no key on an unprotected dev instance).
  const searcher = new Meilisearch({ host: opts.url, apiKey: opts.searchKey, timeout: 5_000 });
  const ready = new Map<string, Promise<void>>();
  const wait = { timeout: 120_000, interval: 50 };
  const ensure = (uid: string) => {
    let p = ready.get(uid);
    if (!p) {
      p = (async () => {
        const exists = await admin
          .getIndex(uid)
          .then(() => true)
          .catch(() => false);
        if (!exists) await admin.createIndex(uid, { primaryKey: "key" }).waitTask(wait);
        await admin.index(uid).updateSettings(MEILI_SETTINGS).waitTask(wait);
      })();
      p.catch(() => ready.delete(uid));
      ready.set(uid, p);
    }
    return p;
  };
  const check = (task: { status: string; error?: { message: string } | null }) => {
    if (task.status !== "succeeded") throw new Error(`Meilisearch task ${task.status}: ${task.error?.message ?? ""}`);
  };
  return {
    indexUid,
    ensureIndex: (uid = indexUid) => ensure(uid),
    upsert: async (docs, uid = indexUid) => {
      if (docs.length === 0) return;
      await ensure(uid);
      check(await admin.index(uid).addDocuments(docs, { primaryKey: "key" }).waitTask(wait));
    },
    delete: async (keys, uid = indexUid) => {
      if (keys.length === 0) return;
      await ensure(uid);
      check(await admin.index(uid).deleteDocuments(keys).waitTask(wait));
    },
    search: async (p) => {
      const { q, filter, sort, ...paging } = p;
      const res = await searcher.index<MeiliDocument>(indexUid).search(q, {
        filter,
        sort,
        ...paging,
        facets: ["type", "year", "district"],
        attributesToHighlight: ["title"],
        attributesToCrop: ["body"],
        cropLength: 40,
        cropMarker: "…",
        highlightPreTag: PRE,
        highlightPostTag: POST,
        locales: ["cmn"],
      });
      return res as unknown as MeiliSearchResponse;
    },
    healthy: async () => {
      const h = await searcher.health();
      return h.status === "available";
    },
    swapIn: async (tempUid) => {
      await ensure(indexUid);
      check(await admin.swapIndexes([{ indexes: [indexUid, tempUid], rename: false }]).waitTask(wait));
      await admin.deleteIndex(tempUid).waitTask(wait);
      ready.delete(tempUid);
    },
  };
}

const facetList = (dist: Record<string, number> | undefined): FacetCount[] =>
  Object.entries(dist ?? {}).map(([value, count]) => ({ value, count }));

export class MeiliBackend implements SearchBackend {
  readonly name = "meilisearch" as const;
  constructor(
    readonly transport: MeiliTransport,
    readonly exactThreshold = EXACT_COUNT_THRESHOLD,
  ) {}

  async index(_db: Db, docs: SearchDocument[]) {
    await this.transport.upsert(docs.map(toMeiliDocument));
  }

  async remove(_db: Db, type: SearchType, ids: string[]) {
    await this.transport.delete(ids.map((id) => meiliKey(type, id)));
  }

  /**
   * The same shape as the embedded backend: total and facets exact up to EXACT_COUNT_THRESHOLD matches,
   * estimates beyond. Meilisearch is asked with offset/limit, which estimates the total
   * (estimatedTotalHits); when that estimate is at most the threshold, the page is asked again in its
   * exhaustive mode (page/hitsPerPage: cheap for so few matches), whose totalHits and facets are exact.
   */
  async query(_db: Db, q: NormalizedQuery): Promise<Omit<SearchResult, "tookMs">> {
    const base = { q: q.q, filter: meiliFilter(q), sort: q.sort === "date" ? ["dateSort:desc"] : undefined };
    let res = await this.transport.search({ ...base, offset: (q.page - 1) * q.pageSize, limit: q.pageSize });
    let totalIsExact = false;
    if ((res.estimatedTotalHits ?? res.totalHits ?? 0) <= this.exactThreshold) {
      res = await this.transport.search({ ...base, page: q.page, hitsPerPage: q.pageSize });
      totalIsExact = true;
    }
    const total = (totalIsExact ? res.totalHits : res.estimatedTotalHits) ?? 0;
    const hits: SearchHit[] = res.hits.map((h) => ({
      type: h.type,
      id: h.id,
      title: h.title,
      titleHtml: markersToHtml(h._formatted?.title ?? h.title),
      snippet: markersToHtml(h._formatted?.body || h.body.slice(0, 90)),
      url: h.url,
      date: h.date,
      district: h.district,
    }));
    const dist = res.facetDistribution ?? {};
    const type = facetList(dist.type)
      .filter((f) => (SEARCH_TYPES as readonly string[]).includes(f.value))
      .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
    const year = facetList(dist.year).sort((a, b) => Number(b.value) - Number(a.value));
    const district = facetList(dist.district).sort(
      (a, b) => b.count - a.count || a.value.localeCompare(b.value, "zh-CN"),
    );
    return { hits, total, totalIsExact, facets: { type, year, district }, page: q.page, pageSize: q.pageSize };
  }

  async health(db: Db) {
    const [{ n }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM search_outbox`);
    const ok = await Promise.race([
      this.transport.healthy().catch(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref()),
    ]);
    return { backend: "meilisearch" as const, ok, backlog: n };
  }
}
