import { sql } from "drizzle-orm";
import { type Db, rows } from "../db/client";
import { principalOf } from "../domain/auth/session";
import { addEvidence, createEntry, signOff } from "../domain/ledger/entries";

// Demo ledger entries (DEMO ONLY, is_demo = true), made through the ledger's own verbs by the demo
// supervisors (seed/console.ts): one signed off, one rectifying, one open and overdue, one
// from an accepted demo ticket. Idempotent: does nothing once any demo entry exists.
export async function seedLedgerDemo(db: Db) {
  const [{ n }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM ledger_entries WHERE is_demo`);
  if (n > 0) return;
  const users = await rows<{ id: number; username: string }>(
    db,
    sql`SELECT id, username FROM users WHERE is_demo AND username IN ('duban', 'duban.gaoqing')`,
  );
  const city = users.find((u) => u.username === "duban");
  const gaoqing = users.find((u) => u.username === "duban.gaoqing");
  if (!city || !gaoqing) return; // the console's demo accounts are not there
  const sup = await principalOf(db, city.id);
  const gq = await principalOf(db, gaoqing.id);

  const audited = await createEntry(db, sup, {
    source: "audit",
    responsibleUnit: "gaoqing-fpb",
    title: "扶贫项目资产未登记入账",
    description: "审计发现黑里寨镇 2 个扶贫大棚项目竣工后未办理资产移交，未纳入资产登记管理台账。",
    measures: "办理资产移交手续，建立资产登记管理台账，明确管护主体和收益分配方案。",
    deadline: "2026-05-31",
    isDemo: true,
  });
  await addEvidence(db, gq, audited.id, {
    body: "已完成 2 个项目资产移交，资产登记台账已建立并经镇村公示。",
    attachments: ["资产移交清单.pdf", "公示照片.jpg"],
  });
  await signOff(db, sup, audited.id, { note: "经现场核查，整改到位。" });

  const inspected = await createEntry(db, gq, {
    source: "inspection",
    responsibleUnit: "gaoqing-housing",
    title: "危房改造档案资料不全",
    description: "巡察发现部分危房改造户缺少改造前后照片和验收记录。",
    measures: "逐户补齐改造前后照片、鉴定和验收资料。",
    deadline: "2026-06-20",
    isDemo: true,
  });
  void inspected;

  await createEntry(db, sup, {
    source: "inspection",
    responsibleUnit: "city-fpb",
    title: "帮扶责任人走访记录流于形式",
    description: "督查发现部分帮扶责任人走访记录内容雷同。",
    measures: "组织复核走访记录，对形式主义问题约谈提醒。",
    deadline: "2027-04-30",
    isDemo: true,
  });

  // From an accepted demo ticket, if the hotline demo has one the city supervisor can see.
  const [ticket] = await rows<{ number: string }>(
    db,
    sql`SELECT number FROM tickets WHERE is_demo AND status IN ('accepted', 'dispatched', 'handling', 'replied')
          AND category_code <> 'misconduct' ORDER BY id LIMIT 1`,
  );
  if (ticket) {
    await createEntry(db, sup, {
      source: "ticket",
      ticketNumber: ticket.number,
      description: "群众反映问题经核实属实。",
      measures: "责任单位限期整改并向反映人答复。",
      deadline: "2027-01-15",
      isDemo: true,
    }).catch(() => {}); // a ticket about the supervisor's own unit is out of their scope: skip it
  }
}
