import type { SearchSource, SearchType } from "./contract";

// The searchable content types, each with the source that turns its rows into documents. The composition
// root registers them at start-up (server/search-sources.ts), so search/ never imports a domain. Kept on
// globalThis: the server entry and Astro's bundle each load their own copy of this module.
const SLOT = Symbol.for("sunshine.search-sources");
type Registry = Partial<Record<SearchType, SearchSource>>;

export const searchSources: Registry = ((globalThis as Record<symbol, Registry>)[SLOT] ??= {});

export function registerSearchSources(sources: readonly SearchSource[]) {
  for (const source of sources) searchSources[source.type] = source;
}
