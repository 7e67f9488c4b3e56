import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { type Db, rows } from "../../db/client";
import { logVerifierKey } from "../../domain/transparency/keys";
import { clearTileCache } from "../../domain/transparency/read";
import { sequenceLog } from "../../domain/transparency/sequencer";
import { checkLatest, newMonitorState, parseVerifierKey } from "../../lib/tlog/monitor";
import { testDatabase } from "../support/db";
import { fetchJson, fetchLog, readLoggedRecords } from "../support/transparency";

// The monitor (lib/tlog/monitor.ts, `npm run log:monitor`) against the real log: it accepts a growing
// log checkpoint after checkpoint, and fails as soon as a stored tile or entry is changed behind the
// append-only trigger's back (as a database superuser could).

async function addEntries(db: Db, from: number, count: number) {
  await db.execute(sql`INSERT INTO log_pending (entry, ref)
    SELECT '{"n":' || g || ',"type":"test","v":1}', 'test:' || g FROM generate_series(${from}::int, ${from + count - 1}::int) g`);
  await sequenceLog(db, { maxBatch: 200 });
}

/** Change stored data as a superuser would: with triggers off for this transaction. */
async function tamper(db: Db, statement: ReturnType<typeof sql>) {
  await db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL session_replication_role = replica`);
    await tx.execute(statement);
  });
  clearTileCache();
}

describe("log monitor", () => {
  it("verifies checkpoints, tiles and entries as the log grows", async () => {
    const { db } = await testDatabase();
    const key = await parseVerifierKey(logVerifierKey());
    const state = newMonitorState();
    const o = { base: "/log", key, fetch: fetchLog, entries: true };
    await addEntries(db, 1, 300);
    expect((await checkLatest(state, o)).size).toBe(300);
    await addEntries(db, 301, 70);
    expect((await checkLatest(state, o)).size).toBe(370);
    expect((await checkLatest(state, o)).size).toBe(370);
    await addEntries(db, 371, 1);
    expect((await checkLatest(state, o)).size).toBe(371);
    expect(state.fullTiles.size).toBe(1);
  });

  const setup = async () => {
    const { db } = await testDatabase();
    clearTileCache(); // full tiles a previous test tampered with, cached by this process
    const key = await parseVerifierKey(logVerifierKey());
    const o = { base: "/log", key, fetch: fetchLog, entries: true };
    await addEntries(db, 1, 600);
    await checkLatest(newMonitorState(), o);
    return { db, o };
  };
  const forged = sql`decode(repeat('ab', 32), 'hex')`;

  it("fails on a tampered full tile", async () => {
    const { db, o } = await setup();
    await tamper(
      db,
      sql`UPDATE log_tiles SET data = overlay(data placing ${forged} from 33 for 32) WHERE level = 0 AND n = 1 AND width = 256`,
    );
    await expect(checkLatest(newMonitorState(), o)).rejects.toThrow(/tile 0\/1 does not hash/);
  });

  it("fails on a tampered partial tile", async () => {
    const { db, o } = await setup();
    await tamper(
      db,
      sql`UPDATE log_tiles SET data = overlay(data placing ${forged} from 1 for 32) WHERE level = 0 AND n = 2 AND width = 88`,
    );
    await expect(checkLatest(newMonitorState(), o)).rejects.toThrow(/tiles give root/);
  });

  it("fails on a tampered entry", async () => {
    const { db, o } = await setup();
    await tamper(db, sql`UPDATE log_entries SET entry = '{"n":5,"type":"forged","v":1}' WHERE idx = 4`);
    await expect(checkLatest(newMonitorState(), o)).rejects.toThrow(/entry 4 does not match/);
  });

  it("a monitor that saw the log before refuses a rewritten history", async () => {
    const { db } = await testDatabase();
    const key = await parseVerifierKey(logVerifierKey());
    const state = newMonitorState();
    const o = { base: "/log", key, fetch: fetchLog };
    await addEntries(db, 1, 10);
    await checkLatest(state, o);
    // The operator rewrites entry 3 and re-signs a tree of the same size (as if starting over).
    await tamper(db, sql`DELETE FROM log_checkpoints`);
    await tamper(db, sql`DELETE FROM log_tiles`);
    await tamper(db, sql`DELETE FROM log_entries`);
    await addEntries(db, 100, 12);
    await expect(checkLatest(state, o)).rejects.toThrow(/not consistent/);
  });
});

describe("published records against the log", () => {
  it("every fund version on the public API is in the log; a changed figure is caught", async () => {
    const { db } = await testDatabase();
    const { createAllocation, correctAllocation } = await import("../../domain/funds/allocations");
    const { checkPublishedFunds } = await import("../../domain/transparency/published-records");
    const [{ id: districtId }] = await rows<{ id: number }>(db, sql`SELECT id FROM districts WHERE name = '高青县'`);
    const values = {
      year: 2026,
      level: "city" as const,
      fundName: "市级财政专项扶贫资金",
      docNumber: "淄财农〔2026〕1号",
      districtId,
      townId: null,
      villageId: null,
      projectId: null,
      categoryCode: "industry",
      amount: "120000.50",
      purpose: "产业扶贫项目",
      publishedOn: "2026-11-20",
    };
    const id = await createAllocation(db, values, null);
    const allocationId = typeof id === "number" ? id : (id as { id: number }).id;
    await correctAllocation(db, allocationId, { amount: "99000.00" }, "按文件更正", null);
    await sequenceLog(db);

    const index = await readLoggedRecords();
    expect(await checkPublishedFunds(fetchJson, index)).toEqual({ checked: 2, problems: [] });

    await db.execute(
      sql`UPDATE fund_allocation_versions SET amount = '1.00' WHERE allocation_id = ${allocationId} AND version = 1`,
    );
    const r = await checkPublishedFunds(fetchJson, index);
    expect(r.problems).toEqual([`fund ${allocationId} version 1 differs from what was logged`]);
  });
});
