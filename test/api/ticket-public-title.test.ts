import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rows } from "../../db/client";
import { DEMO_OPEN311_KEY, seedOpen311Demo } from "../../seed/open311";
import { file, staff } from "../support/console";
import { testDatabase } from "../support/db";
import { api } from "../support/http";
import { o311 } from "../support/open311";

// A reporter's own title never goes out publicly: Open311 shows the kind and category, or a summary a
// handler or supervisor approved — with the reporter's name, phone and ID numbers taken out.

const NAME = "王小明";
const PHONE = "13611112222";
const ID = "370303199001011234";

async function publicList(): Promise<string> {
  const res = await o311("/requests.json");
  expect(res.status, res.text).toBe(200);
  return res.text;
}

describe("public ticket titles", () => {
  it("Open311 never shows the typed title; a staff summary is redacted against the reporter", async () => {
    const { db } = await testDatabase();
    await seedOpen311Demo(db);
    expect(DEMO_OPEN311_KEY).toBeTruthy();
    const { ticket } = await file({
      title: `我是${NAME}电话${PHONE}`,
      description: `身份证${ID}，补助没发。`,
      reporter: { anonymous: false, name: NAME, phone: PHONE, contact: "phone" },
    } as never);
    const before = await publicList();
    for (const leak of [NAME, PHONE, ID, "我是"]) expect(before).not.toContain(leak);
    expect(before).toContain("投诉·危房改造");

    const sup = await staff("supervisor", "city-hotline");
    const set = await sup.call(`/api/console/tickets/${ticket.number}/public-summary`, {
      method: "PUT",
      json: { publicSummary: `${NAME}反映危房改造补助未发放（电话 136-1111-2222，证件${ID}）` },
    });
    expect(set.status, set.text).toBe(200);
    expect(set.body.publicSummary).toBe("***反映危房改造补助未发放（电话 ***，证件***）");
    const [stored] = await rows<{ public_summary: string }>(
      db,
      sql`SELECT public_summary FROM tickets WHERE number = ${ticket.number}`,
    );
    expect(stored.public_summary).toBe(set.body.publicSummary);
    const after = await publicList();
    expect(after).toContain("反映危房改造补助未发放");
    for (const leak of [NAME, PHONE, ID, "1111-2222"]) expect(after).not.toContain(leak);
    const [audit] = await rows<{ actor_id: number }>(
      db,
      sql`SELECT actor_id FROM audit_log WHERE action = 'ticket.public_summary' AND subject_id = ${ticket.number}`,
    );
    expect(audit.actor_id).toBe(sup.id);

    // Clearing it falls back to the category title.
    const cleared = await sup.call(`/api/console/tickets/${ticket.number}/public-summary`, {
      method: "PUT",
      json: { publicSummary: "" },
    });
    expect(cleared.body).toEqual({ publicSummary: null, publicTitle: "投诉·危房改造" });
  });

  it("only handlers and supervisors who can see the ticket set it; none for a 举报", async () => {
    const { ticket } = await file();
    const op = await staff("operator", "city-hotline");
    const denied = await op.call(`/api/console/tickets/${ticket.number}/public-summary`, {
      method: "PUT",
      json: { publicSummary: "x" },
    });
    expect(denied.status).toBe(403);
    expect(
      (
        await api(`/api/console/tickets/${ticket.number}/public-summary`, {
          method: "PUT",
          json: { publicSummary: "x" },
        })
      ).status,
    ).toBe(401);
    const other = await staff("handler", "city-housing");
    const outOfScope = await other.call(`/api/console/tickets/${ticket.number}/public-summary`, {
      method: "PUT",
      json: { publicSummary: "x" },
    });
    expect(outOfScope.status).toBe(404);
    const report = await file({ kind: "report", category: "misconduct", title: "举报某人" } as never);
    const inspector = await staff("supervisor", "city-hotline");
    const refused = await inspector.call(`/api/console/tickets/${report.ticket.number}/public-summary`, {
      method: "PUT",
      json: { publicSummary: "有人挪用资金" },
    });
    expect([404, 409]).toContain(refused.status);
  });
});
