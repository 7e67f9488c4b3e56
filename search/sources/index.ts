import type { SearchSource, SearchType } from "../contract";

// Each public content type registers its source here (one line per type).
export const searchSources: Partial<Record<SearchType, SearchSource>> = {};
