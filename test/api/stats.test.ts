import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { publishCell, secondarySuppress } from "../../domain/stats/hotline";
import type { KeyRow } from "../support/api-types";
import { exec, file } from "../support/console";
import { api, expectEnvelope } from "../support/http";

/** One cell of a grouped report: its key and figures (null where withheld). */
type Cell = KeyRow & { [figure: string]: unknown };

// Public hotline statistics on a known data set: figures, small-cell suppression, filters, errors,
// and the rollup staying exact when tickets change.

async function tickets(n: number, over: Record<string, unknown>, set: ReturnType<typeof sql>) {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const { ticket } = await file(over as never);
    ids.push(ticket.id);
  }
  await exec(
    sql`UPDATE tickets SET ${set} WHERE id IN (${sql.join(
      ids.map((i) => sql`${i}`),
      sql`, `,
    )})`,
  );
  return ids;
}

let gaoqing: number[];

beforeEach(async () => {
  // 高青县 危房改造, March 2025: 10 received, all accepted on time; 6 replied on time and closed after
  // exactly 20 days (3 satisfied, 3 dissatisfied); 4 still in handling past their deadline.
  gaoqing = await tickets(
    10,
    { district: "高青县", category: "housing" },
    sql`received_at = '2025-03-10T08:00:00+08:00', accept_due_on = '2025-03-31', accepted_at = '2025-03-11T09:00:00+08:00',
        handle_due_on = '2025-05-30', status = 'handling', dispatched_at = '2025-03-11T10:00:00+08:00'`,
  );
  await exec(sql`UPDATE tickets SET status = 'closed', replied_at = '2025-03-25T10:00:00+08:00',
      closed_at = '2025-03-30T08:00:00+08:00', rated_at = '2025-03-26T10:00:00+08:00',
      rating = CASE WHEN id % 2 = 0 THEN 'satisfied' ELSE 'dissatisfied' END
    WHERE id IN (${sql.join(
      gaoqing.slice(0, 6).map((i) => sql`${i}`),
      sql`, `,
    )})`);
  // 淄川区 危房改造, July 2025: 2 received (a small cell), accepted, dispatched, not yet due.
  await tickets(
    2,
    { district: "淄川区", category: "housing" },
    sql`received_at = '2025-07-02T08:00:00+08:00', accept_due_on = '2025-07-20', accepted_at = '2025-07-03T08:00:00+08:00',
        handle_due_on = '2099-01-01', status = 'dispatched', dispatched_at = '2025-07-03T09:00:00+08:00'`,
  );
  // 张店区 就业扶贫, July 2025: 5 received, not accepted.
  await tickets(
    5,
    { district: "张店区", category: "employment" },
    sql`received_at = '2025-07-15T08:00:00+08:00', accept_due_on = '2025-08-01', status = 'not_accepted'`,
  );
});

describe("GET /api/stats/hotline", () => {
  it("totals and rates on a known data set", async () => {
    const r = await api("/api/stats/hotline?year=2025");
    expect(r.status).toBe(200);
    expect(r.body.totals).toEqual({
      received: 17,
      accepted: 12,
      closed: 6,
      acceptedOnTimeRate: 100,
      handledOnTimeRate: 100,
      closureRate: 50,
      satisfactionRate: 50,
      avgDaysToClose: 20,
    });
    const month = Object.fromEntries(r.body.byMonth.map((m: Cell) => [m.key, m.received]));
    expect(month).toMatchObject({ "2025-01": 0, "2025-03": 10, "2025-07": 7 });
    expect(r.body.byMonth).toHaveLength(12);
    const cat = Object.fromEntries(r.body.byCategory.map((c: Cell) => [c.key, c.received]));
    expect(cat).toMatchObject({ housing: 12, employment: 5, health: 0 });
    // The four open 高青 tickets are past their handling deadline.
    expect(r.body.overdueUnits[0]).toEqual({ unit: "高青县住房城乡建设局", overdueNow: 4, repliedLate: 0 });
    // Aggregates only: no ticket text or numbers anywhere.
    expect(r.text).not.toContain("危房改造补助迟迟未发放");
    expect(r.text).not.toMatch(/ZB-\d{4}/);
  });

  it("withholds cells under 3, the rates built on them, and one more cell where one would be recoverable", async () => {
    const r = await api("/api/stats/hotline?year=2025");
    const d = Object.fromEntries(r.body.byDistrict.map((x: Cell) => [x.key, x]));
    expect(d.zichuan.received).toBeNull();
    expect(d.zichuan.accepted).toBeNull();
    expect(d.zichuan.acceptedOnTimeRate).toBeNull();
    // Exactly one withheld received-count among districts would be total minus the others: the next
    // smallest (张店 5) is withheld too, the biggest stays.
    expect(d.zhangdian.received).toBeNull();
    expect(d.gaoqing.received).toBe(10);
    expect(d.boshan.received).toBe(0);
    const z = await api("/api/stats/hotline?year=2025&district=zichuan");
    expect(z.body.totals).toMatchObject({ received: null, accepted: null, closureRate: null, avgDaysToClose: null });
    expect(z.body.filters.district).toBe("zichuan");
  });

  it("filters by district (code or name), category and year", async () => {
    const g = await api(`/api/stats/hotline?district=${encodeURIComponent("高青县")}&category=housing`);
    expect(g.status).toBe(200);
    expect(g.body.totals).toMatchObject({ received: 10, accepted: 10, closed: 6, closureRate: 60 });
    expect(g.body.byDistrict.map((x: Cell) => x.key)).toEqual(["gaoqing"]);
    const e = await api("/api/stats/hotline?category=employment");
    expect(e.body.totals).toMatchObject({ received: 5, accepted: 0, closureRate: null });
    const y = await api("/api/stats/hotline?year=2024");
    expect(y.body.totals).toMatchObject({ received: 0, closureRate: null, avgDaysToClose: null });
    expect(y.body.overdueUnits).toEqual([]);
  });

  it("400 with the field on bad filters", async () => {
    for (const [q, field] of [
      ["year=20x5", "year"],
      ["year=1999", "year"],
      ["district=火星区", "district"],
      ["category=nope", "category"],
      ["format=xml", "format"],
    ]) {
      const r = await api(`/api/stats/hotline?${q}`);
      expect(r.status, q).toBe(400);
      expect(JSON.stringify(expectEnvelope(r.body).details)).toContain(field);
    }
  });

  it("CSV download with a BOM and the same suppression", async () => {
    const { app } = await import("../../api/app");
    const res = await app.request("/api/stats/hotline?year=2025&format=csv");
    expect(res.headers.get("content-type")).toContain("text/csv");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain("合计,全部,17,12,6,100,100,50,50,20");
    expect(text).toContain("区县,淄川区,<3,<3");
  });

  it("the rollup follows every ticket change in the same transaction and equals a rebuild", async () => {
    await exec(sql`UPDATE tickets SET status = 'closed', replied_at = '2025-06-10T10:00:00+08:00',
        closed_at = '2025-06-11T08:00:00+08:00' WHERE id = ${gaoqing[6]}`);
    const r = await api("/api/stats/hotline?year=2025&district=gaoqing");
    expect(r.body.totals).toMatchObject({ closed: 7, closureRate: 70 });
    // Replied after the 30 May deadline: one late reply (a small cell, withheld).
    expect(r.body.overdueUnits[0]).toMatchObject({ overdueNow: 3, repliedLate: null });
    await exec(sql`DELETE FROM ticket_events WHERE ticket_id = ${gaoqing[9]}`);
    await exec(sql`DELETE FROM tickets WHERE id = ${gaoqing[9]}`);
    // The figures above were read before any compaction (rollup + pending deltas); fold them in now.
    await exec(sql`SELECT hotline_stats_compact()`);
    expect(await exec(sql`SELECT count(*)::int AS n FROM hotline_stats_delta`)).toEqual([{ n: 0 }]);
    const before = await exec(sql`SELECT * FROM hotline_stats_monthly WHERE received <> 0 ORDER BY 1, 2, 3, 4`);
    await exec(sql`SELECT hotline_stats_rebuild()`);
    const after = await exec(sql`SELECT * FROM hotline_stats_monthly ORDER BY 1, 2, 3, 4`);
    expect(
      JSON.parse(JSON.stringify(before)).map((x: Record<string, unknown>) => ({
        ...x,
        close_days_sum: Number(x.close_days_sum),
      })),
    ).toEqual(
      JSON.parse(JSON.stringify(after)).map((x: Record<string, unknown>) => ({
        ...x,
        close_days_sum: Number(x.close_days_sum),
      })),
    );
  });
});

describe("suppression rules", () => {
  const raw = (o: Partial<Record<string, number>>) => ({
    received: 0,
    accepted: 0,
    acceptedOnTime: 0,
    notAccepted: 0,
    replied: 0,
    repliedOnTime: 0,
    repliedLate: 0,
    closed: 0,
    rated: 0,
    satisfied: 0,
    closeDaysSum: 0,
    ...o,
  });
  it("withholds a rate whose numerator, denominator or difference is 1 or 2", () => {
    expect(publishCell(raw({ rated: 50, satisfied: 49 })).satisfactionRate).toBeNull();
    expect(publishCell(raw({ rated: 50, satisfied: 2 })).satisfactionRate).toBeNull();
    expect(publishCell(raw({ rated: 50, satisfied: 50 })).satisfactionRate).toBe(100);
    expect(publishCell(raw({ rated: 50, satisfied: 0 })).satisfactionRate).toBe(0);
    expect(publishCell(raw({ rated: 50, satisfied: 25 })).satisfactionRate).toBe(50);
    expect(publishCell(raw({ received: 1 })).received).toBeNull();
    expect(publishCell(raw({ received: 0 })).received).toBe(0);
    expect(publishCell(raw({ received: 3 })).received).toBe(3);
  });
  it("secondary suppression only when exactly one cell is withheld", () => {
    const cells = [raw({ received: 2 }), raw({ received: 4 }), raw({ received: 9 }), raw({})].map((r) => ({
      raw: r,
      out: publishCell(r),
    }));
    secondarySuppress(cells);
    expect(cells.map((c) => c.out.received)).toEqual([null, null, 9, 0]);
    const two = [raw({ received: 2 }), raw({ received: 1 }), raw({ received: 9 })].map((r) => ({
      raw: r,
      out: publishCell(r),
    }));
    secondarySuppress(two);
    expect(two.map((c) => c.out.received)).toEqual([null, null, 9]);
  });
});
