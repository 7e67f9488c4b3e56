import { sql } from "drizzle-orm";
import { type Db, rows } from "../db/client";
import { log } from "../lib/log";
import { SEARCH_TYPES, type SearchType } from "./contract";
import { configuredBackendName, searchBackend } from "./engine";
import { searchSources } from "./registry";
import { reindex } from "./reindex";

/**
 * Demo seeder (runs after the content seeders): make sure the embedded index holds every demo
 * document, rebuilding the types whose index rows do not match their source (a seeder that wrote rows
 * without syncSearch). With Meilisearch the content's outbox rows are delivered by the worker instead;
 * run `npm run search:reindex` for a full rebuild.
 */
export async function seedSearchIndex(db: Db) {
  if (configuredBackendName() !== "embedded") return;
  const counts = new Map(
    (
      await rows<{ doc_type: string; n: number }>(
        db,
        sql`SELECT doc_type, count(*)::int AS n FROM search_documents GROUP BY doc_type`,
      )
    ).map((r) => [r.doc_type, r.n]),
  );
  const stale: SearchType[] = [];
  for (const type of SEARCH_TYPES) {
    const source = searchSources[type];
    const expected = source ? (await source.load(db)).length : 0;
    if ((counts.get(type) ?? 0) !== expected) stale.push(type);
  }
  if (stale.length === 0) return;
  const result = await reindex(db, await searchBackend(), { sources: searchSources, types: stale });
  log.info("search index rebuilt", { types: stale.join(","), documents: result.documents, ms: result.ms });
}
