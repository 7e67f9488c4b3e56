import { describe, expect, it } from "vitest";
import { utf8 } from "../../lib/tlog/bytes";
import { formatCheckpoint } from "../../lib/tlog/checkpoint";
import { proveTree, recordHash, sha256, storedHashes } from "../../lib/tlog/merkle";
import { ALG_COSIGNATURE_V1, checkNoteSignatures, parseNote, parseVerifierKey } from "../../lib/tlog/note";
import { parseSignerKey, signerKeyString, signNote } from "../../lib/tlog/signer";
import { appendLeafHashes, rootFromEdge, type TreeEdge } from "../../lib/tlog/tile-builder";
import { formatAddCheckpoint, parseAddCheckpoint, Witness, type WitnessedTree } from "../../lib/tlog/witness";

// The witness side of C2SP tlog-witness add-checkpoint: every status the spec names.

const origin = "unit.sunshine.example/log";
const log = parseSignerKey(signerKeyString(origin, sha256(utf8("log"))));
const other = parseSignerKey(signerKeyString(origin, sha256(utf8("someone else"))));
const cosigner = parseSignerKey(signerKeyString("w.example/w", sha256(utf8("witness")), ALG_COSIGNATURE_V1));

/** A log of `size` entries: its signed checkpoint and a consistency-proof maker. */
async function tree(size: number, signer = log) {
  const hashes = Array.from({ length: size }, (_, i) => recordHash(utf8(`entry ${i}`)));
  const { state } = appendLeafHashes({ size: 0, edge: [] } as TreeEdge, hashes);
  const root = await rootFromEdge(state);
  const note = signNote(formatCheckpoint({ origin, size, root }), [signer]);
  const stored: Uint8Array[] = [];
  hashes.forEach((h, i) => {
    stored.push(...storedHashes(i, h, (idx) => idx.map((k) => stored[k])));
  });
  const prove = (old: number) => proveTree(size, old, (idx) => idx.map((k) => stored[k]));
  return { note, prove };
}

describe("tlog-witness add-checkpoint", () => {
  it("cosigns a first checkpoint, then only consistent growth; every refusal has the spec's status", async () => {
    const logKey = await parseVerifierKey(log.vkey);
    const trees = new Map<string, WitnessedTree>();
    const w = new Witness({
      logs: [logKey],
      cosigner,
      store: { get: async (o) => trees.get(o) ?? null, set: async (o, t) => void trees.set(o, t) },
      now: () => 1_700_000_000_000,
    });
    const t10 = await tree(10);
    const first = await w.addCheckpoint(formatAddCheckpoint(0, [], t10.note));
    expect(first.status).toBe(200);
    const checks = await checkNoteSignatures(parseNote(t10.note + first.body), [await parseVerifierKey(cosigner.vkey)]);
    expect(checks).toEqual([expect.objectContaining({ ok: true, time: 1_700_000_000 })]);

    const t30 = await tree(30);
    // Wrong old size: 409 with the witness's size.
    const stale = await w.addCheckpoint(formatAddCheckpoint(0, [], t30.note));
    expect([stale.status, stale.body, stale.contentType]).toEqual([409, "10\n", "text/x.tlog.size"]);
    // A bad proof: 422; the right one: 200.
    expect((await w.addCheckpoint(formatAddCheckpoint(10, [sha256(utf8("x"))], t30.note))).status).toBe(422);
    expect((await w.addCheckpoint(formatAddCheckpoint(10, t30.prove(10), t30.note))).status).toBe(200);
    expect(trees.get(origin)?.size).toBe(30);
    // A different tree of the same size (a fork): 422.
    const fork = signNote(formatCheckpoint({ origin, size: 30, root: sha256(utf8("fork")) }), [log]);
    expect((await w.addCheckpoint(formatAddCheckpoint(30, [], fork))).status).toBe(422);
    // Old size beyond the checkpoint: 400; malformed: 400; unknown origin: 404; not the log's key: 403.
    expect((await w.addCheckpoint(formatAddCheckpoint(31, [], t30.note))).status).toBe(400);
    expect((await w.addCheckpoint("old x\n\nnote")).status).toBe(400);
    const elsewhere = signNote(formatCheckpoint({ origin: "other/log", size: 1, root: sha256() }), [log]);
    expect((await w.addCheckpoint(formatAddCheckpoint(0, [], elsewhere))).status).toBe(404);
    const forged = (await tree(40, other)).note;
    expect((await w.addCheckpoint(formatAddCheckpoint(30, [], forged))).status).toBe(403);
    expect(trees.get(origin)?.size).toBe(30);
  });

  it("parses what it formats and refuses more than 63 proof lines", () => {
    const h = sha256(utf8("h"));
    expect(parseAddCheckpoint(formatAddCheckpoint(5, [h, h], "o\n1\nx\n\n— k AAAA\n"))).toMatchObject({
      oldSize: 5,
      note: "o\n1\nx\n\n— k AAAA\n",
    });
    expect(parseAddCheckpoint(formatAddCheckpoint(5, Array(64).fill(h), "n\n"))).toBeNull();
    expect(parseAddCheckpoint("old 01\n\nn\n")).toBeNull();
  });
});
