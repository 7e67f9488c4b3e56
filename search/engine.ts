import type { Db } from "../db/client";
import { env } from "../lib/env";
import { AppError } from "../lib/errors";
import { log } from "../lib/log";
import { SEARCH_TYPES, type SearchDocument, type SearchType } from "./contract";

// The one small interface both search backends implement, and the entry points the rest of the
// code uses (search, searchHealth). The backend is chosen by configuration: MEILISEARCH_URL set →
// Meilisearch, otherwise the embedded index in the PostgreSQL database itself.

export const SORTS = ["relevance", "date"] as const;
export type SearchSort = (typeof SORTS)[number];
export const MAX_QUERY_LENGTH = 100;
export const MAX_PAGE_SIZE = 50;
export const MAX_PAGE = 100;
/**
 * Up to this many matches, a search's total and facet counts are exact; beyond it they may be estimates
 * (SearchResult.totalIsExact), so that a query costs about the same whether it matches two thousand
 * documents or two hundred thousand.
 */
export const EXACT_COUNT_THRESHOLD = 1000;

export interface SearchQuery {
  q: string;
  type?: SearchType;
  year?: number;
  district?: string;
  page?: number;
  pageSize?: number;
  sort?: SearchSort;
}

export type NormalizedQuery = Required<Pick<SearchQuery, "q" | "page" | "pageSize" | "sort">> &
  Pick<SearchQuery, "type" | "year" | "district">;

export interface SearchHit {
  type: SearchType;
  id: string;
  title: string;
  /** The title as safe HTML with the matches in <mark>. */
  titleHtml: string;
  /** Safe HTML: escaped text around the first match, matches in <mark>. */
  snippet: string;
  url: string;
  date: string | null;
  district: string | null;
}

export interface FacetCount {
  value: string;
  count: number;
}

export interface SearchFacets {
  type: FacetCount[];
  year: FacetCount[];
  district: FacetCount[];
}

export interface SearchResult {
  hits: SearchHit[];
  /** Exact when totalIsExact, else an estimate (see EXACT_COUNT_THRESHOLD). */
  total: number;
  /**
   * True: the total and every facet count are exact. False: they are estimates — only ever when there
   * are more than EXACT_COUNT_THRESHOLD matches (embedded backend), or when Meilisearch reports its
   * estimatedTotalHits beyond it.
   */
  totalIsExact: boolean;
  facets: SearchFacets;
  page: number;
  pageSize: number;
  tookMs: number;
}

export interface SearchHealth {
  backend: "embedded" | "meilisearch";
  ok: boolean;
  /** Changes waiting in the outbox (Meilisearch only). */
  backlog?: number;
  detail?: string;
}

export interface SearchBackend {
  readonly name: "embedded" | "meilisearch";
  /** Add or replace documents (keyed by type + id). */
  index(db: Db, docs: SearchDocument[]): Promise<void>;
  /** Remove documents of one type. */
  remove(db: Db, type: SearchType, ids: string[]): Promise<void>;
  query(db: Db, query: NormalizedQuery): Promise<Omit<SearchResult, "tookMs">>;
  health(db: Db): Promise<SearchHealth>;
}

/** Check and complete a query; throws AppError BAD_REQUEST for what a person must fix. */
export function normalizeQuery(input: SearchQuery): NormalizedQuery {
  const q = (input.q ?? "").replace(/\s+/g, " ").trim();
  if (!q) throw new AppError("BAD_REQUEST", "请输入要搜索的内容", [{ path: "q", message: "请输入要搜索的内容" }]);
  if ([...q].length > MAX_QUERY_LENGTH) {
    throw new AppError("BAD_REQUEST", `搜索内容最多 ${MAX_QUERY_LENGTH} 个字`, [
      { path: "q", message: `搜索内容最多 ${MAX_QUERY_LENGTH} 个字` },
    ]);
  }
  if (input.type !== undefined && !SEARCH_TYPES.includes(input.type)) {
    throw new AppError("BAD_REQUEST", "不支持的内容类型", [{ path: "type", message: "不支持的内容类型" }]);
  }
  const page = input.page ?? 1;
  if (!Number.isInteger(page) || page < 1 || page > MAX_PAGE) {
    throw new AppError("BAD_REQUEST", `页码应为 1 到 ${MAX_PAGE} 的整数`, [{ path: "page", message: "页码有误" }]);
  }
  const pageSize = input.pageSize ?? 10;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new AppError("BAD_REQUEST", `每页条数应为 1 到 ${MAX_PAGE_SIZE}`, [
      { path: "pageSize", message: "每页条数有误" },
    ]);
  }
  return {
    q,
    type: input.type,
    year: input.year,
    district: input.district?.trim() || undefined,
    page,
    pageSize,
    sort: input.sort ?? "relevance",
  };
}

const SLOT = Symbol.for("sunshine.search-backend");
type Slot = { current?: SearchBackend };
const slot: Slot = ((globalThis as Record<symbol, Slot>)[SLOT] ??= {});

/** The configured backend (created on first use). */
export async function searchBackend(): Promise<SearchBackend> {
  if (slot.current) return slot.current;
  const e = env();
  if (e.MEILISEARCH_URL) {
    const { MeiliBackend, createMeiliTransport } = await import("./meili");
    slot.current ??= new MeiliBackend(
      createMeiliTransport({
        url: e.MEILISEARCH_URL,
        adminKey: e.MEILISEARCH_KEY,
        searchKey: e.MEILISEARCH_SEARCH_KEY,
      }),
    );
  } else {
    const { embeddedBackend } = await import("./embedded");
    slot.current ??= embeddedBackend;
  }
  return slot.current;
}

/** Use this backend for the process (tests). */
export function setSearchBackend(backend: SearchBackend | undefined) {
  slot.current = backend;
}

export function configuredBackendName(): "embedded" | "meilisearch" {
  return slot.current?.name ?? (env().MEILISEARCH_URL ? "meilisearch" : "embedded");
}

/** Search everything public. Throws AppError BAD_REQUEST for a bad query, SERVICE_UNAVAILABLE if the engine is down. */
export async function search(db: Db, input: SearchQuery): Promise<SearchResult> {
  const query = normalizeQuery(input);
  const started = performance.now();
  const backend = await searchBackend();
  try {
    const result = await backend.query(db, query);
    return { ...result, tookMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (backend.name === "meilisearch") {
      log.warn("search engine unavailable", { error: (err as Error).message });
      throw new AppError("SERVICE_UNAVAILABLE", "搜索服务暂时不可用，请稍后再试");
    }
    throw err;
  }
}

export async function searchHealth(db: Db): Promise<SearchHealth> {
  const backend = await searchBackend();
  try {
    return await backend.health(db);
  } catch (err) {
    return { backend: backend.name, ok: false, detail: (err as Error).message };
  }
}
