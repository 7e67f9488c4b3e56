import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { verifyAuditChain } from "../../domain/audit/audit-log";
import { CASE_ACTIONS } from "../../domain/casework/actions";
import { runSweep } from "../../domain/casework/sweep";
import { TICKET_STATUSES, TRANSITIONS } from "../../domain/hotline/lifecycle";
import type { Items } from "../support/api-types";
import { exec, file, type Signed, staff, ticketRow, unitId } from "../support/console";
import { testDatabase } from "../support/db";
import { expectEnvelope } from "../support/http";

// ---------------------------------------------------------------------------------------------
// Role × endpoint × ticket matrix. Every test gets the same cast and the same tickets.
// ---------------------------------------------------------------------------------------------
type Who =
  | "citySupervisor"
  | "gaoqingSupervisor"
  | "zichuanSupervisor"
  | "gaoqingHousingHandler"
  | "cityHousingHandler"
  | "cityInspector"
  | "gaoqingInspector"
  | "operator"
  | "publisher"
  | "admin";
type Which = "housing" | "misconduct" | "aboutHousingUnit" | "aboutDistrictOffice" | "zichuanPhone";

let cast: Record<Who, Signed>;
let numbers: Record<Which, string>;

async function setup() {
  cast = {
    citySupervisor: await staff("supervisor", "city-hotline"),
    gaoqingSupervisor: await staff("supervisor", "gaoqing-fpb"),
    zichuanSupervisor: await staff("supervisor", "zichuan-fpb"),
    gaoqingHousingHandler: await staff("handler", "gaoqing-housing"),
    cityHousingHandler: await staff("handler", "city-housing"),
    cityInspector: await staff("inspector", "city-discipline"),
    gaoqingInspector: await staff("inspector", "gaoqing-discipline"),
    operator: await staff("operator", "city-hotline"),
    publisher: await staff("publisher", "city-fpb"),
    admin: await staff("admin", "city-hotline"),
  };
  const housing = await file();
  const misconduct = await file({
    kind: "report",
    category: "misconduct",
    title: "村干部优亲厚友",
    description: "村支书把低保名额给了亲戚。",
    reporter: { anonymous: false, name: "张三", phone: "13800000001", contact: "phone" },
  });
  const aboutHousingUnit = await file({
    title: "住建局不作为",
    subject: { unit: "高青县住房城乡建设局", person: null, post: null },
  });
  const aboutDistrictOffice = await file({
    category: "identification",
    title: "扶贫办识别不准",
    subject: { unit: "高青县扶贫办", person: null, post: null },
  });
  const zichuanPhone = await file(
    { district: "淄川区", title: "来电反映补助问题" },
    { operatorId: cast.operator.id, channel: "phone" },
  );
  numbers = {
    housing: housing.ticket.number,
    misconduct: misconduct.ticket.number,
    aboutHousingUnit: aboutHousingUnit.ticket.number,
    aboutDistrictOffice: aboutDistrictOffice.ticket.number,
    zichuanPhone: zichuanPhone.ticket.number,
  };
  // Dispatch the first three to their routed units (as the system would after acceptance).
  for (const n of [numbers.housing, numbers.aboutHousingUnit, numbers.misconduct]) {
    await exec(
      sql`UPDATE tickets SET status = 'dispatched', accepted_at = now(), dispatched_at = now(), return_due_on = CURRENT_DATE + 7 WHERE number = ${n}`,
    );
  }
}

// Who sees which ticket (everything else: 404 on detail and actions, absent from the list).
const VISIBLE: Record<Which, Who[]> = {
  housing: ["citySupervisor", "gaoqingSupervisor", "gaoqingHousingHandler"],
  misconduct: ["cityInspector", "gaoqingInspector"],
  // about 高青县住房城乡建设局: routed to the city bureau; the district bureau never sees it
  aboutHousingUnit: ["citySupervisor", "gaoqingSupervisor", "cityHousingHandler"],
  // about 高青县扶贫办 (the district supervisor's own unit): the district supervisor never sees it
  aboutDistrictOffice: ["citySupervisor"],
  zichuanPhone: ["citySupervisor", "zichuanSupervisor", "operator"],
};
const NO_CONSOLE: Who[] = ["publisher", "admin"];
const WHO = Object.keys({
  citySupervisor: 1,
  gaoqingSupervisor: 1,
  zichuanSupervisor: 1,
  gaoqingHousingHandler: 1,
  cityHousingHandler: 1,
  cityInspector: 1,
  gaoqingInspector: 1,
  operator: 1,
  publisher: 1,
  admin: 1,
}) as Who[];
const WHICH = Object.keys(VISIBLE) as Which[];

describe("access rules", () => {
  beforeEach(setup);

  it("routes the fixtures as the matrix assumes", async () => {
    expect((await ticketRow(numbers.housing)).routed_code).toBe("gaoqing-housing");
    expect((await ticketRow(numbers.misconduct)).routed_code).toMatch(/discipline$/);
    expect((await ticketRow(numbers.misconduct)).routed_code).toBe("gaoqing-discipline");
    expect((await ticketRow(numbers.aboutHousingUnit)).routed_code).toBe("city-housing");
    expect((await ticketRow(numbers.aboutHousingUnit)).subject_unit_id).toBe(await unitId("gaoqing-housing"));
    expect((await ticketRow(numbers.aboutDistrictOffice)).subject_unit_id).toBe(await unitId("gaoqing-fpb"));
  });

  describe.each(WHO)("%s", (who) => {
    it.each(WHICH)("ticket %s: list, detail and action agree with the rules", async (which) => {
      const me = cast[who];
      const n = numbers[which];
      const list = await me.call(`/api/console/tickets?status=all`);
      const detail = await me.call(`/api/console/tickets/${n}`);
      const note = await me.call(`/api/console/tickets/${n}/actions/note`, {
        method: "POST",
        json: { reason: "矩阵测试" },
      });
      if (NO_CONSOLE.includes(who)) {
        expect([list.status, detail.status, note.status]).toEqual([403, 403, 403]);
        return;
      }
      expect(list.status).toBe(200);
      const listed = list.body.items.some((i: { number: string }) => i.number === n);
      const visible = VISIBLE[which].includes(who);
      expect(listed, "listed").toBe(visible);
      expect(detail.status, "detail").toBe(visible ? 200 : 404);
      expect(note.status, "note").toBe(visible ? 200 : 404);
      // Counts never include what the person cannot see.
      expect(list.body.counts.total).toBe(WHICH.filter((w) => VISIBLE[w].includes(who)).length);
    });
  });

  it("a unit never sees a ticket about itself, even if it was dispatched to it", async () => {
    const sup = cast.citySupervisor;
    const n = numbers.aboutHousingUnit;
    // The state machine allows dispatch here, but not to the unit the ticket is about.
    await exec(sql`UPDATE tickets SET status = 'returned' WHERE number = ${n}`);
    const r = await sup.call(`/api/console/tickets/${n}/actions/dispatch`, {
      method: "POST",
      json: { unitId: await unitId("gaoqing-housing") },
    });
    expect(r.status).toBe(409);
    expect(expectEnvelope(r.body).message).toContain("回避");
    // Forced in the database: still invisible to that unit.
    await exec(
      sql`UPDATE tickets SET routed_unit_id = ${await unitId("gaoqing-housing")}, status = 'dispatched' WHERE number = ${n}`,
    );
    const h = cast.gaoqingHousingHandler;
    expect((await h.call(`/api/console/tickets/${n}`)).status).toBe(404);
    expect(
      (await h.call<Items<{ number: string }>>("/api/console/tickets?status=all")).body.items.map((i) => i.number),
    ).not.toContain(n);
    expect(
      (await h.call(`/api/console/tickets/${n}/actions/reply`, { method: "POST", json: { reason: "x" } })).status,
    ).toBe(404);
  });

  it("only discipline inspection, or the handling unit of a consenting real-name reporter, may reveal an identity", async () => {
    const n = numbers.misconduct;
    const refused = await cast.cityInspector.call(`/api/console/tickets/${n}/reveal`, {
      method: "POST",
      json: { reason: "" },
    });
    expect(refused.status).toBe(400);
    const r = await cast.cityInspector.call(`/api/console/tickets/${n}/reveal`, {
      method: "POST",
      json: { reason: "核查线索需联系举报人" },
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ name: "张三", phone: "13800000001", contact: "phone" });
    const [a] = await exec<{ actor_id: number; details: { reason: string } }>(
      sql`SELECT actor_id, details FROM audit_log WHERE action = 'ticket.identity.reveal'`,
    );
    expect(a.actor_id).toBe(cast.cityInspector.id);
    expect(a.details.reason).toBe("核查线索需联系举报人");
    // Supervisors may not (and do not even see the discipline case).
    expect(
      (await cast.citySupervisor.call(`/api/console/tickets/${n}/reveal`, { method: "POST", json: { reason: "x" } }))
        .status,
    ).toBe(404);
    // An anonymous ticket has nothing to reveal; a handler of a non-consenting/anonymous ticket is refused.
    const h = await cast.gaoqingHousingHandler.call(`/api/console/tickets/${numbers.housing}/reveal`, {
      method: "POST",
      json: { reason: "联系" },
    });
    expect(h.status).toBe(403);
    const real = await file({ reporter: { anonymous: false, name: "李四", phone: "13900000002", contact: "phone" } });
    await exec(
      sql`UPDATE tickets SET status = 'dispatched', dispatched_at = now() WHERE number = ${real.ticket.number}`,
    );
    const ok = await cast.gaoqingHousingHandler.call(`/api/console/tickets/${real.ticket.number}/reveal`, {
      method: "POST",
      json: { reason: "电话回访" },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.name).toBe("李四");
    expect(await verifyAuditChain((await testDatabase()).db)).toMatchObject({ ok: true });
  });
});

// ---------------------------------------------------------------------------------------------
// The lifecycle through the console: every action validated by the one state machine.
// ---------------------------------------------------------------------------------------------
describe("casework actions", () => {
  let sup: Signed;
  let handler: Signed;
  let inspector: Signed;
  beforeEach(async () => {
    sup = await staff("supervisor", "city-hotline");
    handler = await staff("handler", "gaoqing-housing");
    inspector = await staff("inspector", "city-discipline");
  });
  const act = (who: Signed, n: string, action: string, json: object = {}) =>
    who.call(`/api/console/tickets/${n}/actions/${action}`, { method: "POST", json });

  it("accept → retier → dispatch → return → re-dispatch → start → reply → reopen on dissatisfied → close, one transaction each", async () => {
    const { ticket } = await file();
    const n = ticket.number;
    expect((await act(sup, n, "accept")).body.status).toBe("accepted");
    expect((await act(sup, n, "retier", { tier: "III", reason: "涉及多户" })).status).toBe(200);
    expect((await ticketRow(n)).tier).toBe("III");
    expect((await act(sup, n, "dispatch", { unitId: await unitId("gaoqing-housing") })).body.status).toBe("dispatched");
    const detail = await handler.call(`/api/console/tickets/${n}`);
    expect(detail.body.actions).toEqual(expect.arrayContaining(["return", "start", "reply", "note", "message"]));
    expect(detail.body.actions).not.toContain("accept");
    expect((await act(handler, n, "return", { reason: "不属于本单位职责" })).body.status).toBe("returned");
    // Returned: the handler no longer may act; the supervisor re-dispatches.
    expect((await act(handler, n, "reply", { reason: "x" })).status).toBe(409);
    const same = await act(sup, n, "dispatch", { unitId: await unitId("gaoqing-housing") });
    expect(same.status).toBe(409);
    expect(expectEnvelope(same.body).message).toContain("改派");
    const civil = await staff("handler", "gaoqing-civil");
    expect((await act(sup, n, "dispatch", { unitId: await unitId("gaoqing-civil") })).body.status).toBe("dispatched");
    expect((await handler.call(`/api/console/tickets/${n}`)).status).toBe(404);
    expect((await act(civil, n, "start")).body.status).toBe("handling");
    expect((await act(civil, n, "message", { reason: "请提供申请时间" })).status).toBe(200);
    expect((await act(civil, n, "note", { reason: "内部：已联系村委" })).status).toBe(200);
    expect((await act(civil, n, "reply", { reason: "补助已于本月发放" })).body.status).toBe("replied");
    // Reopen only after a dissatisfied rating.
    const early = await act(sup, n, "request_reopen", { reason: "复查" });
    expect(early.status).toBe(409);
    expect(expectEnvelope(early.body).message).toContain("不满意");
    await exec(sql`UPDATE tickets SET status = 'rated', rating = 'dissatisfied', rated_at = now() WHERE number = ${n}`);
    expect((await act(sup, n, "request_reopen", { reason: "反映人不满意，重新办理" })).body.status).toBe("reopened");
    expect((await act(sup, n, "dispatch")).body.status).toBe("dispatched");
    expect((await act(civil, n, "reply", { reason: "已重新核实并发放" })).body.status).toBe("replied");
    expect((await act(sup, n, "close")).body.status).toBe("closed");

    const t = await ticketRow(n);
    const events = await exec(
      sql`SELECT action, visibility FROM ticket_events WHERE ticket_id = ${t.id} AND actor_kind = 'staff' ORDER BY id`,
    );
    const audits = await exec<{ action: string }>(
      sql`SELECT action FROM audit_log WHERE subject_type = 'ticket' AND subject_id = ${n} ORDER BY id`,
    );
    expect(events.map((e) => e.action)).toEqual(audits.map((a) => a.action.replace("ticket.", "")));
    expect(events.find((e) => e.action === "note")?.visibility).toBe("internal");
    expect(events.find((e) => e.action === "return")?.visibility).toBe("internal");
    expect(events.find((e) => e.action === "reply")?.visibility).toBe("public");
    const notes = await exec(sql`SELECT template, recipient FROM notification_outbox ORDER BY id`);
    expect(notes.map((x) => x.template)).toContain("ticket.dispatched");
    expect(notes.map((x) => x.template)).toContain("ticket.returned");
    const messages = await exec(sql`SELECT author, body FROM ticket_messages WHERE ticket_id = ${t.id}`);
    expect(messages).toEqual([{ author: "handler", body: "请提供申请时间" }]);
    expect(await verifyAuditChain((await testDatabase()).db)).toMatchObject({ ok: true });
  });

  it("a failed action leaves no trace (no event, audit or notification)", async () => {
    const { ticket } = await file();
    await act(sup, ticket.number, "accept");
    const before = await exec(
      sql`SELECT (SELECT count(*) FROM ticket_events)::int AS e, (SELECT count(*) FROM audit_log)::int AS a, (SELECT count(*) FROM notification_outbox)::int AS n`,
    );
    const r = await act(sup, ticket.number, "dispatch", { unitId: 999999 });
    expect(r.status).toBe(400);
    const after = await exec(
      sql`SELECT (SELECT count(*) FROM ticket_events)::int AS e, (SELECT count(*) FROM audit_log)::int AS a, (SELECT count(*) FROM notification_outbox)::int AS n`,
    );
    expect(after).toEqual(before);
  });

  it("extends once, by at most 30 days, with a public reason; returns only within 5 working days", async () => {
    const { ticket } = await file();
    const n = ticket.number;
    await act(sup, n, "accept");
    const due = (await ticketRow(n)).handle_due_on;
    expect((await act(sup, n, "extend", { days: 31, reason: "x" })).status).toBe(400);
    expect((await act(sup, n, "extend", { days: 20 })).status).toBe(400);
    expect((await act(sup, n, "extend", { days: 20, reason: "需现场勘验" })).status).toBe(200);
    const t = await ticketRow(n);
    expect(t.extended_days).toBe(20);
    expect(String(t.handle_due_on) > String(due) || new Date(t.handle_due_on) > new Date(due)).toBe(true);
    const ev = await exec(
      sql`SELECT visibility, note FROM ticket_events WHERE ticket_id = ${t.id} AND action = 'extend'`,
    );
    expect(ev[0].visibility).toBe("public");
    expect(ev[0].note).toContain("需现场勘验");
    const twice = await act(sup, n, "extend", { days: 5, reason: "再延" });
    expect(twice.status).toBe(409);
    expect(expectEnvelope(twice.body).message).toContain("只能延长一次");
    // Handlers cannot approve extensions.
    await act(sup, n, "dispatch", { unitId: await unitId("gaoqing-housing") });
    expect((await act(handler, n, "extend", { days: 5, reason: "x" })).status).toBe(403);
    // 退单 window passed.
    await exec(sql`UPDATE tickets SET return_due_on = CURRENT_DATE - 1 WHERE number = ${n}`);
    const late = await act(handler, n, "return", { reason: "不属于本单位" });
    expect(late.status).toBe(409);
    expect(expectEnvelope(late.body).message).toContain("5 个工作日");
  });

  it("merges a duplicate into another ticket", async () => {
    const a = await file();
    const b = await file({ title: "危房改造补助迟迟未发放（重复）" });
    const detail = await sup.call<{ related: { number: string }[] }>(`/api/console/tickets/${b.ticket.number}`);
    expect(detail.body.related.map((r) => r.number)).toContain(a.ticket.number);
    const r = await act(sup, b.ticket.number, "merge", { intoNumber: a.ticket.number, reason: "同一事项" });
    expect(r.body.status).toBe("merged");
    expect((await ticketRow(b.ticket.number)).merged_into_id).toBe((await ticketRow(a.ticket.number)).id);
    expect((await act(sup, b.ticket.number, "accept")).status).toBe(409);
  });

  // Every (status, action) pair the state machine forbids is a 409 with the reason.
  const illegal = TICKET_STATUSES.flatMap((status) =>
    CASE_ACTIONS.filter((a) => !(TRANSITIONS[a].from as readonly string[]).includes(status)).map(
      (a) => [status, a] as const,
    ),
  );
  it(`refuses all ${illegal.length} illegal (status, action) pairs with 409 and the reason`, async () => {
    // The city inspector may take every action on a discipline case, so only the state machine refuses.
    const { ticket } = await file({
      kind: "report",
      category: "misconduct",
      title: "干部吃拿卡要",
      description: "某站所干部收受好处。",
    });
    const n = ticket.number;
    const body = {
      reason: "理由",
      days: 5,
      tier: "II",
      intoNumber: "ZB-2026-999999",
      unitId: await unitId("city-discipline"),
    };
    for (const [status, action] of illegal) {
      await exec(
        sql`UPDATE tickets SET status = ${status}, dispatched_at = now(), accepted_at = now(), rating = 'dissatisfied' WHERE number = ${n}`,
      );
      const r = await act(inspector, n, action, body);
      expect(r.status, `${action} from ${status}`).toBe(409);
      expect(expectEnvelope(r.body).code).toBe("INVALID_TRANSITION");
      expect(expectEnvelope(r.body).message).toContain("不能执行");
    }
    expect((await exec(sql`SELECT count(*)::int AS n FROM audit_log WHERE subject_id = ${n}`))[0].n).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Staff intake
// ---------------------------------------------------------------------------------------------
describe("staff intake", () => {
  const ticket = {
    kind: "complaint",
    category: "employment",
    title: "公益岗位工资拖欠",
    description: "来电反映公益岗位工资三个月未发。",
    district: "沂源县",
    reporter: { anonymous: true },
  };
  it("records a phone call through the same filing, with the operator", async () => {
    const op = await staff("operator", "city-hotline");
    const r = await op.call("/api/console/intake", { method: "POST", json: { channel: "phone", ticket } });
    expect(r.status).toBe(201);
    const t = await ticketRow(r.body.number);
    expect(t).toMatchObject({ channel: "phone", operator_id: op.id, status: "received", routed_code: "yiyuan-hrss" });
    expect(r.body.receipt).toMatch(/\S{10,}/);
    expect((await exec(sql`SELECT action FROM audit_log`)).map((a) => a.action)).toContain("ticket.intake");
  });
  it("needs the source link and a real screenshot for a public-opinion item", async () => {
    const op = await staff("operator", "city-hotline");
    const noLink = await op.call("/api/console/intake", { method: "POST", json: { channel: "media", ticket } });
    expect(noLink.status).toBe(400);
    expect(expectEnvelope(noLink.body).details).toEqual([expect.objectContaining({ path: "sourceUrl" })]);
    const fake = await op.call("/api/console/intake", {
      method: "POST",
      json: {
        channel: "media",
        ticket,
        sourceUrl: "https://weibo.com/1",
        screenshotBase64: Buffer.from("not an image").toString("base64"),
      },
    });
    expect(fake.status).toBe(400);
    const png = Buffer.from(
      "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f7d2c50000000049454e44ae426082",
      "hex",
    );
    const ok = await op.call("/api/console/intake", {
      method: "POST",
      json: { channel: "media", ticket, sourceUrl: "https://weibo.com/1234", screenshotBase64: png.toString("base64") },
    });
    expect(ok.status).toBe(201);
    const [m] = await exec(sql`SELECT source_url, screenshot_type FROM ticket_media_sources`);
    expect(m).toEqual({ source_url: "https://weibo.com/1234", screenshot_type: "image/png" });
    const handler = await staff("handler", "yiyuan-hrss");
    expect(
      (await handler.call("/api/console/intake", { method: "POST", json: { channel: "phone", ticket } })).status,
    ).toBe(403);
  });
});

// ---------------------------------------------------------------------------------------------
// Deadline sweep
// ---------------------------------------------------------------------------------------------
describe("deadline sweep", () => {
  it("reminds and escalates once, even when two sweeps run at the same time", async () => {
    const overdue = await file();
    const soon = await file({ title: "即将到期" });
    const later = await file({ title: "还早" });
    const done = await file({ title: "已办结" });
    await exec(sql`UPDATE tickets SET accept_due_on = CURRENT_DATE - 2 WHERE number = ${overdue.ticket.number}`);
    await exec(sql`UPDATE tickets SET accept_due_on = CURRENT_DATE + 1 WHERE number = ${soon.ticket.number}`);
    await exec(sql`UPDATE tickets SET accept_due_on = CURRENT_DATE + 20 WHERE number = ${later.ticket.number}`);
    await exec(
      sql`UPDATE tickets SET accept_due_on = CURRENT_DATE - 5, status = 'closed' WHERE number = ${done.ticket.number}`,
    );
    const { db } = await testDatabase();
    const [a, b] = await Promise.all([runSweep(db), runSweep(db)]);
    expect(a.escalated + b.escalated).toBe(1);
    expect(a.reminded + b.reminded).toBe(1);
    const snapshot = async () =>
      exec(sql`SELECT (SELECT count(*) FROM ticket_events WHERE actor_kind = 'system' AND action IN ('remind','escalate'))::int AS events,
                      (SELECT count(*) FROM notification_outbox)::int AS notes,
                      (SELECT count(*) FROM audit_log)::int AS audits,
                      (SELECT count(*) FROM ticket_sweep_marks)::int AS marks`);
    const first = await snapshot();
    expect(first[0]).toEqual({ events: 2, notes: 4, audits: 2, marks: 2 });
    const again = await runSweep(db);
    expect(again).toMatchObject({ reminded: 0, escalated: 0 });
    expect(await snapshot()).toEqual(first);
    expect((await ticketRow(overdue.ticket.number)).escalated_at).not.toBeNull();
    expect((await ticketRow(soon.ticket.number)).escalated_at).toBeNull();
    const recipients = (
      await exec(sql`SELECT recipient FROM notification_outbox WHERE template = 'ticket.escalated' ORDER BY recipient`)
    ).map((r) => r.recipient);
    expect(recipients).toHaveLength(3);
    // A new deadline (after an extension) is a new reminder.
    await exec(sql`UPDATE tickets SET accept_due_on = CURRENT_DATE + 2 WHERE number = ${soon.ticket.number}`);
    expect((await runSweep(db)).reminded).toBe(1);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });
});

describe("reporter notifications", () => {
  it("texts a consenting real-name reporter on reply without storing the phone in the outbox", async () => {
    const sup = await staff("supervisor", "city-hotline");
    const handler = await staff("handler", "gaoqing-housing");
    const { ticket } = await file({
      reporter: { anonymous: false, name: "王五", phone: "13700000003", contact: "sms" },
    });
    const anon = await file({ title: "匿名件" });
    for (const n of [ticket.number, anon.ticket.number]) {
      await sup.call(`/api/console/tickets/${n}/actions/accept`, { method: "POST", json: {} });
      await sup.call(`/api/console/tickets/${n}/actions/dispatch`, { method: "POST", json: {} });
      await handler.call(`/api/console/tickets/${n}/actions/reply`, { method: "POST", json: { reason: "已办理" } });
    }
    const sms = await exec(sql`SELECT recipient, template FROM notification_outbox WHERE channel = 'sms' ORDER BY id`);
    const id = (await ticketRow(ticket.number)).id;
    expect(sms).toEqual([
      { recipient: `reporter:${id}`, template: "reporter.accepted" },
      { recipient: `reporter:${id}`, template: "reporter.replied" },
    ]);
    const sent: string[] = [];
    const { db } = await testDatabase();
    const { drainOutbox } = await import("../../domain/notifications/outbox");
    await drainOutbox(db, { transports: { sms: async (m) => void sent.push(m.recipient), staff: async () => {} } });
    expect(sent).toEqual(["13700000003", "13700000003"]);
    expect(
      (await exec(sql`SELECT count(*)::int AS n FROM notification_outbox WHERE recipient LIKE '%13700000003%'`))[0].n,
    ).toBe(0);
  });
});
