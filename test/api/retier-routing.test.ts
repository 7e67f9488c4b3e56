import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rows } from "../../db/client";
import { file, staff, ticketRow, unitId } from "../support/console";
import { testDatabase } from "../support/db";

// The tier decides who handles a ticket (I–II the city, III–IV the district). Raising or lowering it
// across that line routes the ticket again, and the timeline says where it went.

const act = (who: Awaited<ReturnType<typeof staff>>, n: string, action: string, json: object = {}) =>
  who.call(`/api/console/tickets/${n}/actions/${action}`, { method: "POST", json });

async function lastEvent(ticketId: number) {
  const { db } = await testDatabase();
  const [e] = await rows<{ action: string; note: string }>(
    db,
    sql`SELECT action, note FROM ticket_events WHERE ticket_id = ${ticketId} ORDER BY id DESC LIMIT 1`,
  );
  return e;
}

describe("re-tiering re-routes", () => {
  it("IV → II moves a district ticket to the city unit and the city supervisor, and back again", async () => {
    const { ticket } = await file();
    const n = ticket.number;
    const before = await ticketRow(n);
    expect(before).toMatchObject({ tier: "IV", handling_level: "district", routed_code: "gaoqing-housing" });
    expect(before.routing_reason).toContain("三、四级事项属地办理");

    const sup = await staff("supervisor", "city-hotline");
    const up = await act(sup, n, "retier", { tier: "II", reason: "涉及多个村、金额较大" });
    expect(up.status, up.text).toBe(200);
    const after = await ticketRow(n);
    expect(after).toMatchObject({
      tier: "II",
      handling_level: "city",
      routed_code: "city-housing",
      supervising_unit_id: await unitId("city-hotline"),
      supervising_level: "city",
    });
    expect(after.routing_reason).toContain("一、二级事项由市级办理");
    expect(after.routing_reason).not.toContain("属地办理");
    const event = await lastEvent(after.id);
    expect(event.note).toContain("等级 IV → II");
    expect(event.note).toContain("改由");
    expect(event.note).toContain("市级办理");

    // Within a level nothing moves.
    expect((await act(sup, n, "retier", { tier: "I", reason: "已有人员伤亡风险" })).status).toBe(200);
    expect(await ticketRow(n)).toMatchObject({ tier: "I", routed_code: "city-housing", handling_level: "city" });

    // Back down: to the district again.
    expect((await act(sup, n, "retier", { tier: "III", reason: "核实后范围较小" })).status).toBe(200);
    expect(await ticketRow(n)).toMatchObject({
      tier: "III",
      handling_level: "district",
      routed_code: "gaoqing-housing",
      supervising_unit_id: await unitId("gaoqing-fpb"),
    });
    const { db } = await testDatabase();
    const [audit] = await rows<{ details: { fromUnitId?: number; toUnitId?: number } }>(
      db,
      sql`SELECT details FROM audit_log WHERE action LIKE '%retier%' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit.details.toUnitId).toBe(await unitId("gaoqing-housing"));
  });
});
