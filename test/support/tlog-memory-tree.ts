import type { Bytes } from "../../lib/tlog/bytes";
import {
  type HashReader,
  recordHash,
  storedHashCount,
  storedHashes,
  storedHashIndex,
  treeHash,
} from "../../lib/tlog/merkle";
import { TILE_HEIGHT, TILE_WIDTH, type TileRef } from "../../lib/tlog/tiles";

/** A log kept in memory as Go's stored hashes: the reference the tile-based code is tested against. */
export class MemoryTree {
  hashes: Bytes[] = [];
  size = 0;
  readonly reader: HashReader = (indexes) => indexes.map((i) => this.hashes[i]);

  append(entry: Bytes) {
    this.hashes.push(...storedHashes(this.size, recordHash(entry), this.reader));
    this.size++;
    if (this.hashes.length !== storedHashCount(this.size)) throw new Error("bad stored hash count");
  }

  root(): Bytes {
    return treeHash(this.size, this.reader);
  }

  /** Tile bytes at the tile's width. */
  tile(t: TileRef): Bytes {
    const level = (t.level as number) * TILE_HEIGHT;
    const out = new Uint8Array(t.width * 32);
    for (let i = 0; i < t.width; i++) out.set(this.hashes[storedHashIndex(level, t.n * TILE_WIDTH + i)], i * 32);
    return out;
  }

  tileCount() {
    const at = (l: number) => Math.floor(this.size / TILE_WIDTH ** l);
    return {
      full0: Math.floor(at(0) / 256),
      partial0: at(0) % 256,
      full1: Math.floor(at(1) / 256),
      partial1: at(1) % 256,
      partial2: at(2) % 256,
    };
  }
}
