import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rows } from "../../db/client";
import { hashReceipt, newReceipt } from "../../domain/hotline/receipts";
import { insertTicket, type NewTicketRow } from "../../domain/hotline/ticket-writer";
import { testDatabase } from "../support/db";

async function baseRow(): Promise<NewTicketRow> {
  const { db } = await testDatabase();
  const [u] = await rows<{ id: number; district_id: number }>(
    db,
    sql`SELECT id, district_id FROM units WHERE code = 'gaoqing-housing'`,
  );
  return {
    year: "2026",
    kind: "complaint",
    category_code: "housing",
    title: "写入测试",
    description: "写入测试的内容",
    district_id: u.district_id,
    town_id: null,
    village_id: null,
    notice_id: null,
    subject_unit_id: null,
    subject_unit_text: null,
    subject_person: null,
    subject_post: null,
    channel: "api",
    tier: "IV",
    tier_reason: "一般事项",
    handling_level: "district",
    routed_unit_id: u.id,
    supervising_unit_id: u.id,
    supervising_level: "district",
    routing_reason: "测试",
    received_at: new Date().toISOString(),
    accept_due_on: "2026-12-15",
    first_response_due_at: null,
    handle_due_on: "2027-02-15",
    receipt_hash: hashReceipt(newReceipt()),
    idempotency_key_hash: null,
    body_hash: "x",
    operator_id: null,
    is_demo: false,
    reporter: null,
    log_entry: '{"type":"test","ticket":""}',
    log_secret: "00",
    actor_kind: "reporter",
    route_note: "测试",
  };
}

describe("ticket writer (group commit)", () => {
  it("a row that breaks a constraint fails alone; the rest of its batch is written", async () => {
    const { db } = await testDatabase();
    const base = await baseRow();
    const batch = Array.from({ length: 6 }, (_, i) => ({
      ...base,
      title: `第 ${i} 件`,
      receipt_hash: hashReceipt(newReceipt()),
      // Row 3 names a district that does not exist (foreign key violation).
      district_id: i === 3 ? 999_999 : base.district_id,
    }));
    const outcomes = await Promise.allSettled(batch.map((row) => insertTicket(db, row)));
    expect(outcomes.map((o) => o.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
    ]);
    // The error names the SQLSTATE, never the row's text.
    const err = (outcomes[3] as PromiseRejectedResult).reason as Error;
    expect(err.message).toContain("23503");
    expect(err.message).not.toContain("第 3 件");
    const titles = await rows<{ title: string; events: number }>(
      db,
      sql`SELECT t.title, (SELECT count(*)::int FROM ticket_events e WHERE e.ticket_id = t.id) AS events
          FROM tickets t ORDER BY t.title`,
    );
    expect(titles).toEqual(
      ["第 0 件", "第 1 件", "第 2 件", "第 4 件", "第 5 件"].map((title) => ({ title, events: 2 })),
    );
  });

  it("a used idempotency key writes nothing and says so (null)", async () => {
    const { db } = await testDatabase();
    const base = { ...(await baseRow()), idempotency_key_hash: "k".repeat(64) };
    const first = await insertTicket(db, base);
    expect(first?.number).toMatch(/^ZB-2026-/);
    const again = await insertTicket(db, { ...base, receipt_hash: hashReceipt(newReceipt()) });
    expect(again).toBeNull();
    const [{ n }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM tickets`);
    expect(n).toBe(1);
  });
});
