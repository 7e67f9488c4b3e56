import { sql } from "drizzle-orm";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { rows } from "../../db/client";
import { SEARCH_OUTBOX_LOCK, startOutboxWorker } from "../../search/outbox";
import { testDatabase, testDriver } from "../support/db";

// The Meilisearch outbox worker runs on every node but is elected like the other background rounds
// (db/advisory-lock.ts): never two drains at once — not two workers in one process, and on the server
// not while another connection (another node) holds the lock.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A backend that takes a while per call and records how many calls overlapped. */
function slowBackend() {
  const seen = { active: 0, maxActive: 0, calls: 0 };
  const call = async () => {
    seen.calls++;
    seen.active++;
    seen.maxActive = Math.max(seen.maxActive, seen.active);
    await sleep(50);
    seen.active--;
  };
  return { seen, backend: { index: call, remove: call } };
}

async function queue(n: number) {
  const { db } = await testDatabase();
  await db.execute(sql`INSERT INTO search_outbox (doc_type, doc_id)
    SELECT 'notice', g::text FROM generate_series(1, ${n}) g`);
}

async function waiting() {
  const { db } = await testDatabase();
  const [{ n }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM search_outbox`);
  return n;
}

async function until(check: () => Promise<boolean>, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out");
    await sleep(50);
  }
}

describe("search outbox worker election", () => {
  it("never drains twice at once: two workers side by side send every change once, one batch at a time", async () => {
    const database = await testDatabase();
    await queue(1200); // three batches of 500, 500 and 200
    const { seen, backend } = slowBackend();
    const getDb = async () => database.db;
    const a = startOutboxWorker(getDb, backend, { intervalMs: 20 });
    const b = startOutboxWorker(getDb, backend, { intervalMs: 20 });
    try {
      await until(async () => (await waiting()) === 0);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(seen.maxActive).toBe(1);
    // index + remove per batch: three batches, each sent once.
    expect(seen.calls).toBe(6);
  });

  it.runIf(testDriver() === "postgres")(
    "on the server, a worker sends nothing while another node holds the lock, and takes over when it is freed",
    async () => {
      const database = await testDatabase();
      await queue(10);
      const { seen, backend } = slowBackend();
      // Another node: a connection of its own holding the same session lock.
      const other = postgres(database.url as string, { max: 1, onnotice: () => {} });
      const keyText = `('x' || substr(md5('sunshine:${SEARCH_OUTBOX_LOCK}'), 1, 16))::bit(64)::bigint`;
      const [got] = await other.unsafe(`SELECT pg_try_advisory_lock(${keyText}) AS got`);
      expect(got.got).toBe(true);
      const worker = startOutboxWorker(async () => database.db, backend, { intervalMs: 20 });
      try {
        await sleep(500);
        expect(seen.calls).toBe(0);
        expect(await waiting()).toBe(10);
        await other.unsafe(`SELECT pg_advisory_unlock(${keyText})`);
        await until(async () => (await waiting()) === 0);
        expect(seen.calls).toBe(2);
      } finally {
        await worker.stop();
        await other.end();
      }
    },
  );
});
