import { sql } from "drizzle-orm";
import { withAdvisoryLock } from "../../db/advisory-lock";
import { type Db, rows } from "../../db/client";
import { backoffDelay } from "../../lib/backoff";
import { env } from "../../lib/env";
import { log } from "../../lib/log";
import { repeatEvery } from "../../lib/repeat";
import { decodeBody } from "./charset";
import { fetchSource } from "./fetch";
import { catchEntries, RoundPool, recordCaught, refreshSpread } from "./items";
import { loadWatchList, type WatchList } from "./matching";
import { type FeedEntry, parseEntries, type SourceKind } from "./parse-feeds";
import { notifyOverdueItems } from "./roster";
import { type AllowEntry, parseAllowList } from "./safety";

// The fetch round: every enabled source whose time has come is fetched (a few at a time), parsed, matched
// against the watch-list, and what it caught recorded; each source's health line (last success, last
// error, items seen) is updated whatever happens, and a failure never stops the others.
//
// One round at a time, across nodes and within a process, by the background jobs' advisory lock
// (db/advisory-lock.ts; a round that finds it held skips its turn), so `npm run monitor:once`, a
// source fetched from the console or a slow round never overlaps the next tick.

/** The advisory lock that elects the one fetching process (db/advisory-lock.ts). */
export const MONITOR_ROUND_LOCK = "monitor-fetch-round";

/** Longest wait after repeated failures (the interval doubles per failure up to this). */
export const MAX_BACKOFF_MINUTES = 24 * 60;

export interface SourceRow {
  id: number;
  name: string;
  url: string;
  kind: SourceKind;
  item_selector: string | null;
  interval_minutes: number;
  etag: string | null;
  last_modified: string | null;
  consecutive_failures: number;
}

export interface SourceResult {
  sourceId: number;
  name: string;
  ok: boolean;
  notModified?: boolean;
  seen: number;
  caught: number;
  error?: string;
  ms: number;
}

export interface RoundReport {
  /** false when a round was already running (here or on another node): nothing was done. */
  ran: boolean;
  sources: SourceResult[];
  ms: number;
}

export interface RoundOptions {
  /** Fetch every enabled source now, whatever its schedule (npm run monitor:once). */
  all?: boolean;
  /** Fetch only this source now (see runMonitorRound). */
  sourceId?: number;
  allow?: AllowEntry[];
  timeoutMs?: number;
  maxBytes?: number;
  concurrency?: number;
}

/** Minutes until the next attempt after `failures` consecutive failures. */
export function backoffMinutes(intervalMinutes: number, failures: number): number {
  if (failures <= 0) return intervalMinutes;
  return backoffDelay(failures + 1, { base: intervalMinutes, max: MAX_BACKOFF_MINUTES });
}

/** Fetch, parse and match one source (no database writes): entries seen and the relevant ones. */
export async function fetchAndParse(
  source: Pick<SourceRow, "url" | "kind" | "item_selector" | "etag" | "last_modified">,
  opts: { allow: AllowEntry[]; timeoutMs: number; maxBytes: number },
) {
  const outcome = await fetchSource(source.url, {
    allow: opts.allow,
    timeoutMs: opts.timeoutMs,
    maxBytes: opts.maxBytes,
    etag: source.etag,
    lastModified: source.last_modified,
  });
  if (outcome.status === "not-modified") return { notModified: true as const, entries: [] as FeedEntry[] };
  const { text } = decodeBody(outcome.body, outcome.contentType);
  const entries = parseEntries(source.kind, text, outcome.finalUrl, source.item_selector);
  return { notModified: false as const, entries, etag: outcome.etag, lastModified: outcome.lastModified };
}

async function runSource(
  db: Db,
  s: SourceRow,
  list: WatchList,
  opts: Required<Omit<RoundOptions, "all" | "sourceId">>,
  pool: RoundPool,
) {
  const started = Date.now();
  try {
    const got = await fetchAndParse(s, opts);
    let caught = 0;
    if (!got.notModified) caught = await recordCaught(db, s.id, catchEntries(list, got.entries), false, pool);
    const seen = got.entries.length;
    await db.execute(sql`UPDATE monitor_sources SET last_attempt_at = now(), last_success_at = now(),
        consecutive_failures = 0, items_seen = items_seen + ${seen}, items_caught = items_caught + ${caught},
        etag = ${got.notModified ? sql`etag` : (got.etag ?? null)},
        last_modified = ${got.notModified ? sql`last_modified` : (got.lastModified ?? null)},
        next_fetch_at = now() + make_interval(mins => interval_minutes), updated_at = now()
      WHERE id = ${s.id}`);
    return {
      sourceId: s.id,
      name: s.name,
      ok: true,
      notModified: got.notModified,
      seen,
      caught,
      ms: Date.now() - started,
    };
  } catch (err) {
    const message = String((err as Error).message ?? err).slice(0, 300);
    const wait = backoffMinutes(s.interval_minutes, s.consecutive_failures + 1);
    await db.execute(sql`UPDATE monitor_sources SET last_attempt_at = now(), last_error = ${message},
        last_error_at = now(), consecutive_failures = consecutive_failures + 1,
        next_fetch_at = now() + make_interval(mins => ${wait}), updated_at = now()
      WHERE id = ${s.id}`);
    // The URL and message name a public site only; nothing personal.
    log.info("monitor source failed", { sourceId: s.id, error: message });
    return { sourceId: s.id, name: s.name, ok: false, seen: 0, caught: 0, error: message, ms: Date.now() - started };
  }
}

/**
 * One fetch round (see above). Returns { ran: false } when a round is already running somewhere. With
 * `sourceId`, the round is that one source, enabled or not, whatever its schedule (the console's 立即抓取).
 */
export async function runMonitorRound(db: Db, opts: RoundOptions = {}): Promise<RoundReport> {
  const started = Date.now();
  const locked = await withAdvisoryLock(MONITOR_ROUND_LOCK, () => fetchRound(db, opts));
  return locked.ran
    ? { ran: true, sources: locked.result, ms: Date.now() - started }
    : { ran: false, sources: [], ms: Date.now() - started };
}

async function fetchRound(db: Db, opts: RoundOptions): Promise<SourceResult[]> {
  const e = env();
  const full = {
    allow: opts.allow ?? parseAllowList(e.MONITOR_ALLOW_HOSTS),
    timeoutMs: opts.timeoutMs ?? e.MONITOR_TIMEOUT_SECONDS * 1000,
    maxBytes: opts.maxBytes ?? e.MONITOR_MAX_BYTES,
    concurrency: opts.concurrency ?? e.MONITOR_CONCURRENCY,
  };
  const due = await rows<SourceRow>(
    db,
    sql`SELECT id, name, url, kind, item_selector, interval_minutes, etag, last_modified, consecutive_failures
        FROM monitor_sources
        WHERE ${opts.sourceId ? sql`id = ${opts.sourceId}` : sql`enabled ${opts.all ? sql`` : sql`AND next_fetch_at <= now()`}`}
        ORDER BY next_fetch_at, id LIMIT 2000`,
  );
  const results: SourceResult[] = [];
  if (due.length === 0) return results;
  const list = await loadWatchList(db);
  const pool = new RoundPool();
  let next = 0;
  const worker = async () => {
    while (next < due.length) {
      const s = due[next++];
      results.push(await runSource(db, s, list, full, pool));
    }
  };
  await Promise.all(Array.from({ length: Math.min(full.concurrency, due.length) }, worker));
  await refreshSpread(db, pool);
  return results;
}

/**
 * The server's monitoring job: a fetch round and the overdue-triage notifications every
 * MONITOR_INTERVAL_SECONDS (0 = off). Returns a function that stops it.
 */
export function startMonitorFetcher(getDb: () => Promise<Db>): () => void {
  const seconds = env().MONITOR_INTERVAL_SECONDS;
  if (seconds <= 0) return () => {};
  return repeatEvery(seconds, 10_000, "monitor round failed", async () => {
    const db = await getDb();
    const report = await runMonitorRound(db);
    if (report.ran && report.sources.length > 0) {
      log.info("monitor round", {
        sources: report.sources.length,
        failed: report.sources.filter((s) => !s.ok).length,
        caught: report.sources.reduce((n, s) => n + s.caught, 0),
        ms: report.ms,
      });
    }
    await notifyOverdueItems(db);
  });
}
