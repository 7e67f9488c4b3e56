import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../lib/canonical-json";
import { fromBase64, fromHex, toBase64, toHex, utf8 } from "../../lib/tlog/bytes";
import { formatCheckpoint, parseCheckpoint } from "../../lib/tlog/checkpoint";
import { commitmentMessage, encodeEntry } from "../../lib/tlog/leaf-format";
import {
  checkRecord,
  checkTree,
  proveRecord,
  proveTree,
  recordHash,
  sha256,
  splitStoredHashIndex,
  storedHashCount,
  storedHashIndex,
  treeHash,
} from "../../lib/tlog/merkle";
import { checkNoteSignatures, openNote, parseNote, parseVerifierKey } from "../../lib/tlog/note";
import { formatProof, parseProof } from "../../lib/tlog/proof";
import { cosignatureLine, parseSignerKey, signerKeyString, signNote } from "../../lib/tlog/signer";
import {
  decodeEntryBundle,
  encodeEntryBundle,
  parseTilePath,
  readHashesFromTiles,
  TILE_WIDTH,
  tileForIndex,
  tilePath,
} from "../../lib/tlog/tiles";
import { verifyProof } from "../../lib/tlog/verify";
import { MemoryTree } from "../support/tlog-memory-tree";

// Known vectors: RFC 6962 roots for the Certificate Transparency test leaves, and Go's sumdb/note
// test keys and signature.
const CT_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];
const CT_ROOTS = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

const GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_SIGNED = `${GO_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

describe("RFC 6962 hashing and stored-hash layout", () => {
  it("matches the Certificate Transparency root vectors", () => {
    const tree = new MemoryTree();
    CT_LEAVES.forEach((hex, i) => {
      tree.append(fromHex(hex) as Uint8Array);
      expect(toHex(tree.root())).toBe(CT_ROOTS[i]);
    });
    expect(toHex(treeHash(0, () => []))).toBe(toHex(sha256()));
  });

  it("numbers stored hashes like Go's tlog", () => {
    // Go: StoredHashIndex(0,0)=0, (0,1)=1, (1,0)=2, (0,2)=3, (0,3)=4, (1,1)=5, (2,0)=6.
    expect([storedHashIndex(0, 0), storedHashIndex(0, 1), storedHashIndex(1, 0), storedHashIndex(0, 2)]).toEqual([
      0, 1, 2, 3,
    ]);
    expect([storedHashIndex(0, 3), storedHashIndex(1, 1), storedHashIndex(2, 0)]).toEqual([4, 5, 6]);
    for (let i = 0; i < 2000; i++) {
      const [l, n] = splitStoredHashIndex(i);
      expect(storedHashIndex(l, n)).toBe(i);
    }
    expect([1, 2, 3, 4, 5, 8].map(storedHashCount)).toEqual([1, 3, 4, 7, 8, 15]);
  });

  it("proves and checks inclusion and consistency for every pair up to 70", () => {
    const tree = new MemoryTree();
    const roots: Uint8Array[] = [];
    for (let i = 0; i < 70; i++) {
      tree.append(utf8(`entry ${i}`));
      roots.push(tree.root());
    }
    for (let t = 1; t <= 70; t++) {
      for (let n = 0; n < t; n++) {
        const p = proveRecord(t, n, tree.reader);
        expect(checkRecord(p, t, roots[t - 1], n, recordHash(utf8(`entry ${n}`)))).toBe(true);
        expect(checkRecord(p, t, roots[t - 1], n, recordHash(utf8(`entry ${n + 1}`)))).toBe(false);
        const c = proveTree(t, n + 1, tree.reader);
        expect(checkTree(c, t, roots[t - 1], n + 1, roots[n])).toBe(true);
        if (n + 1 < t) expect(checkTree(c, t, roots[t - 1], n + 1, roots[t - 1])).toBe(false);
      }
    }
  });
});

describe("tiles", () => {
  it("formats and parses tile paths per tlog-tiles", () => {
    expect(tilePath({ level: 0, n: 1234067, width: 256 })).toBe("tile/0/x001/x234/067");
    expect(tilePath({ level: 2, n: 5, width: 17 })).toBe("tile/2/005.p/17");
    expect(tilePath({ level: "entries", n: 0, width: 3 })).toBe("tile/entries/000.p/3");
    expect(parseTilePath("0/x001/x234/067")).toEqual({ level: 0, n: 1234067, width: 256 });
    expect(parseTilePath("entries/000.p/3")).toEqual({ level: "entries", n: 0, width: 3 });
    for (const bad of [
      "0/1",
      "0/0001",
      "00/000",
      "0/x000/001",
      "0/000.p/0",
      "0/000.p/256",
      "0/000.p/07",
      "64/000",
      "0/abc",
    ]) {
      expect(parseTilePath(bad), bad).toBeNull();
    }
  });

  it("reads any stored hash back from tiles", async () => {
    const tree = new MemoryTree();
    for (let i = 0; i < 70000; i++) tree.append(utf8(String(i)));
    expect(tree.tileCount()).toEqual({ full0: 273, partial0: 112, full1: 1, partial1: 17, partial2: 1 });
    const indexes = [0, 5, 131071, storedHashIndex(1, 34999), storedHashIndex(9, 3), storedHashIndex(16, 0)];
    const fromTiles = await readHashesFromTiles(indexes, async (tiles) => tiles.map((t) => tree.tile(t)));
    expect(fromTiles.map(toHex)).toEqual(tree.reader(indexes).map(toHex));
    expect(tileForIndex(storedHashIndex(8, 1)).tile).toEqual({ level: 1, n: 0, width: 2 });
  }, 60_000);

  it("encodes entry bundles with uint16 lengths", () => {
    const bundle = encodeEntryBundle([utf8("a"), utf8(""), utf8("bcd")]);
    expect(toHex(bundle)).toBe("00016100000003626364");
    expect(decodeEntryBundle(bundle)?.map((e) => new TextDecoder().decode(e))).toEqual(["a", "", "bcd"]);
    expect(decodeEntryBundle(bundle.subarray(0, 8))).toBeNull();
    expect(TILE_WIDTH).toBe(256);
  });
});

describe("signed notes", () => {
  it("signs exactly like Go's sumdb/note", () => {
    const signer = parseSignerKey(GO_SKEY);
    expect(signer.vkey).toBe(GO_VKEY);
    expect(signNote(GO_TEXT, [signer])).toBe(GO_SIGNED);
  });

  it("verifies the signed-note spec example and refuses tampering", async () => {
    const key = await parseVerifierKey("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");
    const note =
      "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
    expect(await openNote(note, [key])).toBe("This is an example message.\n");
    await expect(openNote(note.replace("example message", "exampel message"), [key])).rejects.toThrow(
      /does not verify/,
    );
    await expect(
      parseVerifierKey("example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
    ).rejects.toThrow();
    expect(() => parseNote("no signatures\n")).toThrow();
  });

  it("round-trips generated keys and cosignatures (type 0x04)", async () => {
    const log = parseSignerKey(signerKeyString("example.gov/log"));
    const witness = parseSignerKey(signerKeyString("witness.example/w1", undefined, 0x04));
    const text = formatCheckpoint({ origin: "example.gov/log", size: 3, root: sha256(utf8("x")) });
    const note = signNote(text, [log]) + cosignatureLine(witness, text, 1_700_000_000).trimEnd().concat("\n");
    const parsed = parseNote(note);
    const keys = [await parseVerifierKey(log.vkey), await parseVerifierKey(witness.vkey)];
    const checks = await checkNoteSignatures(parsed, keys);
    expect(checks.map((c) => [c.key.name, c.ok, c.time])).toEqual([
      ["example.gov/log", true, undefined],
      ["witness.example/w1", true, 1_700_000_000],
    ]);
    expect(parseCheckpoint(parsed.text)?.size).toBe(3);
    expect(parseCheckpoint("o\n01\nAAAA\n")).toBeNull();
  });
});

describe("tlog-proof and the Sunshine leaf", () => {
  it("JCS sorts keys and serialises like RFC 8785", () => {
    expect(canonicalJson({ b: 1, a: "é\n", c: [true, null, 1e21, 0.5] })).toBe(
      '{"a":"é\\n","b":1,"c":[true,null,1e+21,0.5]}',
    );
  });

  it("verifies a proof end to end and names the failing check", async () => {
    const origin = "zibo.example/log";
    const signer = parseSignerKey(signerKeyString(origin, sha256(utf8("test seed"))));
    const tree = new MemoryTree();
    const salt = sha256(utf8("salt"));
    const content = { title: "低保", description: "某村低保名单有问题", subject: null };
    const commitment = toHex(sha256(commitmentMessage(content, salt)));
    const entry = encodeEntry({
      v: 1,
      type: "ticket.filed",
      ticket: "ZB-2026-000001",
      time: "2026-12-05T08:00:00.000Z",
      kind: "report",
      category: "dibao",
      district: "高青县",
      commitment,
    });
    for (let i = 0; i < 10; i++) tree.append(utf8(`other ${i}`));
    tree.append(entry);
    for (let i = 0; i < 5; i++) tree.append(utf8(`later ${i}`));
    const checkpoint = signNote(formatCheckpoint({ origin, size: tree.size, root: tree.root() }), [signer]);
    const text = formatProof({ extra: entry, index: 10, proof: proveRecord(tree.size, 10, tree.reader), checkpoint });
    expect(parseProof(text).index).toBe(10);

    const ok = await verifyProof(text, { origin, logKey: signer.vkey, content, salt });
    expect(ok.ok).toBe(true);
    expect(ok.checks.map((c) => c.id)).toEqual(["format", "origin", "signature", "entry", "inclusion", "content"]);

    const failed = async (t: string, opts = {}) => {
      const r = await verifyProof(t, { origin, logKey: signer.vkey, ...opts });
      expect(r.ok).toBe(false);
      return r.checks.find((c) => !c.ok)?.id;
    };
    expect(await failed("hello")).toBe("format");
    expect(await failed(text.replace("index 10", "index 9"))).toBe("inclusion");
    const lines = text.split("\n");
    lines[3] = toBase64(sha256(utf8("forged")));
    expect(await failed(lines.join("\n"))).toBe("inclusion");
    expect(await failed(text.replace(`\n${tree.size}\n`, `\n${tree.size + 1}\n`))).toBe("signature");
    expect(await failed(text, { origin: "other.example/log" })).toBe("origin");
    expect(await failed(text, { content: { ...content, title: "改过" }, salt })).toBe("content");
    const forgedEntry = toBase64(utf8(new TextDecoder().decode(entry).replace("高青县", "桓台县")));
    expect(await failed(text.replace(/^extra .*$/m, `extra ${forgedEntry}`))).toBe("inclusion");
    expect(fromBase64("not base64!")).toBeNull();
  });
});

describe("tile builder", () => {
  it("appends in batches to the same tiles and root as the stored-hash reference", async () => {
    const { appendLeafHashes, rootFromEdge } = await import("../../lib/tlog/tile-builder");
    const tree = new MemoryTree();
    let state = { size: 0, edge: [] as Uint8Array[] };
    const stored = new Map<string, Uint8Array>();
    let next = 0;
    for (const batch of [1, 254, 1, 1, 300, 65000, 5000, 1]) {
      const hashes: Uint8Array[] = [];
      for (let i = 0; i < batch; i++, next++) {
        tree.append(utf8(`e${next}`));
        hashes.push(recordHash(utf8(`e${next}`)));
      }
      const r = appendLeafHashes(state, hashes);
      state = r.state;
      for (const t of r.tiles) {
        const key = `${t.level}/${t.n}/${t.width}`;
        expect(stored.has(key), key).toBe(false);
        stored.set(key, t.data);
        expect(toHex(t.data)).toBe(toHex(tree.tile(t)));
      }
      expect(toHex(await rootFromEdge(state))).toBe(toHex(tree.root()));
    }
    expect(state.size).toBe(70558);
  }, 60_000);
});
