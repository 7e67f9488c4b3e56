import { inArray, sql } from "drizzle-orm";
import { withAdvisoryLock } from "../db/advisory-lock";
import { type Db, rows } from "../db/client";
import { searchOutbox } from "../db/schema";
import { backoffDelay } from "../lib/backoff";
import { log } from "../lib/log";
import { SEARCH_TYPES, type SearchSource, type SearchType } from "./contract";
import type { SearchBackend } from "./engine";
import { searchSources } from "./registry";

// Drains search_outbox into a backend (Meilisearch). Rows are deleted only after the engine has
// confirmed the write; a failure leaves them with a later next_attempt_at (exponential backoff), so an
// outage delays updates and loses none. Each row only says "this item changed": the worker loads the
// item's current state through its source, so retries and duplicates are harmless.

export interface DrainResult {
  /** Outbox rows done with (sent or removed). */
  processed: number;
  /** Outbox rows that failed this time and will be retried. */
  failed: number;
}

/** Delay before the next attempt: 2 s, 4 s, 8 s … capped at 10 minutes, with jitter. */
export function backoffMs(attempts: number): number {
  return backoffDelay(attempts + 1, { base: 1000, max: 600_000, jitter: 0.2 });
}

/** The advisory lock that elects the one drainer. */
export const SEARCH_OUTBOX_LOCK = "search-outbox";

type Backend = Pick<SearchBackend, "index" | "remove">;
type Sources = Partial<Record<SearchType, SearchSource>>;

/** One batch of due rows. */
export async function drainOnce(
  db: Db,
  backend: Backend,
  opts: { batch?: number; sources?: Sources; ignoreBackoff?: boolean } = {},
): Promise<DrainResult> {
  const sources = opts.sources ?? searchSources;
  const due = await rows<{ id: number; doc_type: string; doc_id: string; attempts: number }>(
    db,
    sql`SELECT id, doc_type, doc_id, attempts FROM search_outbox
        ${opts.ignoreBackoff ? sql`` : sql`WHERE next_attempt_at <= now()`}
        ORDER BY id LIMIT ${opts.batch ?? 500}`,
  );
  const result: DrainResult = { processed: 0, failed: 0 };
  const byType = new Map<string, typeof due>();
  for (const r of due) {
    const list = byType.get(r.doc_type) ?? [];
    list.push(r);
    byType.set(r.doc_type, list);
  }
  for (const [type, list] of byType) {
    const outboxIds = list.map((r) => Number(r.id));
    try {
      if (!(SEARCH_TYPES as readonly string[]).includes(type)) {
        // Not a search type at all: nothing could ever index it.
        log.warn("search outbox: dropping rows of unknown type", { type, rows: list.length });
      } else {
        const source = sources[type as SearchType];
        if (!source) throw new Error(`no search source registered for ${type}`);
        const ids = [...new Set(list.map((r) => r.doc_id))];
        const docs = (await source.load(db, ids)).filter((d) => d.type === type && ids.includes(String(d.id)));
        const found = new Set(docs.map((d) => String(d.id)));
        await backend.index(db, docs);
        await backend.remove(
          db,
          type as SearchType,
          ids.filter((id) => !found.has(id)),
        );
      }
      await db.delete(searchOutbox).where(inArray(searchOutbox.id, outboxIds));
      result.processed += list.length;
    } catch (err) {
      const message = String((err as Error).message ?? err).slice(0, 500);
      const attempts = Math.max(...list.map((r) => r.attempts)) + 1;
      await db
        .update(searchOutbox)
        .set({
          attempts: sql`${searchOutbox.attempts} + 1`,
          lastError: message,
          nextAttemptAt: sql`now() + ${`${backoffMs(attempts)} milliseconds`}::interval`,
        })
        .where(inArray(searchOutbox.id, outboxIds));
      result.failed += list.length;
      log.warn("search outbox: delivery failed, will retry", { type, rows: list.length, attempts, error: message });
    }
  }
  return result;
}

/** Drain until nothing is due (or a batch fails). */
export async function drainAll(
  db: Db,
  backend: Backend,
  opts: { batch?: number; sources?: Sources; ignoreBackoff?: boolean } = {},
): Promise<DrainResult> {
  const total: DrainResult = { processed: 0, failed: 0 };
  for (;;) {
    const r = await drainOnce(db, backend, opts);
    total.processed += r.processed;
    total.failed += r.failed;
    if (r.failed > 0 || r.processed === 0) return total;
  }
}

/**
 * The background worker: drains every `intervalMs`, and sooner while there is more to do. Started by the
 * server's scheduler (server/scheduler.ts) when MEILISEARCH_URL is set, on every node; each tick is
 * elected like the other background rounds (db/advisory-lock.ts), so one node at a time sends changes
 * and no two drains ever overlap.
 */
export function startOutboxWorker(getDb: () => Promise<Db>, backend: Backend, opts: { intervalMs?: number } = {}) {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const tick = async () => {
    try {
      const round = await withAdvisoryLock(SEARCH_OUTBOX_LOCK, async () => drainAll(await getDb(), backend));
      const r = round.ran ? round.result : undefined;
      if (r && r.processed > 0) log.info("search outbox drained", { processed: r.processed, failed: r.failed });
    } catch (err) {
      log.warn("search outbox worker error", { error: (err as Error).message });
    }
  };
  const loop = () => {
    if (stopped) return;
    running = tick().finally(() => {
      running = undefined;
      if (!stopped) timer = setTimeout(loop, opts.intervalMs ?? 1000);
      timer?.unref();
    });
  };
  loop();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
