import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { env } from "../../lib/env";
import { log } from "../../lib/log";
import { toHex, utf8 } from "../../lib/tlog/bytes";
import { formatCheckpoint } from "../../lib/tlog/checkpoint";
import { recordHash } from "../../lib/tlog/merkle";
import { signNote } from "../../lib/tlog/signer";
import { appendLeafHashes, edgeTiles, rootFromEdge, type TreeEdge } from "../../lib/tlog/tile-builder";
import { TILE_WIDTH } from "../../lib/tlog/tiles";
import { backfillPublished } from "./backfill";
import { entryFromRecord, type PendingRecord } from "./entries";
import { logOrigin, logSigner } from "./keys";
import { cosignLatest } from "./witnesses";

// The sequencer: moves pending entries (oldest id first) into the log with consecutive indexes, stores
// the new tiles and signs a checkpoint for the new size, all in one transaction. A transaction-scoped
// advisory lock makes it safe to run in several processes: one appends, the others wait and then find
// nothing left. Filings never wait for it: they only insert their pending row (no shared counter).

/** Advisory lock key of the sequencer. */
export const SEQUENCER_LOCK = 7_317_100;
const DEFAULT_BATCH = 20_000;

export interface SequenceResult {
  appended: number;
  size: number;
}

/** Sequence everything pending now (in batches), signing a checkpoint per batch. */
export async function sequenceLog(db: Db, opts: { maxBatch?: number } = {}): Promise<SequenceResult> {
  const max = opts.maxBatch ?? DEFAULT_BATCH;
  let appended = 0;
  for (;;) {
    const r = await db.transaction((tx) => sequenceBatch(tx as unknown as Db, max));
    appended += r.appended;
    if (r.appended < max) return { appended, size: r.size };
  }
}

async function sequenceBatch(tx: Db, max: number): Promise<SequenceResult> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${SEQUENCER_LOCK})`);
  const signer = logSigner();
  const [latest] = await rows<{ size: string | number }>(
    tx,
    sql`SELECT size FROM log_checkpoints ORDER BY size DESC LIMIT 1`,
  );
  const size = latest ? Number(latest.size) : 0;
  await backfillPublished(tx);
  const pending = await rows<{ id: string | number; entry: string | null; record: PendingRecord | string | null }>(
    tx,
    sql`SELECT id, entry, record FROM log_pending ORDER BY id LIMIT ${max}`,
  );
  if (pending.length === 0 && latest) return { appended: 0, size };

  // Rows a trigger wrote hold the record's material: encoded here, deterministically.
  const entries = pending.map((p) =>
    p.entry !== null ? p.entry : entryFromRecord(typeof p.record === "string" ? JSON.parse(p.record) : p.record),
  );
  const edge = await loadEdge(tx, size);
  const { state, tiles } = appendLeafHashes(
    edge,
    entries.map((e) => recordHash(utf8(e))),
  );
  const root = await rootFromEdge(state);
  if (pending.length > 0) {
    const ids = JSON.stringify(pending.map((p, i) => [String(p.id), p.entry === null ? entries[i] : null]));
    await tx.execute(sql`INSERT INTO log_entries (idx, entry, ref, secret, pending_id, created_at)
      SELECT ${size}::bigint + u.ord - 1, coalesce(p.entry, u.item->>1), p.ref, p.secret, p.id, p.created_at
        FROM jsonb_array_elements(${ids}::jsonb) WITH ORDINALITY AS u(item, ord)
        JOIN log_pending p ON p.id = (u.item->>0)::bigint`);
    await tx.execute(
      sql`DELETE FROM log_pending WHERE id IN (SELECT (value->>0)::bigint FROM jsonb_array_elements(${ids}::jsonb))`,
    );
  }
  if (tiles.length > 0) {
    const data = JSON.stringify(tiles.map((t) => ({ level: t.level, n: t.n, width: t.width, data: toHex(t.data) })));
    await tx.execute(sql`INSERT INTO log_tiles (level, n, width, data)
      SELECT level, n, width, decode(data, 'hex') FROM jsonb_to_recordset(${data}::jsonb)
        AS x(level smallint, n bigint, width smallint, data text)
      ON CONFLICT DO NOTHING`);
  }
  const note = signNote(formatCheckpoint({ origin: logOrigin(), size: state.size, root }), [signer]);
  await tx.execute(sql`INSERT INTO log_checkpoints (size, root, note)
    VALUES (${state.size}, decode(${toHex(root)}, 'hex'), ${note}) ON CONFLICT (size) DO NOTHING`);
  return { appended: pending.length, size: state.size };
}

/** The right edge of the tree at `size`: its partial tile at each level. */
async function loadEdge(tx: Db, size: number): Promise<TreeEdge> {
  const want = edgeTiles({ size, edge: [] }).map(({ level, n, width }) => ({ level, n, width }));
  const edge: Uint8Array[] = [];
  for (let level = 0; Math.floor(size / TILE_WIDTH ** level) > 0; level++) edge.push(new Uint8Array(0));
  if (want.length === 0) return { size, edge };
  const found = await rows<{ level: number; data: Uint8Array }>(
    tx,
    sql`SELECT w.level, t.data FROM jsonb_to_recordset(${JSON.stringify(want)}::jsonb) AS w(level smallint, n bigint, width smallint)
        CROSS JOIN LATERAL (SELECT data FROM log_tiles t WHERE t.level = w.level AND t.n = w.n AND t.width = w.width) t`,
  );
  if (found.length !== want.length) throw new Error(`transparency log: edge tiles of size ${size} are missing`);
  for (const f of found) edge[Number(f.level)] = new Uint8Array(f.data);
  return { size, edge };
}

/** Seconds the oldest pending entry has waited (0 when none), and how many wait. */
export async function sequencingLag(db: Db): Promise<{ pending: number; lagSeconds: number }> {
  const [r] = await rows<{ pending: string | number; lag: number | null }>(
    db,
    sql`SELECT count(*) AS pending, extract(epoch FROM now() - min(created_at))::float8 AS lag FROM log_pending`,
  );
  return { pending: Number(r?.pending ?? 0), lagSeconds: Math.max(0, Number(r?.lag ?? 0)) };
}

/**
 * Run the sequencer every LOG_SEQUENCER_INTERVAL_MS (0 = off) in this process; returns a stop function.
 * A failing run (database away, no key in production) is logged and retried on the next tick: filings
 * keep their pending entries meanwhile. After each run the configured witnesses are asked to cosign.
 */
export function startLogSequencer(getDb: () => Promise<Db>, intervalMs = env().LOG_SEQUENCER_INTERVAL_MS): () => void {
  if (intervalMs <= 0) return () => {};
  let running = false;
  let cosigning = false;
  let lastError = "";
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const db = await getDb();
      await sequenceLog(db);
      lastError = "";
      // Witnesses are asked beside the next rounds of sequencing, never in their way.
      if (!cosigning) {
        cosigning = true;
        cosignLatest(db)
          .catch((err) => log.warn("transparency log witnesses failed", { error: (err as Error).message }))
          .finally(() => {
            cosigning = false;
          });
      }
    } catch (err) {
      const message = (err as Error).message;
      if (message !== lastError) log.warn("transparency log sequencer failed", { error: message });
      lastError = message;
    } finally {
      running = false;
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
