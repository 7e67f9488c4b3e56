import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rows } from "../../db/client";
import { receiptForIdempotencyKey } from "../../domain/hotline/receipts";
import { seedHotlineDemo } from "../../seed/hotline";
import { testDatabase } from "../support/db";
import { api } from "../support/http";

describe("hotline demo data", () => {
  it("seeds tickets in many states across districts, idempotently, identity encrypted", async () => {
    const { db } = await testDatabase();
    await seedHotlineDemo(db);
    await seedHotlineDemo(db);
    const stats = await rows<{ n: number; statuses: number; districts: number; named: number }>(
      db,
      sql`SELECT count(*)::int AS n, count(DISTINCT status)::int AS statuses, count(DISTINCT district_id)::int AS districts,
          count(*) FILTER (WHERE NOT reporter_anonymous)::int AS named FROM tickets WHERE is_demo`,
    );
    expect(stats[0].n).toBeGreaterThanOrEqual(25);
    expect(stats[0].statuses).toBeGreaterThanOrEqual(9);
    expect(stats[0].districts).toBeGreaterThanOrEqual(8);
    expect(stats[0].named).toBeGreaterThan(5);
    const dump = JSON.stringify(await rows(db, sql`SELECT * FROM ticket_reporters`));
    expect(dump).not.toContain("演示用户");
    // A demo ticket can be followed with its (deterministic, demo-only) receipt.
    const [first] = await rows<{ number: string }>(
      db,
      sql`SELECT number FROM tickets WHERE is_demo ORDER BY id LIMIT 1`,
    );
    const res = await api(`/api/tickets/${first.number}`, {
      headers: { "X-Receipt": receiptForIdempotencyKey("demo-hotline-ticket-0000") },
    });
    expect(res.status).toBe(200);
  });
});
