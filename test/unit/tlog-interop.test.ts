import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fromBase64, toBase64, utf8 } from "../../lib/tlog/bytes";
import { formatCheckpoint } from "../../lib/tlog/checkpoint";
import { checkRecord, checkTree, proveRecord, proveTree, recordHash, sha256 } from "../../lib/tlog/merkle";
import { openNote, parseVerifierKey } from "../../lib/tlog/note";
import { parseSignerKey, signerKeyString, signNote } from "../../lib/tlog/signer";
import { appendLeafHashes, rootFromEdge, type TreeEdge } from "../../lib/tlog/tile-builder";
import { encodeEntryBundle, readHashesFromTiles, TILE_WIDTH, type TileRef, tilePath } from "../../lib/tlog/tiles";

// Interoperability with the reference implementation: a log built by lib/tlog's tile builder is
// written out as served (tiles, entry bundles, signed checkpoint) and checked by Go's
// golang.org/x/mod/sumdb/note and sumdb/tlog (test/interop/tlog/main.go); Go's own proofs for the same
// tree are then checked by lib/tlog. Go is required: this test fails, never skips, without it.

const GO_ENV = { ...process.env, GO111MODULE: "off", GOPATH: "/usr/share/gocode", GOFLAGS: "" };
const dir = mkdtempSync(path.join(tmpdir(), "tlog-interop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("interop with Go's sumdb/note and sumdb/tlog", () => {
  it("Go verifies our checkpoint, tiles, entries and proofs, and we verify Go's proofs", async () => {
    const go = spawnSync("go", ["version"], { env: GO_ENV, encoding: "utf8" });
    if (go.error || go.status !== 0) {
      throw new Error("Go is required for this test: apt-get install -y golang-go golang-golang-x-mod-dev");
    }

    const origin = "interop.sunshine.example/log";
    const skey = signerKeyString(origin, sha256(utf8("interop seed")));
    const signer = parseSignerKey(skey);
    const entries: Uint8Array[] = [];
    const tiles = new Map<string, Uint8Array>();
    const roots = new Map<number, Uint8Array>();
    let state: TreeEdge = { size: 0, edge: [] };
    // Batches of uneven sizes so partial tiles at several levels are written and superseded.
    for (const batch of [1, 2, 300, 1000, 65536, 3161]) {
      const hashes: Uint8Array[] = [];
      for (let i = 0; i < batch; i++) {
        const e = utf8(JSON.stringify({ v: 1, type: "test", n: entries.length }));
        entries.push(e);
        hashes.push(recordHash(e));
      }
      const r = appendLeafHashes(state, hashes);
      state = r.state;
      for (const t of r.tiles) tiles.set(tilePath(t), t.data);
      roots.set(state.size, await rootFromEdge(state));
    }
    const size = state.size;
    const write = (rel: string, data: Uint8Array | string) => {
      const file = path.join(dir, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, data);
    };
    for (const [p, data] of tiles) write(p, data);
    for (let n = 0; n * TILE_WIDTH < size; n++) {
      const width = Math.min(TILE_WIDTH, size - n * TILE_WIDTH);
      write(
        tilePath({ level: "entries", n, width }),
        encodeEntryBundle(entries.slice(n * TILE_WIDTH, n * TILE_WIDTH + width)),
      );
    }
    const root = roots.get(size) as Uint8Array;
    const body = formatCheckpoint({ origin, size, root });
    const checkpoint = signNote(body, [signer]);
    write("checkpoint", checkpoint);
    write("vkey", signer.vkey);
    write("skey", skey);

    // Our proofs, read from the tiles exactly as the server builds them.
    const fetch = async (need: TileRef[]) =>
      need.map((t) => {
        const full = tiles.get(tilePath({ ...t, width: TILE_WIDTH }));
        if (full) return full;
        for (let w = t.width; w < TILE_WIDTH; w++) {
          const d = tiles.get(tilePath({ ...t, width: w }));
          if (d) return d;
        }
        throw new Error(`no tile ${tilePath(t)}`);
      });
    const reader = async (indexes: number[]) => {
      const hashes = await readHashesFromTiles(indexes, fetch);
      return () => hashes;
    };
    const sizes = [...roots.keys()];
    const inclusion = [];
    for (const [t, n] of [
      [size, 0],
      [size, size - 1],
      [size, 65535],
      [size, 12345],
      [1303, 1302],
      [3, 1],
      [68839, 300],
    ]) {
      const { proveRecordIndexes } = await import("../../lib/tlog/merkle");
      const proof = proveRecord(t, n, await reader(proveRecordIndexes(t, n)));
      inclusion.push({ size: t, index: n, proof: proof.map(toBase64) });
    }
    const consistency = [];
    for (const [t, old] of [
      [size, 1],
      [size, 3],
      [size, 303],
      [size, 66839],
      [66839, 1303],
    ]) {
      const { proveTreeIndexes } = await import("../../lib/tlog/merkle");
      const proof = proveTree(t, old, await reader(proveTreeIndexes(t, old)));
      consistency.push({ size: t, old, proof: proof.map(toBase64) });
    }
    write(
      "claims.json",
      JSON.stringify({
        inclusion,
        consistency,
        proveInclusion: [
          { size, index: 4242 },
          { size: 303, index: 302 },
        ],
        proveConsistency: [
          { size, old: 1303 },
          { size: 66839, old: 3 },
        ],
        signText: body,
      }),
    );

    const run = spawnSync("go", ["run", "./test/interop/tlog", dir], {
      env: GO_ENV,
      encoding: "utf8",
      cwd: path.resolve(import.meta.dirname, "../.."),
      timeout: 170_000,
    });
    expect(run.stderr).toBe("");
    const out = JSON.parse(run.stdout);
    expect(out.errors).toEqual([]);
    expect(run.status).toBe(0);
    expect(out.checks).toHaveLength(5);
    expect(out.goCheckpointRoot).toBe(toBase64(root));
    // Go signs the same body with the same key byte for byte, and our verifier accepts Go's note.
    expect(out.goSignedNote).toBe(checkpoint);
    expect(await openNote(out.goSignedNote, [await parseVerifierKey(signer.vkey)])).toBe(body);
    // Go's roots for the intermediate sizes are ours.
    for (const s of sizes) if (out.roots[s]) expect(out.roots[s]).toBe(toBase64(roots.get(s) as Uint8Array));
    // Go's proofs check with our verifier.
    const hashes = (l: string[]) => l.map((h) => fromBase64(h) as Uint8Array);
    const rootAt = (t: number) => fromBase64(out.roots[t]) as Uint8Array;
    expect(out.inclusion).toHaveLength(2);
    for (const p of out.inclusion) {
      expect(checkRecord(hashes(p.proof), p.size, rootAt(p.size), p.index, recordHash(entries[p.index]))).toBe(true);
      expect(checkRecord(hashes(p.proof), p.size, rootAt(p.size), p.index, recordHash(entries[p.index + 1]))).toBe(
        false,
      );
    }
    expect(out.consistency).toHaveLength(2);
    for (const p of out.consistency) {
      expect(checkTree(hashes(p.proof), p.size, rootAt(p.size), p.old, rootAt(p.old))).toBe(true);
    }
  }, 180_000);
});
