import { type Bytes, equal, fromUtf8, toBase64 } from "./bytes";
import { type Checkpoint, parseCheckpoint } from "./checkpoint";
import { checkTree, proveTree, proveTreeIndexes, recordHash } from "./merkle";
import { openNote, parseVerifierKey, type VerifierKey } from "./note";
import { rootFromEdge } from "./tile-builder";
import {
  decodeEntryBundle,
  readHashesFromTiles,
  TILE_WIDTH,
  type TileRef,
  tileHash,
  tileKey,
  tilePath,
  tileWidthAt,
} from "./tiles";

// A log monitor over plain HTTP (tlog-tiles): it checks each new checkpoint's signature, downloads the
// tiles the tree needs, authenticates every tile hash up to the signed root, checks that the tree it
// saw before is a prefix of the new one (an RFC 6962 consistency proof computed from the tiles), and
// optionally that every entry hashes to its leaf. Full tiles are immutable: it keeps them, so a log
// that rewrote history would have to produce a root from the tiles this monitor already holds.

export type Fetcher = (url: string) => Promise<{ status: number; body: Bytes }>;

export interface MonitorState {
  checkpoint: Checkpoint | null;
  note: string | null;
  /** Full tiles seen (never re-read), by "L/N". */
  fullTiles: Map<string, Bytes>;
  /** Merkle hash of each full tile seen (computed once). */
  fullTileHashes: Map<string, Bytes>;
  /** Entry bundles whose entries were checked, by N (full bundles only). */
  checkedBundles: Set<number>;
}

export class MonitorError extends Error {}

export const newMonitorState = (): MonitorState => ({
  checkpoint: null,
  note: null,
  fullTiles: new Map(),
  fullTileHashes: new Map(),
  checkedBundles: new Set(),
});

export interface CheckOptions {
  base: string;
  key: VerifierKey;
  fetch: Fetcher;
  /** Also download every entry bundle and check each entry against its leaf hash. */
  entries?: boolean;
  /** Called with each newly checked entry (with `entries`), e.g. to index published records. */
  onEntry?: (index: number, entry: Bytes) => void;
  concurrency?: number;
}

async function get(o: CheckOptions, path: string): Promise<Bytes> {
  const url = `${o.base.replace(/\/$/, "")}/${path}`;
  const r = await o.fetch(url);
  if (r.status !== 200) throw new MonitorError(`${url}: HTTP ${r.status}`);
  return r.body;
}

async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

/** Fetch and verify the current checkpoint; on success the state advances to it. Returns it. */
export async function checkLatest(state: MonitorState, o: CheckOptions): Promise<Checkpoint> {
  const note = fromUtf8(await get(o, "checkpoint"));
  let text: string;
  try {
    text = await openNote(note, [o.key]);
  } catch (err) {
    throw new MonitorError(`checkpoint signature: ${(err as Error).message}`);
  }
  const cp = parseCheckpoint(text);
  if (!cp) throw new MonitorError("checkpoint: malformed body");
  if (cp.origin !== o.key.name) throw new MonitorError(`checkpoint origin ${cp.origin} is not ${o.key.name}`);
  const old = state.checkpoint;
  if (old && cp.size < old.size) throw new MonitorError(`log shrank: ${old.size} → ${cp.size}`);
  if (old && cp.size === old.size && !equal(cp.root, old.root)) {
    throw new MonitorError(`two different roots for size ${cp.size}: a split view or a rewritten log`);
  }
  if (old && cp.size === old.size) return cp;

  // Every tile of the new tree: full tiles already held are not fetched again.
  const tiles = new Map<string, Bytes>();
  const want: TileRef[] = [];
  for (let level = 0; Math.floor(cp.size / TILE_WIDTH ** level) > 0; level++) {
    const count = Math.floor(cp.size / TILE_WIDTH ** level);
    for (let n = 0; n * TILE_WIDTH < count; n++) {
      const width = tileWidthAt(level, n, cp.size);
      const held = width === TILE_WIDTH ? state.fullTiles.get(tileKey(level, n)) : undefined;
      if (held) tiles.set(tileKey(level, n), held);
      else want.push({ level, n, width });
    }
  }
  const fetched = await pool(want, o.concurrency ?? 16, (t) => get(o, tilePath(t)));
  want.forEach((t, i) => {
    if (fetched[i].length !== t.width * 32) throw new MonitorError(`${tilePath(t)}: ${fetched[i].length} bytes`);
    tiles.set(tileKey(t.level, t.n), fetched[i]);
  });

  // Each hash at level L ≥ 1 is the Merkle hash of the full tile below it.
  const computed = new Map<string, Bytes>();
  for (let level = 1; Math.floor(cp.size / TILE_WIDTH ** level) > 0; level++) {
    const count = Math.floor(cp.size / TILE_WIDTH ** level);
    for (let i = 0; i < count; i++) {
      const upper = tiles.get(tileKey(level, Math.floor(i / TILE_WIDTH))) as Bytes;
      const key = tileKey(level - 1, i);
      let lowerHash = state.fullTileHashes.get(key) ?? computed.get(key);
      if (!lowerHash) {
        lowerHash = tileHash(tiles.get(key) as Bytes);
        computed.set(key, lowerHash);
      }
      const at = (i % TILE_WIDTH) * 32;
      if (!equal(upper.subarray(at, at + 32), lowerHash)) {
        throw new MonitorError(`tile ${level - 1}/${i} does not hash to its entry in the tile above`);
      }
    }
  }
  // The partial tiles at each level give the root: it must be the signed one.
  const edge: Bytes[] = [];
  for (let level = 0; Math.floor(cp.size / TILE_WIDTH ** level) > 0; level++) {
    const count = Math.floor(cp.size / TILE_WIDTH ** level);
    edge.push(
      count % TILE_WIDTH === 0
        ? new Uint8Array(0)
        : (tiles.get(tileKey(level, Math.floor(count / TILE_WIDTH))) as Bytes),
    );
  }
  const root = await rootFromEdge({ size: cp.size, edge });
  if (!equal(root, cp.root))
    throw new MonitorError(`tiles give root ${toBase64(root)}, checkpoint says ${toBase64(cp.root)}`);

  // The tree seen before is a prefix of this one: a consistency proof from these tiles must check
  // against both signed roots.
  if (old && old.size > 0) {
    const fetchTiles = async (need: TileRef[]) => need.map((t) => tiles.get(tileKey(t.level, t.n)) as Bytes);
    const hashes = await readHashesFromTiles(proveTreeIndexes(cp.size, old.size), fetchTiles);
    const proof = proveTree(cp.size, old.size, () => hashes);
    if (!checkTree(proof, cp.size, cp.root, old.size, old.root)) {
      throw new MonitorError(`checkpoint ${cp.size} is not consistent with checkpoint ${old.size}`);
    }
  }

  if (o.entries) {
    const bundles: number[] = [];
    for (let n = 0; n * TILE_WIDTH < cp.size; n++) if (!state.checkedBundles.has(n)) bundles.push(n);
    await pool(bundles, o.concurrency ?? 16, async (n) => {
      const width = tileWidthAt("entries", n, cp.size);
      const entries = decodeEntryBundle(await get(o, tilePath({ level: "entries", n, width })));
      if (!entries || entries.length !== width) throw new MonitorError(`entry bundle ${n}: malformed`);
      const leaves = tiles.get(tileKey(0, n)) as Bytes;
      entries.forEach((e, i) => {
        if (!equal(recordHash(e), leaves.subarray(i * 32, i * 32 + 32))) {
          throw new MonitorError(`entry ${n * TILE_WIDTH + i} does not match its leaf hash`);
        }
        o.onEntry?.(n * TILE_WIDTH + i, e);
      });
    });
    for (const n of bundles) if (tileWidthAt("entries", n, cp.size) === TILE_WIDTH) state.checkedBundles.add(n);
  }

  for (const [k, d] of tiles) {
    if (d.length !== TILE_WIDTH * 32) continue;
    state.fullTiles.set(k, d);
    if (!state.fullTileHashes.has(k)) state.fullTileHashes.set(k, computed.get(k) ?? tileHash(d));
  }
  state.checkpoint = cp;
  state.note = note;
  return cp;
}

export { parseVerifierKey };
