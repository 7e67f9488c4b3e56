import type { Bytes } from "./bytes";
import { HASH_SIZE, nodeHash, splitStoredHashIndex } from "./merkle";

// C2SP tlog-tiles: the tree served as tiles of height 8 (256 hashes), paths tile/<L>/<N>[.p/<W>] and
// entry bundles tile/entries/<N>[.p/<W>]. A tile at level L holds the hashes of tree level 8·L.

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;

export interface TileRef {
  /** Tile level, or "entries" for an entry bundle. */
  level: number | "entries";
  n: number;
  /** 1–256; 256 is a full tile. */
  width: number;
}

/** N as zero-padded 3-digit path elements, all but the last prefixed with x: 1234067 → x001/x234/067. */
export function tileIndexPath(n: number): string {
  let s = String(n % 1000).padStart(3, "0");
  for (let m = Math.floor(n / 1000); m > 0; m = Math.floor(m / 1000)) s = `x${String(m % 1000).padStart(3, "0")}/${s}`;
  return s;
}

/** Path of a tile below the log prefix, e.g. "tile/0/x001/234.p/7". */
export function tilePath(t: TileRef): string {
  const p = t.width === TILE_WIDTH ? "" : `.p/${t.width}`;
  return `tile/${t.level}/${tileIndexPath(t.n)}${p}`;
}

/** Parse the part after "tile/": strict (no extra leading zeros, width 1–255); null when malformed. */
export function parseTilePath(rest: string): TileRef | null {
  const m = /^(entries|0|[1-9]\d?)\/((?:x\d{3}\/)*)(\d{3})(?:\.p\/([1-9]\d{0,2}))?$/.exec(rest);
  if (!m) return null;
  const level = m[1] === "entries" ? ("entries" as const) : Number(m[1]);
  if (level !== "entries" && level > 63) return null;
  const groups = m[2]
    ? m[2]
        .split("/")
        .filter(Boolean)
        .map((g) => g.slice(1))
    : [];
  if (groups.length > 0 && groups[0] === "000") return null; // a leading zero group is not canonical
  if (groups.length > 5) return null;
  const n = Number([...groups, m[3]].join(""));
  if (!Number.isSafeInteger(n)) return null;
  const width = m[4] ? Number(m[4]) : TILE_WIDTH;
  if (width < 1 || width >= TILE_WIDTH + (m[4] ? 0 : 1)) return null;
  return { level, n, width };
}

/** Width of tile (level, n) in a tree of the given size (0 when it does not exist yet). */
export function tileWidthAt(level: number | "entries", n: number, treeSize: number): number {
  const count = level === "entries" ? treeSize : Math.floor(treeSize / TILE_WIDTH ** level);
  return Math.max(0, Math.min(TILE_WIDTH, count - n * TILE_WIDTH));
}

/**
 * The tile holding stored hash `index`, the narrowest width that contains it, and the byte range
 * [start, end) of the tile hashes whose subtree hash is that stored hash (Go's tileForIndex).
 */
export function tileForIndex(index: number): { tile: TileRef; start: number; end: number } {
  let [level, n] = splitStoredHashIndex(index);
  const tileLevel = Math.floor(level / TILE_HEIGHT);
  level -= tileLevel * TILE_HEIGHT;
  const tn = Math.floor((n * 2 ** level) / TILE_WIDTH);
  n -= (tn * TILE_WIDTH) / 2 ** level;
  const width = (n + 1) * 2 ** level;
  return {
    tile: { level: tileLevel, n: tn, width },
    start: n * 2 ** level * HASH_SIZE,
    end: (n + 1) * 2 ** level * HASH_SIZE,
  };
}

/** Merkle hash of a perfect run of tile hashes (a power of two of them). */
export function tileHash(data: Bytes): Bytes {
  if (data.length === HASH_SIZE) return data.slice();
  const half = data.length / 2;
  return nodeHash(tileHash(data.subarray(0, half)), tileHash(data.subarray(half)));
}

/** Tile key for maps: "L/N". */
export const tileKey = (level: number | "entries", n: number) => `${level}/${n}`;

/**
 * Hashes at the given stored-hash indexes from tiles: `fetch` gets each needed tile once (at the widest
 * width these indexes need) and returns its bytes (at least that wide).
 */
export async function readHashesFromTiles(
  indexes: number[],
  fetch: (tiles: TileRef[]) => Promise<Bytes[]>,
): Promise<Bytes[]> {
  const located = indexes.map(tileForIndex);
  const need = new Map<string, TileRef>();
  for (const { tile } of located) {
    const k = tileKey(tile.level, tile.n);
    const seen = need.get(k);
    if (!seen || seen.width < tile.width) need.set(k, tile);
  }
  const tiles = [...need.values()];
  const data = await fetch(tiles);
  const byKey = new Map(tiles.map((t, i) => [tileKey(t.level, t.n), data[i]]));
  return located.map(({ tile, start, end }) => {
    const d = byKey.get(tileKey(tile.level, tile.n));
    if (!d || d.length < end) throw new Error(`tlog: tile ${tilePath(tile)} is missing or too short`);
    return tileHash(d.subarray(start, end));
  });
}

/** Entry bundle: each entry prefixed by its length as a big-endian uint16. */
export function encodeEntryBundle(entries: Bytes[]): Bytes {
  const out = new Uint8Array(entries.reduce((n, e) => n + 2 + e.length, 0));
  let o = 0;
  for (const e of entries) {
    if (e.length > 0xffff) throw new RangeError("tlog: entry longer than 65535 bytes");
    out[o] = e.length >> 8;
    out[o + 1] = e.length & 0xff;
    out.set(e, o + 2);
    o += 2 + e.length;
  }
  return out;
}

/** Entries of a bundle; null when it is truncated. */
export function decodeEntryBundle(data: Bytes): Bytes[] | null {
  const out: Bytes[] = [];
  for (let o = 0; o < data.length; ) {
    if (o + 2 > data.length) return null;
    const len = (data[o] << 8) | data[o + 1];
    if (o + 2 + len > data.length) return null;
    out.push(data.subarray(o + 2, o + 2 + len));
    o += 2 + len;
  }
  return out;
}
