import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { COUNT_CAP, PAGE_SIZE } from "../../domain/casework/queue";
import { exec, file, staff } from "../support/console";

// The queue (/console/tickets, GET /api/console/tickets): keyset pagination, exact counts of unfinished
// tickets, capped counts of finished ones, the deadline filters — always inside the person's scope.

/** Copies of a filed ticket (same scope-relevant columns), with their own numbers and deadlines. */
async function copies(of: string, n: number, set: { status: string; dueFrom: number; tag: string }) {
  await exec(sql`INSERT INTO tickets (number, kind, category_code, title, description, district_id, subject_unit_id, channel,
      status, tier, tier_reason, handling_level, routed_unit_id, supervising_unit_id, supervising_level, routing_reason,
      received_at, accept_due_on, handle_due_on, reporter_anonymous, receipt_hash, body_hash, accepted_at, dispatched_at)
    SELECT 'ZB-Q-' || ${set.tag} || '-' || lpad(g::text, 5, '0'), kind, category_code, title || ' ' || g, description,
      district_id, subject_unit_id, channel, ${set.status}, CASE WHEN g % 3 = 0 THEN 'III' ELSE 'IV' END, tier_reason,
      handling_level, routed_unit_id, supervising_unit_id, supervising_level, routing_reason, received_at,
      CURRENT_DATE + ${set.dueFrom}::int + g / 7, CURRENT_DATE + ${set.dueFrom}::int + g / 7,
      reporter_anonymous, md5(g::text), md5(g::text), now(), now()
    FROM tickets, generate_series(1, ${n}) g WHERE number = ${of}`);
}

describe("queue", () => {
  it("pages by cursor in urgency order, forward and back, without gaps or repeats", async () => {
    const sup = await staff("supervisor", "gaoqing-fpb");
    const base = await file();
    await copies(base.ticket.number, 2 * PAGE_SIZE + 7, { status: "dispatched", dueFrom: 5, tag: "A" });
    // Someone else's ticket in another district never shows up.
    await file({ district: "淄川区", title: "别的区县" });
    const ordered = await exec(sql`SELECT number, due_on::text || '_' || tier || '_' || id AS cursor FROM tickets t
        WHERE district_id = (SELECT id FROM districts WHERE code = 'gaoqing') ORDER BY due_on, tier, id`);
    const expected = ordered.map((r) => r.number as string);
    const cursorOfIndex = (i: number) => ordered[i].cursor as string;
    expect(expected).toHaveLength(2 * PAGE_SIZE + 8);

    const seen: string[] = [];
    const cursors: (string | undefined)[] = [];
    let url = "/api/console/tickets";
    for (let page = 1; ; page++) {
      const r = await sup.call(url);
      expect(r.status).toBe(200);
      seen.push(...r.body.items.map((i: { number: string }) => i.number));
      cursors.push(r.body.prev);
      expect(r.body.counts.total).toBe(expected.length);
      if (!r.body.next) break;
      url = `/api/console/tickets?page=${page + 1}&after=${r.body.next}`;
    }
    expect(seen).toEqual(expected);
    expect(cursors[0]).toBeUndefined();

    // Back from the last page: the page before it, exactly.
    const last = await sup.call(`/api/console/tickets?page=3&after=${cursorOfIndex(2 * PAGE_SIZE - 1)}`);
    expect(last.body.items.map((i: { number: string }) => i.number)).toEqual(expected.slice(2 * PAGE_SIZE));
    const back = await sup.call(`/api/console/tickets?page=2&before=${last.body.prev}`);
    expect(back.body.items.map((i: { number: string }) => i.number)).toEqual(expected.slice(PAGE_SIZE, 2 * PAGE_SIZE));
    expect(back.body.next).toBe(cursorOfIndex(2 * PAGE_SIZE - 1));
    const first = await sup.call(`/api/console/tickets?before=${back.body.prev}`);
    expect(first.body.items.map((i: { number: string }) => i.number)).toEqual(expected.slice(0, PAGE_SIZE));
    expect(first.body.prev).toBeUndefined();
    // A bare page number is still an offset.
    const offset = await sup.call("/api/console/tickets?page=2");
    expect(offset.body.items.map((i: { number: string }) => i.number)).toEqual(
      expected.slice(PAGE_SIZE, 2 * PAGE_SIZE),
    );
    // A malformed cursor is ignored (page 1), not an error.
    expect((await sup.call("/api/console/tickets?after=2026-01-01_V_1")).body.items[0].number).toBe(expected[0]);
  });

  it("counts unfinished tickets exactly and finished ones up to the cap, shown as capped", async () => {
    const sup = await staff("supervisor", "city-hotline");
    const base = await file();
    await copies(base.ticket.number, COUNT_CAP + 5, { status: "handling", dueFrom: 10, tag: "O" });
    await copies(base.ticket.number, COUNT_CAP + 5, { status: "closed", dueFrom: -100, tag: "C" });
    const r = await sup.call("/api/console/tickets");
    expect(r.status).toBe(200);
    const c = r.body.counts;
    expect(c.byStatus.handling).toBe(COUNT_CAP + 5);
    expect(c.byStatus.received).toBe(1);
    expect(c.openTotal).toBe(COUNT_CAP + 6);
    expect(c.total).toBe(COUNT_CAP + 6);
    expect(c.totalCapped).toBe(false);
    // The work queue's view leaves finished tickets uncounted; views of them count up to the cap.
    expect(c.finishedCounted).toBe(false);
    expect(c.byStatus).not.toHaveProperty("closed");
    const closed = await sup.call("/api/console/tickets?status=closed");
    expect(closed.body.counts).toMatchObject({ total: COUNT_CAP, totalCapped: true });
    expect(closed.body.items).toHaveLength(PAGE_SIZE);
    expect(closed.body.items.every((i: { status: string }) => i.status === "closed")).toBe(true);
    // "all": open and finished, merged in urgency order (the closed ones are due earlier).
    const all = await sup.call("/api/console/tickets?status=all");
    expect(all.body.items[0].status).toBe("closed");
    expect(all.body.counts).toMatchObject({ total: COUNT_CAP * 2 + 6, totalCapped: true, finishedCounted: true });
    expect(all.body.counts.byStatus.closed).toBe(COUNT_CAP);
    expect(all.body.counts.capped).toEqual(["closed"]);
    // Another person's scope: none of it.
    const other = await staff("supervisor", "zichuan-fpb");
    const none = await other.call("/api/console/tickets?status=all");
    expect(none.body.counts).toMatchObject({ total: 0, totalCapped: false, openTotal: 0 });
    expect(none.body.items).toEqual([]);
  });

  it("filters by deadline: overdue, due within N days, and both together", async () => {
    const sup = await staff("supervisor", "gaoqing-fpb");
    const late = await file({ title: "已超期" });
    const soon = await file({ title: "快到期" });
    const later = await file({ title: "还早" });
    const done = await file({ title: "已办结但超期" });
    await exec(sql`UPDATE tickets SET accept_due_on = CURRENT_DATE - 2 WHERE number = ${late.ticket.number}`);
    await exec(sql`UPDATE tickets SET accept_due_on = CURRENT_DATE + 2 WHERE number = ${soon.ticket.number}`);
    await exec(sql`UPDATE tickets SET accept_due_on = CURRENT_DATE + 20 WHERE number = ${later.ticket.number}`);
    await exec(
      sql`UPDATE tickets SET accept_due_on = CURRENT_DATE - 9, status = 'closed' WHERE number = ${done.ticket.number}`,
    );
    const numbers = async (qs: string) =>
      (await sup.call(`/api/console/tickets?${qs}`)).body.items.map((i: { number: string }) => i.number);
    expect(await numbers("overdue=1")).toEqual([late.ticket.number]);
    expect(await numbers("due=3")).toEqual([soon.ticket.number]);
    expect(await numbers("due=3&overdue=1")).toEqual([late.ticket.number, soon.ticket.number]);
    expect(await numbers("overdue=1&status=all")).toEqual([late.ticket.number]);
    expect(await numbers("overdue=1&status=closed")).toEqual([]);
    const c = (await sup.call("/api/console/tickets")).body.counts;
    expect(c).toMatchObject({ overdue: 1, dueSoon: 1, openTotal: 3, overdueCapped: false, dueSoonCapped: false });
  });
});
