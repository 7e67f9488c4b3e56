import { photoSource } from "../domain/archive/photo-search-source";
import { yearbookSource } from "../domain/archive/yearbook-search-source";
import { allocationSource } from "../domain/funds/search-source";
import { honorSource } from "../domain/honors/search-source";
import { noticeSource } from "../domain/notices/search-source";
import { policySource } from "../domain/policies/search-source";
import { projectSource } from "../domain/projects/search-source";
import { registerSearchSources } from "../search/registry";

// Each public content type's search source, one line per type; each domain owns its source.
const SOURCES = [policySource, yearbookSource, photoSource, honorSource, allocationSource, projectSource, noticeSource];

/** Make every content type searchable (the server, the CLI scripts and the tests call this at start). */
export function registerAllSearchSources() {
  registerSearchSources(SOURCES);
}
