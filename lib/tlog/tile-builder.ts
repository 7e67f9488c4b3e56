import { type Bytes, concat } from "./bytes";
import { HASH_SIZE, treeHash, treeHashIndexes } from "./merkle";
import { readHashesFromTiles, TILE_WIDTH, type TileRef, tileHash, tileKey } from "./tiles";

// Appending to a tiled log: the right edge of the tree is one partial tile per level; new leaf hashes
// fill level 0, and every tile that fills up becomes a full tile whose Merkle hash is appended to the
// level above. Only the edge is needed to append and to compute the new root.

export interface TileData extends TileRef {
  level: number;
  data: Bytes;
}

export interface TreeEdge {
  size: number;
  /** Partial tile at each level for this size (empty when the level's count is a multiple of 256). */
  edge: Bytes[];
}

/** Level count of hashes in a tree of `size`: floor(size / 256^level). */
const countAt = (size: number, level: number) => Math.floor(size / TILE_WIDTH ** level);

/** The partial tiles a tree of this size is served with (one per level, none where empty). */
export function edgeTiles(state: TreeEdge): TileData[] {
  const out: TileData[] = [];
  for (let level = 0; countAt(state.size, level) > 0; level++) {
    const count = countAt(state.size, level);
    const width = count % TILE_WIDTH;
    if (width === 0) continue;
    out.push({ level, n: Math.floor(count / TILE_WIDTH), width, data: state.edge[level] });
  }
  return out;
}

/**
 * Append leaf hashes: returns the new edge and every tile to store — each newly completed full tile and
 * the partial tiles of the new size.
 */
export function appendLeafHashes(state: TreeEdge, leafHashes: Bytes[]): { state: TreeEdge; tiles: TileData[] } {
  const edge = state.edge.map((d) => d.slice());
  const parts: Bytes[][] = edge.map((d) => [d]);
  const lens = edge.map((d) => d.length / HASH_SIZE);
  const full: TileData[] = [];
  let size = state.size;
  const push = (level: number, h: Bytes) => {
    if (parts.length <= level) {
      parts.push([]);
      lens.push(0);
    }
    parts[level].push(h);
    lens[level]++;
    if (lens[level] === TILE_WIDTH) {
      const data = concatAll(parts[level]);
      const n = Math.floor(countAt(size + 1, level) / TILE_WIDTH) - 1;
      full.push({ level, n, width: TILE_WIDTH, data });
      parts[level] = [];
      lens[level] = 0;
      push(level + 1, tileHash(data));
    }
  };
  for (const h of leafHashes) {
    push(0, h);
    size++;
  }
  const next: TreeEdge = { size, edge: parts.map(concatAll) };
  while (
    next.edge.length > 0 &&
    next.edge[next.edge.length - 1].length === 0 &&
    countAt(size, next.edge.length - 1) === 0
  )
    next.edge.pop();
  const grown = edgeTiles(next).filter((t) => {
    const before = edgeTiles(state).find((b) => b.level === t.level && b.n === t.n);
    return !before || before.width !== t.width;
  });
  return { state: next, tiles: [...full, ...grown] };
}

function concatAll(parts: Bytes[]): Bytes {
  return parts.length === 1 ? parts[0] : concat(...parts);
}

/** Root hash of the tree from its edge tiles. */
export async function rootFromEdge(state: TreeEdge): Promise<Bytes> {
  const tiles = new Map(edgeTiles(state).map((t) => [tileKey(t.level, t.n), t.data]));
  const hashes = await readHashesFromTiles(treeHashIndexes(state.size), async (need) =>
    need.map((t) => {
      const d = tiles.get(tileKey(t.level, t.n));
      if (!d) throw new Error(`tlog: edge tile ${t.level}/${t.n} missing`);
      return d;
    }),
  );
  return treeHash(state.size, () => hashes);
}
