import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { verifyAuditChain } from "../../domain/audit/audit-log";
import type { Items, KeyRow } from "../support/api-types";
import { exec, file, type Signed, staff } from "../support/console";
import { testDatabase } from "../support/db";
import { expectEnvelope } from "../support/http";

// The problem ledger (台账 · 整改销号): who may create, give evidence, sign off and reopen.

/** An entry's page: its evidence and its history. */
interface LedgerDetail {
  evidence: { current: boolean }[];
  events: { action: string; ticketNumber?: string }[];
}
type LevelTotal = KeyRow & { total: number };

let city: Signed;
let gaoqingSup: Signed;
let zichuanSup: Signed;
let housingHandler: Signed;
let otherHandler: Signed;
let publisher: Signed;

async function acceptedTicket(over: Record<string, unknown> = {}) {
  const { ticket } = await file(over as never);
  await exec(
    sql`UPDATE tickets SET status = 'dispatched', accepted_at = now(), dispatched_at = now() WHERE id = ${ticket.id}`,
  );
  return ticket.number as string;
}

const create = (who: Signed, json: object) => who.call("/api/ledger", { method: "POST", json });
const post = (who: Signed, id: number, what: string, json: object = {}) =>
  who.call(`/api/ledger/${id}/${what}`, { method: "POST", json });

beforeEach(async () => {
  city = await staff("supervisor", "city-hotline");
  gaoqingSup = await staff("supervisor", "gaoqing-fpb");
  zichuanSup = await staff("supervisor", "zichuan-fpb");
  housingHandler = await staff("handler", "gaoqing-housing");
  otherHandler = await staff("handler", "gaoqing-edu");
  publisher = await staff("publisher", "city-fpb");
});

describe("ledger entries from tickets", () => {
  it("a supervisor turns an accepted ticket into an entry for the handling unit; audited", async () => {
    const n = await acceptedTicket();
    const r = await create(city, {
      source: "ticket",
      ticketNumber: n,
      description: "补助资金未按期发放到户",
      measures: "核查名单，十日内发放到户并公示",
      deadline: "2026-05-15",
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      source: "ticket",
      ticketNumber: n,
      status: "open",
      level: "district",
      deadline: "2026-05-15",
      title: "危房改造补助迟迟未发放",
    });
    expect(r.body.responsibleUnit.code).toBe("gaoqing-housing");
    expect(r.body.number).toMatch(/^TZ-\d{4}-\d{5}$/);
    const audit = await exec(sql`SELECT actor_id, details FROM audit_log WHERE action = 'ledger.create'`);
    expect(audit).toHaveLength(1);
    expect(audit[0].actor_id).toBe(city.id);
    // The same ticket cannot be entered twice while the entry is open.
    const again = await create(city, {
      source: "ticket",
      ticketNumber: n,
      description: "x",
      measures: "y",
      deadline: "2026-05-15",
    });
    expect(again.status).toBe(409);
  });

  it("refuses a ticket that was not accepted (409), unknown tickets (400), handlers and publishers (403)", async () => {
    const { ticket } = await file();
    const body = {
      source: "ticket",
      ticketNumber: ticket.number,
      description: "d",
      measures: "m",
      deadline: "2026-05-01",
    };
    const r = await create(city, body);
    expect(r.status).toBe(409);
    expect(expectEnvelope(r.body).message).toContain("已受理");
    const missing = await create(city, { ...body, ticketNumber: "ZB-2026-999999" });
    expect(missing.status).toBe(400);
    expect((await create(housingHandler, body)).status).toBe(403);
    expect((await create(publisher, body)).status).toBe(403);
    const noDeadline = await create(city, {
      source: "audit",
      description: "d",
      measures: "m",
      responsibleUnit: "gaoqing-housing",
    });
    expect(noDeadline.status).toBe(400);
    expect(expectEnvelope(noDeadline.body).message).toContain("整改期限");
    // A district supervisor's remit is their district.
    const outside = await create(zichuanSup, {
      source: "audit",
      responsibleUnit: "gaoqing-housing",
      title: "审计问题",
      description: "d",
      measures: "m",
      deadline: "2026-05-01",
    });
    expect(outside.status).toBe(403);
  });
});

describe("evidence, sign-off, reopen", () => {
  async function entry() {
    const n = await acceptedTicket();
    const r = await create(city, {
      source: "ticket",
      ticketNumber: n,
      description: "补助资金未按期发放到户",
      measures: "十日内发放到户",
      deadline: "2026-06-10",
    });
    return r.body.id as number;
  }

  it("no sign-off without evidence: 409 with the reason, nothing changes", async () => {
    const id = await entry();
    const r = await post(city, id, "sign-off", { note: "同意销号" });
    expect(r.status).toBe(409);
    const err = expectEnvelope(r.body);
    expect(err.message).toContain("尚无整改证据");
    expect(err.details).toEqual({ reason: "no_evidence" });
    const [row] = await exec(sql`SELECT status, signed_off_at FROM ledger_entries WHERE id = ${id}`);
    expect(row).toMatchObject({ status: "open", signed_off_at: null });
    expect(await exec(sql`SELECT 1 FROM audit_log WHERE action = 'ledger.sign_off'`)).toHaveLength(0);
  });

  it("only the responsible unit gives evidence; only the supervising level signs off", async () => {
    const id = await entry();
    expect((await post(otherHandler, id, "evidence", { body: "别的单位" })).status).toBe(403);
    expect((await post(housingHandler, id, "evidence", { body: "" })).status).toBe(400);
    const ev = await post(housingHandler, id, "evidence", {
      body: "已将补助 12,000 元发放到户，附发放凭证。",
      attachments: ["发放凭证.pdf"],
    });
    expect(ev.status).toBe(200);
    expect(ev.body.status).toBe("rectifying");
    // The responsible unit cannot sign itself off; a same-level district supervisor is not "above" a
    // district unit; another district's supervisor is not its supervisor either.
    expect((await post(housingHandler, id, "sign-off")).status).toBe(403);
    expect((await post(gaoqingSup, id, "sign-off")).status).toBe(403);
    expect((await post(zichuanSup, id, "sign-off")).status).toBe(403);
    const ok = await post(city, id, "sign-off", { note: "经核查已整改到位" });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: "signed_off", signOffNote: "经核查已整改到位" });
    expect((await post(city, id, "sign-off")).status).toBe(409);
    // Evidence after sign-off is refused until reopened.
    expect((await post(housingHandler, id, "evidence", { body: "补充" })).status).toBe(409);
    const detail = await housingHandler.call<LedgerDetail>(`/api/ledger/${id}`);
    expect(detail.body.evidence[0]).toMatchObject({ attachments: ["发放凭证.pdf"], current: true });
    expect(detail.body.events.map((e) => e.action)).toEqual(["create", "evidence", "sign_off"]);
    const audits = await exec(sql`SELECT action FROM audit_log WHERE subject_type = 'ledger_entry' ORDER BY id`);
    expect(audits.map((a) => a.action)).toEqual(["ledger.create", "ledger.evidence", "ledger.sign_off"]);
    expect(await verifyAuditChain((await testDatabase()).db)).toMatchObject({ ok: true });
  });

  it("a district supervisor signs off a town unit of their district", async () => {
    const [town] = await exec<{ code: string }>(
      sql`SELECT u.code FROM units u JOIN districts d ON d.id = u.district_id WHERE d.code = 'gaoqing' AND u.level = 'town' ORDER BY u.id LIMIT 1`,
    );
    const r = await create(gaoqingSup, {
      source: "inspection",
      responsibleUnit: town.code,
      title: "扶贫资产台账不全",
      description: "巡察发现镇扶贫资产未登记",
      measures: "建立资产登记管理台账",
      deadline: "2026-04-30",
    });
    expect(r.status).toBe(201);
    expect(r.body.level).toBe("town");
    const townStaff = await staff("handler", town.code);
    expect((await post(townStaff, r.body.id, "evidence", { body: "已建立台账" })).status).toBe(200);
    expect((await post(zichuanSup, r.body.id, "sign-off")).status).toBe(403);
    expect((await post(gaoqingSup, r.body.id, "sign-off")).status).toBe(200);
  });

  it("a later ticket reopens a signed-off entry; sign-off then needs fresh evidence", async () => {
    const id = await entry();
    await post(housingHandler, id, "evidence", { body: "已整改" });
    await post(city, id, "sign-off");
    const later = await acceptedTicket({ title: "补助又没发" });
    // Only signed-off entries matching the ticket are offered.
    const candidates = await city.call<Items<{ id: number }>>(`/api/ledger/recurrence/${later}`);
    expect(candidates.body.items.map((e) => e.id)).toContain(id);
    expect((await post(housingHandler, id, "reopen", { ticketNumber: later })).status).toBe(403);
    const bad = await post(city, id, "reopen", { ticketNumber: "bad" });
    expect(bad.status).toBe(400);
    const r = await post(city, id, "reopen", { ticketNumber: later, note: "群众再次反映" });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: "reopened", reopenedCount: 1, signedOffAt: null });
    expect((await post(city, id, "reopen", { ticketNumber: later })).status).toBe(409);
    // Old evidence no longer counts.
    const refused = await post(city, id, "sign-off");
    expect(refused.status).toBe(409);
    expect((await post(housingHandler, id, "evidence", { body: "再次整改并回访" })).status).toBe(200);
    expect((await post(city, id, "sign-off")).status).toBe(200);
    const detail = await city.call<LedgerDetail>(`/api/ledger/${id}`);
    expect(detail.body.events.find((e) => e.action === "reopen")?.ticketNumber).toBe(later);
    expect(detail.body.evidence.map((e) => e.current)).toEqual([false, true]);
  });
});

describe("views and export", () => {
  it("lists per level and unit, the Q2 view, and the CSV with a BOM; scoped by role", async () => {
    const mk = (unit: string, deadline: string) =>
      create(city, {
        source: "audit",
        responsibleUnit: unit,
        title: `审计-${unit}-${deadline}`,
        description: "d",
        measures: "m",
        deadline,
      });
    const a = await mk("gaoqing-housing", "2026-05-20");
    await mk("gaoqing-edu", "2026-08-01");
    await mk("zichuan-housing", "2026-04-02");
    await mk("city-housing", "2025-05-01");
    const q2 = await city.call<Items<{ title: string }>>("/api/ledger?q2=2026");
    expect(q2.status).toBe(200);
    expect(q2.body.items.map((e) => e.title).sort()).toEqual([
      "审计-gaoqing-housing-2026-05-20",
      "审计-zichuan-housing-2026-04-02",
    ]);
    // An entry signed off in Q2 shows in that year's Q2 view even when due later.
    const late = await mk("gaoqing-edu", "2026-09-30");
    await exec(
      sql`UPDATE ledger_entries SET status = 'signed_off', signed_off_at = '2026-06-15T10:00:00+08:00' WHERE id = ${late.body.id}`,
    );
    expect((await city.call("/api/ledger?q2=2026")).body.items).toHaveLength(3);
    const all = await city.call<{ summary: Record<"byLevel" | "byUnit", LevelTotal[]> }>("/api/ledger");
    expect(all.body.summary.byLevel.map((l) => [l.key, l.total])).toEqual([
      ["city", 1],
      ["district", 4],
    ]);
    expect(all.body.summary.byUnit.find((u) => u.key === "gaoqing-edu")?.total).toBe(2);
    expect((await city.call("/api/ledger?level=city")).body.items).toHaveLength(1);
    expect((await city.call("/api/ledger?unit=gaoqing-housing")).body.items[0].id).toBe(a.body.id);
    expect((await city.call("/api/ledger?q2=20x6")).status).toBe(400);
    expect((await city.call("/api/ledger?status=done")).status).toBe(400);
    // Scope: a district supervisor sees their district; a handler their unit; a publisher nothing.
    expect((await gaoqingSup.call("/api/ledger")).body.items).toHaveLength(3);
    expect((await housingHandler.call("/api/ledger")).body.items).toHaveLength(1);
    expect((await publisher.call("/api/ledger")).status).toBe(403);
    expect((await zichuanSup.call(`/api/ledger/${a.body.id}`)).status).toBe(404);

    const csv = await city.call("/api/ledger.csv?q2=2026");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const { app } = await import("../../api/app");
    const raw = new Uint8Array(
      await (await app.request("/api/ledger.csv?q2=2026", { headers: { cookie: city.cookie } })).arrayBuffer(),
    );
    expect([...raw.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.text).toContain("审计-gaoqing-housing-2026-05-20");
    expect(csv.text).not.toContain("审计-gaoqing-edu-2026-08-01");
    expect(csv.text.split("\r\n")[0]).toContain("台账编号");
  });

  it("needs a session", async () => {
    const { api } = await import("../support/http");
    expect((await api("/api/ledger")).status).toBe(401);
  });
});
