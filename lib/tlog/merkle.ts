import { createHash } from "node:crypto";
import { type Bytes, equal } from "./bytes";

// RFC 6962 §2.1 Merkle trees in the "stored hash" layout of Go's golang.org/x/mod/sumdb/tlog: every
// hash of a complete subtree gets one index in the order a log appends them, so a log that stores
// hashes (or tiles of them) can answer any proof. Tree sizes and indexes are JavaScript numbers (exact
// up to 2^53, far beyond any log this will hold).

export const HASH_SIZE = 32;

/** Reads the stored hashes at the given stored-hash indexes, in that order. */
export type HashReader = (indexes: number[]) => Bytes[];

export function sha256(...parts: Bytes[]): Bytes {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

const LEAF = Uint8Array.of(0x00);
const NODE = Uint8Array.of(0x01);

/** RFC 6962 leaf hash: SHA-256(0x00 ‖ entry). */
export const recordHash = (entry: Bytes): Bytes => sha256(LEAF, entry);
/** RFC 6962 interior node hash: SHA-256(0x01 ‖ left ‖ right). */
export const nodeHash = (left: Bytes, right: Bytes): Bytes => sha256(NODE, left, right);

/** The largest power of two k < n (n > 1), and its log2. */
function maxpow2(n: number): [number, number] {
  let l = 0;
  while (2 ** (l + 1) < n) l++;
  return [2 ** l, l];
}

const trailingZeros = (n: number): number => {
  let z = 0;
  while (n > 0 && n % 2 === 0) {
    n /= 2;
    z++;
  }
  return z;
};

/** Index of the hash of the n-th subtree of 2^level leaves. */
export function storedHashIndex(level: number, n: number): number {
  for (let l = level; l > 0; l--) n = 2 * n + 1;
  let i = 0;
  for (; n > 0; n = Math.floor(n / 2)) i += n;
  return i + level;
}

/** Inverse of storedHashIndex. */
export function splitStoredHashIndex(index: number): [level: number, n: number] {
  let n = Math.floor(index / 2);
  let indexN = storedHashIndex(0, n);
  for (;;) {
    const x = indexN + 1 + trailingZeros(n + 1);
    if (x > index) break;
    n++;
    indexN = x;
  }
  const level = index - indexN;
  return [level, Math.floor(n / 2 ** level)];
}

/** Number of stored hashes in a tree of n records. */
export function storedHashCount(n: number): number {
  if (n === 0) return 0;
  let count = storedHashIndex(0, n - 1) + 1;
  for (let i = n - 1; i % 2 === 1; i = (i - 1) / 2) count++;
  return count;
}

function subTreeIndex(lo: number, hi: number, need: number[]): number[] {
  while (lo < hi) {
    const [k, level] = maxpow2(hi - lo + 1);
    need.push(storedHashIndex(level, lo / 2 ** level));
    lo += k;
  }
  return need;
}

function subTreeHash(lo: number, hi: number, hashes: Bytes[]): [Bytes, Bytes[]] {
  let numTree = 0;
  while (lo < hi) {
    const [k] = maxpow2(hi - lo + 1);
    numTree++;
    lo += k;
  }
  let h = hashes[numTree - 1];
  for (let i = numTree - 2; i >= 0; i--) h = nodeHash(hashes[i], h);
  return [h, hashes.slice(numTree)];
}

function read(r: HashReader, indexes: number[]): Bytes[] {
  const hashes = r(indexes);
  if (hashes.length !== indexes.length) throw new Error(`tlog: read ${hashes.length} of ${indexes.length} hashes`);
  return hashes;
}

/** Root hash of the tree of the first n records. */
export function treeHash(n: number, r: HashReader): Bytes {
  if (n === 0) return sha256(); // RFC 6962: MTH({}) = SHA-256 of the empty string
  const indexes = subTreeIndex(0, n, []);
  return subTreeHash(0, n, read(r, indexes))[0];
}

/** Stored-hash indexes a treeHash(n) reads. */
export const treeHashIndexes = (n: number): number[] => (n === 0 ? [] : subTreeIndex(0, n, []));

function leafProofIndex(lo: number, hi: number, n: number, need: number[]): number[] {
  if (lo + 1 === hi) return need;
  const [k] = maxpow2(hi - lo);
  if (n < lo + k) {
    leafProofIndex(lo, lo + k, n, need);
    subTreeIndex(lo + k, hi, need);
  } else {
    subTreeIndex(lo, lo + k, need);
    leafProofIndex(lo + k, hi, n, need);
  }
  return need;
}

function leafProof(lo: number, hi: number, n: number, hashes: Bytes[]): [Bytes[], Bytes[]] {
  if (lo + 1 === hi) return [[], hashes];
  const [k] = maxpow2(hi - lo);
  let p: Bytes[];
  let th: Bytes;
  if (n < lo + k) {
    [p, hashes] = leafProof(lo, lo + k, n, hashes);
    [th, hashes] = subTreeHash(lo + k, hi, hashes);
  } else {
    [th, hashes] = subTreeHash(lo, lo + k, hashes);
    [p, hashes] = leafProof(lo + k, hi, n, hashes);
  }
  return [[...p, th], hashes];
}

function checkInputs(ok: boolean, what: string) {
  if (!ok) throw new RangeError(`tlog: invalid inputs in ${what}`);
}

/** Stored-hash indexes proveRecord(t, n) reads. */
export function proveRecordIndexes(t: number, n: number): number[] {
  checkInputs(Number.isSafeInteger(t) && Number.isSafeInteger(n) && n >= 0 && n < t, "proveRecord");
  return leafProofIndex(0, t, n, []);
}

/** Inclusion proof of record n in the tree of size t (RFC 6962 §2.1.1, leaf's sibling first). */
export function proveRecord(t: number, n: number, r: HashReader): Bytes[] {
  const indexes = proveRecordIndexes(t, n);
  if (indexes.length === 0) return [];
  return leafProof(0, t, n, read(r, indexes))[0];
}

function runRecordProof(p: Bytes[], lo: number, hi: number, n: number, leaf: Bytes): Bytes | null {
  if (lo + 1 === hi) return p.length === 0 ? leaf : null;
  if (p.length === 0) return null;
  const [k] = maxpow2(hi - lo);
  const last = p[p.length - 1];
  if (n < lo + k) {
    const th = runRecordProof(p.slice(0, -1), lo, lo + k, n, leaf);
    return th && nodeHash(th, last);
  }
  const th = runRecordProof(p.slice(0, -1), lo + k, hi, n, leaf);
  return th && nodeHash(last, th);
}

/** Whether p proves record hash h at index n in the tree of size t with root th. */
export function checkRecord(p: Bytes[], t: number, th: Bytes, n: number, h: Bytes): boolean {
  if (!(Number.isSafeInteger(t) && Number.isSafeInteger(n) && n >= 0 && n < t)) return false;
  const root = runRecordProof(p, 0, t, n, h);
  return root !== null && equal(root, th);
}

function treeProofIndex(lo: number, hi: number, n: number, need: number[]): number[] {
  if (n === hi) return lo === 0 ? need : subTreeIndex(lo, hi, need);
  const [k] = maxpow2(hi - lo);
  if (n <= lo + k) {
    treeProofIndex(lo, lo + k, n, need);
    subTreeIndex(lo + k, hi, need);
  } else {
    subTreeIndex(lo, lo + k, need);
    treeProofIndex(lo + k, hi, n, need);
  }
  return need;
}

function treeProof(lo: number, hi: number, n: number, hashes: Bytes[]): [Bytes[], Bytes[]] {
  if (n === hi) {
    if (lo === 0) return [[], hashes];
    const [th, rest] = subTreeHash(lo, hi, hashes);
    return [[th], rest];
  }
  const [k] = maxpow2(hi - lo);
  let p: Bytes[];
  let th: Bytes;
  if (n <= lo + k) {
    [p, hashes] = treeProof(lo, lo + k, n, hashes);
    [th, hashes] = subTreeHash(lo + k, hi, hashes);
  } else {
    [th, hashes] = subTreeHash(lo, lo + k, hashes);
    [p, hashes] = treeProof(lo + k, hi, n, hashes);
  }
  return [[...p, th], hashes];
}

/** Stored-hash indexes proveTree(t, n) reads. */
export function proveTreeIndexes(t: number, n: number): number[] {
  checkInputs(Number.isSafeInteger(t) && Number.isSafeInteger(n) && n >= 1 && n <= t, "proveTree");
  return treeProofIndex(0, t, n, []);
}

/** Consistency proof that the tree of size n is a prefix of the tree of size t (1 ≤ n ≤ t). */
export function proveTree(t: number, n: number, r: HashReader): Bytes[] {
  const indexes = proveTreeIndexes(t, n);
  if (indexes.length === 0) return [];
  return treeProof(0, t, n, read(r, indexes))[0];
}

function runTreeProof(p: Bytes[], lo: number, hi: number, n: number, old: Bytes): [Bytes, Bytes] | null {
  if (n === hi) {
    if (lo === 0) return p.length === 0 ? [old, old] : null;
    return p.length === 1 ? [p[0], p[0]] : null;
  }
  if (p.length === 0) return null;
  const [k] = maxpow2(hi - lo);
  const last = p[p.length - 1];
  if (n <= lo + k) {
    const r = runTreeProof(p.slice(0, -1), lo, lo + k, n, old);
    return r && [r[0], nodeHash(r[1], last)];
  }
  const r = runTreeProof(p.slice(0, -1), lo + k, hi, n, old);
  return r && [nodeHash(last, r[0]), nodeHash(last, r[1])];
}

/** Whether p proves the tree of size n with root h is a prefix of the tree of size t with root th. */
export function checkTree(p: Bytes[], t: number, th: Bytes, n: number, h: Bytes): boolean {
  if (!(Number.isSafeInteger(t) && Number.isSafeInteger(n) && n >= 1 && n <= t)) return false;
  const r = runTreeProof(p, 0, t, n, h);
  return r !== null && equal(r[0], h) && equal(r[1], th);
}

/** The stored hashes appended when record n (hash h) joins a tree of n records: h, then each completed subtree. */
export function storedHashes(n: number, h: Bytes, r: HashReader): Bytes[] {
  const m = trailingZeros(n + 1);
  const indexes: number[] = new Array(m);
  for (let i = 0; i < m; i++) indexes[m - 1 - i] = storedHashIndex(i, Math.floor(n / 2 ** i) - 1);
  const old = m > 0 ? read(r, indexes) : [];
  const out = [h];
  for (let i = 0; i < m; i++) {
    h = nodeHash(old[m - 1 - i], h);
    out.push(h);
  }
  return out;
}
