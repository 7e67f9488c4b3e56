import type { Db } from "../db/client";
import { searchOutbox } from "../db/schema";
import { log } from "../lib/log";
import type { SearchType } from "./contract";
import { embeddedBackend } from "./embedded";
import { configuredBackendName } from "./engine";
import { searchSources } from "./registry";

/**
 * Record that these items changed, inside the caller's transaction, so the index follows the database:
 * - embedded search (default): the index rows are rewritten right here, from the registered source
 *   reading through the same transaction, so content and index commit (or roll back) together;
 * - Meilisearch: a row per item goes to search_outbox, committed with the change, and the worker
 *   (search/worker.ts) sends it to Meilisearch with retries.
 */
export async function syncSearch(tx: Db, type: SearchType, ids: (string | number)[]) {
  if (ids.length === 0) return;
  const keys = [...new Set(ids.map(String))];
  if (configuredBackendName() === "meilisearch") {
    await tx.insert(searchOutbox).values(keys.map((id) => ({ docType: type, docId: id })));
    return;
  }
  await indexFromSource(tx, type, keys);
}

/** Load these items through their source and write them to the embedded index (missing ones removed). */
export async function indexFromSource(tx: Db, type: SearchType, ids: string[]) {
  const source = searchSources[type];
  if (!source) {
    log.warn("search: no source registered for type; run npm run search:reindex once it is", { type });
    return;
  }
  const wanted = new Set(ids);
  const docs = (await source.load(tx, ids)).filter((d) => d.type === type && wanted.has(String(d.id)));
  await embeddedBackend.index(tx, docs);
  const found = new Set(docs.map((d) => String(d.id)));
  await embeddedBackend.remove(
    tx,
    type,
    ids.filter((id) => !found.has(id)),
  );
}
