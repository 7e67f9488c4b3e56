import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { utf8 } from "../../lib/tlog/bytes";
import { proveRecord, proveRecordIndexes, proveTree, proveTreeIndexes } from "../../lib/tlog/merkle";
import { encodeEntryBundle, readHashesFromTiles, TILE_WIDTH, type TileRef, tileWidthAt } from "../../lib/tlog/tiles";
import { logWitnesses } from "./keys";

// Reading the log as tlog-tiles serves it: the latest checkpoint, tiles, entry bundles, and proofs
// built from the stored tiles.

export interface StoredCheckpoint {
  size: number;
  note: string;
}

export async function latestCheckpoint(db: Db): Promise<StoredCheckpoint | null> {
  const [r] = await rows<{ size: string | number; note: string }>(
    db,
    sql`SELECT size, note FROM log_checkpoints ORDER BY size DESC LIMIT 1`,
  );
  return r ? { size: Number(r.size), note: r.note } : null;
}

/** How long the witnesses have to cosign a new checkpoint before it is served without them. */
const WITNESS_ROUND_SECONDS = 5;

/**
 * The checkpoint /log/checkpoint serves, with the witnesses' cosignature lines appended: the newest
 * checkpoint whose witness round is over — cosigned by as many witnesses as are configured, or older
 * than WITNESS_ROUND_SECONDS. Checkpoints only ever become final, so the size served never goes back
 * (a monitor would rightly call that a shrinking log); without witnesses it is simply the newest.
 */
export async function servedCheckpoint(db: Db, witnesses = logWitnesses().length): Promise<StoredCheckpoint | null> {
  const [r] = await rows<{ size: string | number; note: string; cosigs: string }>(
    db,
    sql`WITH aged AS (
          SELECT size FROM log_checkpoints WHERE created_at <= now() - make_interval(secs => ${WITNESS_ROUND_SECONDS})
          ORDER BY size DESC LIMIT 1
        ), cosigned AS (
          SELECT c.size FROM log_checkpoints c
          WHERE c.size > coalesce((SELECT size FROM aged), -1)
            AND (SELECT count(*) FROM log_cosignatures s WHERE s.size = c.size) >= ${witnesses}
          ORDER BY c.size DESC LIMIT 1
        )
        SELECT c.size, c.note,
          coalesce((SELECT string_agg(line, '' ORDER BY witness) FROM log_cosignatures s WHERE s.size = c.size), '') AS cosigs
        FROM log_checkpoints c WHERE c.size = coalesce((SELECT size FROM cosigned), (SELECT size FROM aged))`,
  );
  return r ? { size: Number(r.size), note: r.note + r.cosigs } : null;
}

// Full tiles never change: kept in memory once read (a few thousand at a million entries, 8 KiB each).
const FULL_TILE_CACHE_MAX = 4096;
const fullTiles = new Map<string, Uint8Array>();
/** The smallest tree size that contains every cached full tile. */
let cachedCover = 0;

/** Tile data at a width, or null when the tree (at its latest size) has no such tile. */
export async function readTile(db: Db, level: number, n: number, width: number): Promise<Uint8Array | null> {
  if (width === TILE_WIDTH) {
    // A full tile is stored in the transaction that signs the first checkpoint covering it: if it
    // exists, it is in the tree, and it never changes. No checkpoint read; from memory once read.
    const held = fullTiles.get(`${level}/${n}`);
    if (held) return held;
    const [r] = await rows<{ data: Uint8Array }>(
      db,
      sql`SELECT data FROM log_tiles WHERE level = ${level} AND n = ${n} AND width = ${TILE_WIDTH}`,
    );
    if (!r) return null;
    const data = new Uint8Array(r.data);
    rememberFullTile(level, n, data);
    return data;
  }
  const cp = await latestCheckpoint(db);
  if (!cp || tileWidthAt(level, n, cp.size) < width) return null;
  guardCache(cp.size);
  const [data] = await fetchTiles(db, [{ level, n, width }]);
  return data.subarray(0, width * 32);
}

async function fetchTiles(db: Db, tiles: TileRef[]): Promise<Uint8Array[]> {
  const out: (Uint8Array | undefined)[] = tiles.map((t) => fullTiles.get(`${t.level}/${t.n}`));
  const missing = tiles.filter((_, i) => !out[i]);
  if (missing.length > 0) {
    const want = JSON.stringify(missing.map(({ level, n, width }) => ({ level, n, width })));
    const found = await rows<{ level: number; n: string | number; width: number; data: Uint8Array }>(
      db,
      // One primary-key probe per tile (the narrowest stored width that is wide enough): log_tiles keeps
      // the partial tiles of every signed size, so a join the planner might hash would read them all.
      sql`SELECT w.level, w.n, t.width, t.data
          FROM jsonb_to_recordset(${want}::jsonb) AS w(level smallint, n bigint, width smallint)
          CROSS JOIN LATERAL (SELECT width, data FROM log_tiles t
                              WHERE t.level = w.level AND t.n = w.n AND t.width >= w.width
                              ORDER BY t.width LIMIT 1) t`,
    );
    for (const f of found) {
      const data = new Uint8Array(f.data);
      const key = `${f.level}/${Number(f.n)}`;
      if (Number(f.width) === TILE_WIDTH) rememberFullTile(Number(f.level), Number(f.n), data);
      tiles.forEach((t, i) => {
        if (!out[i] && `${t.level}/${t.n}` === key) out[i] = data;
      });
    }
  }
  return out.map((d, i) => {
    if (!d) throw new Error(`transparency log: tile ${tiles[i].level}/${tiles[i].n} is missing`);
    return d;
  });
}

function rememberFullTile(level: number, n: number, data: Uint8Array) {
  if (fullTiles.size >= FULL_TILE_CACHE_MAX) fullTiles.delete(fullTiles.keys().next().value as string);
  fullTiles.set(`${level}/${n}`, data);
  cachedCover = Math.max(cachedCover, (n + 1) * TILE_WIDTH ** (level + 1));
}

/** A log smaller than the cached tiles cover is a different (fresh) database: forget them. */
function guardCache(size: number) {
  if (size < cachedCover) clearTileCache();
}

/** Forget cached full tiles (tests that tamper with storage). */
export function clearTileCache() {
  fullTiles.clear();
  cachedCover = 0;
}

/** Entry bundle n at a width, or null beyond the tree. */
export async function readEntryBundle(db: Db, n: number, width: number): Promise<Uint8Array | null> {
  const cp = await latestCheckpoint(db);
  if (!cp || tileWidthAt("entries", n, cp.size) < width) return null;
  const start = n * TILE_WIDTH;
  const entries = await rows<{ entry: string }>(
    db,
    sql`SELECT entry FROM log_entries WHERE idx >= ${start} AND idx < ${start + width} ORDER BY idx`,
  );
  return encodeEntryBundle(entries.map((e) => utf8(e.entry)));
}

/** Inclusion proof of entry idx in the tree of `size`. */
export async function inclusionProof(db: Db, size: number, idx: number): Promise<Uint8Array[]> {
  guardCache(size);
  const indexes = proveRecordIndexes(size, idx);
  const hashes = await readHashesFromTiles(indexes, (t) => fetchTiles(db, t));
  return proveRecord(size, idx, () => hashes);
}

/** Consistency proof from the tree of `old` to the tree of `size`. */
export async function consistencyProof(db: Db, size: number, old: number): Promise<Uint8Array[]> {
  guardCache(size);
  const indexes = proveTreeIndexes(size, old);
  const hashes = await readHashesFromTiles(indexes, (t) => fetchTiles(db, t));
  return proveTree(size, old, () => hashes);
}
