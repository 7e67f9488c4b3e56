import type { Db } from "../db/client";

// The one contract between content domains and search. A domain that publishes something:
//   1. writes domain/<domain>/search-source.ts: a SearchSource that turns its rows into SearchDocuments
//      (public fields only: never reporter data, never internal notes), listed in server/search-sources.ts;
//   2. calls syncSearch(tx, type, ids) from search/sync.ts inside the transaction that changed them.
// The search module keeps the index in step from there.

export const SEARCH_TYPES = ["allocation", "project", "notice", "policy", "yearbook", "photo", "honor"] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

export const SEARCH_TYPE_LABELS: Record<SearchType, string> = {
  allocation: "资金分配",
  project: "扶贫项目",
  notice: "公告公示",
  policy: "政策文件",
  yearbook: "年鉴",
  photo: "影像",
  honor: "群英谱",
};

export interface SearchDocument {
  type: SearchType;
  /** The content's own id, as a string. */
  id: string;
  title: string;
  /** Public text to search and highlight (plain text, no HTML). */
  body: string;
  /** Public page of the item, e.g. /notices/12 */
  url: string;
  /** ISO date (YYYY-MM-DD) the item is dated by, if any. */
  date: string | null;
  year: number | null;
  /** District name (e.g. 高青县), if the item belongs to one. */
  district: string | null;
  /** Extra searchable keywords: document numbers, place names, people. */
  keywords?: string[];
}

export interface SearchSource {
  type: SearchType;
  /**
   * The documents for these ids; an id missing from the result (deleted, withdrawn, not public) is
   * removed from the index. Without ids: every public document of this type (for reindexing), in pages.
   */
  load(db: Db, ids?: string[]): Promise<SearchDocument[]>;
}
