import type { Db } from "../db/client";
import { log } from "../lib/log";
import { configuredBackendName, searchBackend } from "./engine";
import { reindex } from "./reindex";

/**
 * Demo seeder (runs after the content seeders): rebuild the embedded index from the sources, so demo
 * content is searchable even if a seeder wrote rows without syncSearch. With Meilisearch the content's
 * outbox rows are delivered by the worker instead; run `npm run search:reindex` for a full rebuild.
 */
export async function seedSearchIndex(db: Db) {
  if (configuredBackendName() !== "embedded") return;
  const { searchSources } = await import("./sources/index");
  const result = await reindex(db, await searchBackend(), { sources: searchSources });
  log.info("search index rebuilt", { documents: result.documents, ms: result.ms });
}
