import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { logApp } from "../../api/log/app";
import { rows } from "../../db/client";
import { logOrigin, logVerifierKey } from "../../domain/transparency/keys";
import { sequenceLog, sequencingLag } from "../../domain/transparency/sequencer";
import { fromHex, utf8 } from "../../lib/tlog/bytes";
import { parseCheckpoint } from "../../lib/tlog/checkpoint";
import { recordHash } from "../../lib/tlog/merkle";
import { openNote, parseVerifierKey } from "../../lib/tlog/note";
import { decodeEntryBundle } from "../../lib/tlog/tiles";
import { verifyProof } from "../../lib/tlog/verify";
import { housingComplaint } from "../support/console";
import { testDatabase } from "../support/db";
import { api, expectEnvelope } from "../support/http";

// The transparency log end to end on the real database: a filing writes its pending entry in the same
// statement, the sequencer appends it, /log/* serves checkpoint, tiles and entries, and the reporter's
// proof verifies — and nothing can be changed once logged.

const report = { ...housingComplaint, subject: { unit: "常家镇人民政府", person: "王某", post: "副镇长" } };

const file = async (body: unknown = report) => {
  const r = await api("/api/tickets", { method: "POST", json: body });
  expect(r.status, r.text).toBe(201);
  return r.body as { number: string; receipt: string };
};

const get = async (path: string) => {
  const res = await logApp.request(path);
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
};

describe("transparency log", () => {
  it("a filing's pending entry commits with the ticket and reveals only public fields", async () => {
    const { db } = await testDatabase();
    const t = await file();
    const [p] = await rows<{ entry: string; secret: string; ref: string }>(
      db,
      sql`SELECT entry, secret, ref FROM log_pending`,
    );
    expect(p.ref).toBe(`ticket.filed:${t.number}`);
    const entry = JSON.parse(p.entry);
    expect(Object.keys(entry).sort()).toEqual([
      "category",
      "commitment",
      "district",
      "kind",
      "ticket",
      "time",
      "type",
      "v",
    ]);
    expect(entry).toMatchObject({
      v: 1,
      type: "ticket.filed",
      ticket: t.number,
      kind: "complaint",
      district: "高青县",
    });
    expect(p.entry).not.toContain("危房");
    expect(p.entry).not.toContain(t.receipt);
    expect(p.secret).toMatch(/^[0-9a-f]{64}$/);
    expect((await sequencingLag(db)).pending).toBe(1);
  });

  it("proof: 202 while pending, then a tlog-proof that verifies; 404 like the lookup for a wrong receipt", async () => {
    const { db } = await testDatabase();
    const t = await file();
    const headers = { "X-Receipt": t.receipt };
    const pending = await api(`/api/tickets/${t.number}/proof`, { headers });
    expect(pending.status).toBe(202);
    expect(pending.headers.get("retry-after")).toBe("2");

    const seq = await sequenceLog(db);
    expect(seq).toEqual({ appended: 1, size: 1 });
    for (let i = 0; i < 5; i++) await file({ ...report, title: `第 ${i} 件` });
    await sequenceLog(db);

    const r = await api(`/api/tickets/${t.number}/proof`, { headers });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(r.text.split("\n")[0]).toBe("c2sp.org/tlog-proof@v1");
    const opening = await api(`/api/tickets/${t.number}/proof/opening`, { headers });
    expect(opening.status).toBe(200);
    const result = await verifyProof(r.text, {
      origin: logOrigin(),
      logKey: logVerifierKey(),
      content: opening.body.content,
      salt: fromHex(opening.body.salt) as Uint8Array,
    });
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.index).toBe(0);
    expect(result.treeSize).toBe(6);

    const wrong = await api(`/api/tickets/${t.number}/proof`, { headers: { "X-Receipt": "AAAA-BBBB-CCCC-DDDD-EEEE" } });
    const unknown = await api("/api/tickets/ZB-2026-999999/proof", { headers });
    expect(wrong.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(expectEnvelope(wrong.body).message).toBe(expectEnvelope(unknown.body).message);
    expect((await api(`/api/tickets/${t.number}/proof`)).status).toBe(400);
  });

  it("serves checkpoint, key, tiles and entry bundles per tlog-tiles", async () => {
    const { db } = await testDatabase();
    expect((await get("/log/checkpoint")).status).toBe(404);
    for (let i = 0; i < 3; i++) await file({ ...report, title: `第 ${i} 件` });
    await sequenceLog(db);

    const cp = await get("/log/checkpoint");
    expect(cp.status).toBe(200);
    expect(cp.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(cp.headers.get("cache-control")).toMatch(/max-age=1\b/);
    const key = new TextDecoder().decode((await get("/log/key")).bytes).trim();
    expect(key).toBe(logVerifierKey());
    const text = await openNote(new TextDecoder().decode(cp.bytes), [await parseVerifierKey(key)]);
    const checkpoint = parseCheckpoint(text);
    expect(checkpoint?.size).toBe(3);

    const tile = await get("/log/tile/0/000.p/3");
    expect(tile.status).toBe(200);
    expect(tile.headers.get("content-type")).toBe("application/octet-stream");
    expect(tile.bytes.length).toBe(96);
    const bundle = await get("/log/tile/entries/000.p/3");
    const entries = decodeEntryBundle(bundle.bytes) as Uint8Array[];
    expect(entries).toHaveLength(3);
    for (const [i, e] of entries.entries()) expect(recordHash(e)).toEqual(tile.bytes.subarray(i * 32, i * 32 + 32));
    expect((await get("/log/tile/0/000.p/2")).bytes).toEqual(tile.bytes.subarray(0, 64));

    expect((await get("/log/tile/0/000.p/4")).status).toBe(404);
    expect((await get("/log/tile/0/000")).status).toBe(404);
    expect((await get("/log/tile/1/000.p/1")).status).toBe(404);
    expect((await get("/log/tile/entries/001.p/1")).status).toBe(404);
    for (const bad of [
      "/log/tile/0/0",
      "/log/tile/0/000.p/0",
      "/log/tile/0/000.p/256",
      "/log/tile/x/000",
      "/log/tile/0/x000/001",
    ]) {
      expect((await get(bad)).status, bad).toBe(400);
    }
  });

  it("full tiles are immutable and the level-1 tile appears at 256 entries", async () => {
    const { db } = await testDatabase();
    await db.execute(sql`INSERT INTO log_pending (entry, ref)
      SELECT '{"n":' || g || ',"type":"test","v":1}', 'test:' || g FROM generate_series(1, 300) g`);
    await sequenceLog(db, { maxBatch: 100 });
    const full = await get("/log/tile/0/000");
    expect(full.status).toBe(200);
    expect(full.bytes.length).toBe(8192);
    expect(full.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await get("/log/tile/1/000.p/1")).status).toBe(200);
    expect((await get("/log/tile/0/001.p/44")).status).toBe(200);
    const bundle = decodeEntryBundle((await get("/log/tile/entries/000")).bytes) as Uint8Array[];
    expect(bundle).toHaveLength(256);
    expect(recordHash(bundle[255])).toEqual(full.bytes.subarray(255 * 32));
    expect(recordHash(utf8('{"n":1,"type":"test","v":1}'))).toEqual(full.bytes.subarray(0, 32));
    const [{ n }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM log_checkpoints`);
    expect(n).toBe(3);
  });

  it("refuses UPDATE and DELETE of entries, tiles and checkpoints", async () => {
    const { db } = await testDatabase();
    await file();
    await sequenceLog(db);
    for (const stmt of [
      sql`UPDATE log_entries SET entry = 'x'`,
      sql`DELETE FROM log_entries`,
      sql`UPDATE log_tiles SET data = data`,
      sql`DELETE FROM log_tiles`,
      sql`UPDATE log_checkpoints SET note = 'x'`,
      sql`DELETE FROM log_checkpoints`,
    ]) {
      await expect(db.execute(stmt)).rejects.toThrow();
    }
    const [{ n }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM log_entries`);
    expect(n).toBe(1);
  });

  it("sequencing twice appends nothing twice; concurrent sequencers serialise", async () => {
    const { db } = await testDatabase();
    for (let i = 0; i < 4; i++) await file({ ...report, title: `第 ${i} 件` });
    const results = await Promise.all([sequenceLog(db), sequenceLog(db), sequenceLog(db)]);
    expect(results.map((r) => r.appended).reduce((a, b) => a + b)).toBe(4);
    expect((await sequenceLog(db)).appended).toBe(0);
    const [{ n, max }] = await rows<{ n: number; max: number }>(
      db,
      sql`SELECT count(*)::int AS n, max(idx)::int AS max FROM log_entries`,
    );
    expect([n, max]).toEqual([4, 3]);
    expect((await sequencingLag(db)).pending).toBe(0);
  });
});

describe("health reports the sequencing lag", () => {
  it("pending entries and the oldest one's wait", async () => {
    const { db } = await testDatabase();
    await file();
    const before = await api("/api/health");
    expect(before.body.logPending).toBe(1);
    expect(before.body.logLagSeconds).toBeGreaterThanOrEqual(0);
    await sequenceLog(db);
    const after = await api("/api/health");
    expect(after.body).toMatchObject({ logPending: 0, logLagSeconds: 0 });
  });
});

describe("ticket transitions", () => {
  it("a public transition is logged with the acting unit, never the person; internal notes are not", async () => {
    const { db } = await testDatabase();
    const { staff } = await import("../support/console");
    const sup = await staff("supervisor", "city-hotline");
    const t = await file();
    expect(
      (
        await sup.call(`/api/console/tickets/${t.number}/actions/note`, {
          method: "POST",
          json: { reason: "内部备注" },
        })
      ).status,
    ).toBe(200);
    expect(
      (await sup.call(`/api/console/tickets/${t.number}/actions/accept`, { method: "POST", json: {} })).status,
    ).toBe(200);
    const logged = await rows<{ entry: string; ref: string }>(
      db,
      sql`SELECT entry, ref FROM log_pending WHERE ref LIKE 'ticket.transition:%' ORDER BY id`,
    );
    expect(logged).toHaveLength(1);
    expect(logged[0].ref).toBe(`ticket.transition:${t.number}`);
    expect(JSON.parse(logged[0].entry)).toMatchObject({
      v: 1,
      type: "ticket.transition",
      ticket: t.number,
      action: "accept",
      from: "received",
      to: "accepted",
      unit: "city-hotline",
    });
    expect(logged[0].entry).not.toContain(sup.username);
    expect((await sequenceLog(db)).size).toBe(2);
  });
});
