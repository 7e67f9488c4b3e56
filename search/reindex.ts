import { sql } from "drizzle-orm";
import { type Db, rows } from "../db/client";
import { SEARCH_TYPES, type SearchDocument, type SearchSource, type SearchType } from "./contract";
import { embeddedBackend } from "./embedded";
import type { SearchBackend } from "./engine";
import type { MeiliBackend } from "./meili";
import { toMeiliDocument } from "./meili";

// Rebuild a backend's index from the database, through the registered sources.
// Embedded: per type, in one transaction (delete the type's rows, insert them all again), so a search
// during the rebuild sees either the old or the new rows. Meilisearch: into a fresh index that is then
// swapped with the live one; outbox rows older than the rebuild are dropped (the rebuild covers them).

export interface ReindexProgress {
  type: SearchType;
  done: number;
  total: number;
}

export interface ReindexResult {
  documents: number;
  ms: number;
  perType: Partial<Record<SearchType, number>>;
}

// Documents per call to the backend. The embedded one builds each of its own batches while the database
// writes the one before, and the first build and last write of a call overlap nothing: few calls.
const BATCH = 4000;

export async function reindex(
  db: Db,
  backend: SearchBackend,
  opts: {
    sources: Partial<Record<SearchType, SearchSource>>;
    onProgress?: (p: ReindexProgress) => void;
    /** Only these types (embedded backend); default: all. */
    types?: readonly SearchType[];
  },
): Promise<ReindexResult> {
  const started = Date.now();
  const perType: Partial<Record<SearchType, number>> = {};
  let documents = 0;
  const [{ maxId }] = await rows<{ maxId: string | null }>(db, sql`SELECT max(id)::text AS "maxId" FROM search_outbox`);

  const loadAll = async (type: SearchType, source: SearchSource, reader: Db): Promise<SearchDocument[]> =>
    (await source.load(reader)).filter((d) => d.type === type);

  if (backend.name === "embedded") {
    for (const type of opts.types ?? SEARCH_TYPES) {
      const source = opts.sources[type];
      await db.transaction(async (tx) => {
        await embeddedBackend.clear(tx, type);
        if (!source) return;
        const docs = await loadAll(type, source, tx);
        for (let i = 0; i < docs.length; i += BATCH) {
          await embeddedBackend.index(tx, docs.slice(i, i + BATCH));
          opts.onProgress?.({ type, done: Math.min(i + BATCH, docs.length), total: docs.length });
        }
        if (docs.length === 0) opts.onProgress?.({ type, done: 0, total: 0 });
        perType[type] = docs.length;
        documents += docs.length;
      });
    }
  } else {
    const transport = (backend as MeiliBackend).transport;
    const temp = `${transport.indexUid}_reindex_${Date.now()}`;
    await transport.ensureIndex(temp);
    for (const type of SEARCH_TYPES) {
      const source = opts.sources[type];
      if (!source) continue;
      const docs = await loadAll(type, source, db);
      for (let i = 0; i < docs.length; i += BATCH) {
        await transport.upsert(docs.slice(i, i + BATCH).map(toMeiliDocument), temp);
        opts.onProgress?.({ type, done: Math.min(i + BATCH, docs.length), total: docs.length });
      }
      perType[type] = docs.length;
      documents += docs.length;
    }
    await transport.swapIn(temp);
  }
  if (maxId !== null) await rows(db, sql`DELETE FROM search_outbox WHERE id <= ${maxId}::bigint`);
  return { documents, ms: Date.now() - started, perType };
}

/** A one-line progress bar on stderr (\r, redrawn in place). */
export function progressBar(label = "reindex") {
  const started = Date.now();
  let overall = 0;
  let lastType: string | undefined;
  let lastDone = 0;
  return (p: ReindexProgress) => {
    if (p.type !== lastType) {
      if (lastType) process.stderr.write("\n");
      lastType = p.type;
      lastDone = 0;
    }
    overall += p.done - lastDone;
    lastDone = p.done;
    const width = 30;
    const share = p.total ? p.done / p.total : 1;
    const filled = Math.round(share * width);
    const rate = Math.round(overall / Math.max(0.001, (Date.now() - started) / 1000));
    process.stderr.write(
      `\r${label} ${p.type.padEnd(10)} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}% ${p.done}/${p.total}  ${rate} docs/s`,
    );
  };
}
