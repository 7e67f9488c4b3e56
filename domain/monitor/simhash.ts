// Near-duplicate detection: a 64-bit SimHash over an item's words. Each word hashes to 64 bits; each bit
// position sums +weight or −weight by that bit; the fingerprint keeps the sign of every sum. A word's
// weight is its count times its length squared: long words (places, campaign terms, names) carry a
// story, and uneven weights avoid the ties at zero that make short texts flip many bits for one added
// word. Texts that share most of their words (the same story re-posted with 转载 or another headline)
// differ in a few bits — 4 to 6 for feed-length texts — unrelated ones in 20 or more, even on the same
// subject. Two items are near-duplicates within MAX_DISTANCE bits.
//
// Candidates are found without comparing every pair: the fingerprint is cut into eight 8-bit blocks and
// every pair of blocks (28 pairs) is a 16-bit key tagged with its pair number. Two fingerprints within 6
// bits differ in at most 6 blocks, so at least two blocks are equal and they share that pair's key. Pure;
// 32-bit halves keep the arithmetic in plain numbers (BigInt only at the edges).

export const MAX_DISTANCE = 6;
export const KEYS_PER_HASH = 28;

export interface SimHash {
  hi: number;
  lo: number;
}

/** FNV-1a over UTF-16 code units, 32 bits, with a seed (two seeds give the two halves). */
function fnv1a(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche (murmur3 fmix32) so that similar words do not share bit patterns.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const sums = new Float64Array(64);

/** The SimHash of a text's words (weight: count × length², single characters ignored). */
export function simhash(words: readonly string[]): SimHash {
  const counts = new Map<string, number>();
  for (const w of words) if (w.length >= 2) counts.set(w, (counts.get(w) ?? 0) + 1);
  sums.fill(0);
  for (const [w, count] of counts) {
    const n = count * w.length * w.length;
    const a = fnv1a(w, 0);
    const b = fnv1a(w, 0x9e3779b9);
    for (let i = 0; i < 32; i++) {
      sums[i] += (a >>> i) & 1 ? n : -n;
      sums[32 + i] += (b >>> i) & 1 ? n : -n;
    }
  }
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 32; i++) {
    if (sums[i] > 0) hi |= 1 << i;
    if (sums[32 + i] > 0) lo |= 1 << i;
  }
  return { hi: hi >>> 0, lo: lo >>> 0 };
}

function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

export function hammingDistance(a: SimHash, b: SimHash): number {
  return popcount32((a.hi ^ b.hi) >>> 0) + popcount32((a.lo ^ b.lo) >>> 0);
}

/** The 28 candidate keys of a fingerprint: (pair number << 16) | the two blocks' 16 bits. */
export function candidateKeys(h: SimHash): number[] {
  const blocks = [
    h.hi >>> 24,
    (h.hi >>> 16) & 255,
    (h.hi >>> 8) & 255,
    h.hi & 255,
    h.lo >>> 24,
    (h.lo >>> 16) & 255,
    (h.lo >>> 8) & 255,
    h.lo & 255,
  ];
  const keys: number[] = [];
  let pair = 0;
  for (let i = 0; i < 8; i++) {
    for (let j = i + 1; j < 8; j++) keys.push((pair++ << 16) | (blocks[i] << 8) | blocks[j]);
  }
  return keys;
}

/** As a signed 64-bit integer (PostgreSQL bigint), in decimal. */
export function toBigintText(h: SimHash): string {
  return BigInt.asIntN(64, (BigInt(h.hi) << 32n) | BigInt(h.lo)).toString();
}

export function fromBigintText(text: string | bigint): SimHash {
  const u = BigInt.asUintN(64, BigInt(text));
  return { hi: Number(u >> 32n), lo: Number(u & 0xffffffffn) };
}

const KEY_SPACE = KEYS_PER_HASH << 16;

/**
 * Groups items in arrival order: each item joins the group of the first-seen item within MAX_DISTANCE
 * (the head), or heads a new group. In memory, for a batch (the benchmark; tests): candidate keys are
 * kept as linked lists in typed arrays, so 100,000 items cost a few tens of megabytes.
 */
export class NearDuplicateGrouper<K> {
  private readonly bucketHead = new Int32Array(KEY_SPACE).fill(-1);
  private next = new Int32Array(1024);
  private readonly hashes: SimHash[] = [];
  private readonly heads: number[] = [];
  private readonly keys: K[] = [];

  /** Adds an item; returns the key of its group's head (its own key when it starts a group). */
  add(key: K, h: SimHash): K {
    const ck = candidateKeys(h);
    const n = this.hashes.length;
    let head = -1;
    for (const k of ck) {
      for (let e = this.bucketHead[k]; e >= 0; e = this.next[e]) {
        const j = (e / KEYS_PER_HASH) | 0;
        const candidateHead = this.heads[j];
        if ((head < 0 || candidateHead < head) && hammingDistance(h, this.hashes[j]) <= MAX_DISTANCE)
          head = candidateHead;
      }
    }
    this.hashes.push(h);
    this.keys.push(key);
    this.heads.push(head < 0 ? n : head);
    if ((n + 1) * KEYS_PER_HASH > this.next.length) {
      const grown = new Int32Array(this.next.length * 2);
      grown.set(this.next);
      this.next = grown;
    }
    for (let i = 0; i < KEYS_PER_HASH; i++) {
      const e = n * KEYS_PER_HASH + i;
      this.next[e] = this.bucketHead[ck[i]];
      this.bucketHead[ck[i]] = e;
    }
    return this.keys[this.heads[n]];
  }

  get size() {
    return this.hashes.length;
  }
}
