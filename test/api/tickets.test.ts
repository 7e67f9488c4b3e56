import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { app } from "../../api/app";
import { rows } from "../../db/client";
import { notices } from "../../db/schema";
import { hashPassword } from "../../domain/auth/passwords";
import { signIn } from "../../domain/auth/session";
import { reencryptIdentities, revealReporterIdentity } from "../../domain/hotline/identity";
import { objectionSummary } from "../../domain/hotline/objection-summary";
import { GUESSING_ALERT_FAILURES, MAX_FAILURES_PER_CLIENT } from "../../domain/hotline/tracking";
import { env } from "../../lib/env";
import { testDatabase } from "../support/db";
import { api, expectEnvelope } from "../support/http";

/** The staff member revealReporterIdentity acts as. */
type Staff = Parameters<typeof revealReporterIdentity>[1];

const anonymous = {
  kind: "complaint",
  category: "housing",
  title: "危房改造补助没有发放",
  description: "我家去年申请的危房改造补助至今没有发放，村里说资金还没到。",
  district: "高青县",
  town: "常家镇",
  reporter: { anonymous: true },
};
const realName = {
  ...anonymous,
  reporter: { anonymous: false, name: "张测试", phone: "13800000042" },
};

async function count(table: string) {
  const { db } = await testDatabase();
  const [r] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)}`);
  return r.n;
}

const file = (body: unknown, headers: Record<string, string> = {}) =>
  api("/api/tickets", { method: "POST", json: body, headers });

afterEach(() => {
  env().LOG_LEVEL = "warn";
});

describe("POST /api/tickets", () => {
  it("files an anonymous complaint: number, receipt, deadlines, routed to the district department", async () => {
    const res = await file(anonymous);
    expect(res.status).toBe(201);
    expect(res.body.number).toMatch(/^ZB-\d{4}-\d{6,}$/);
    expect(res.body.receipt).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$/);
    expect(res.body.status).toBe("received");
    expect(res.body.deadlines.acceptBy).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(res.body.deadlines.handleByIsProvisional).toBe(true);
    expect(res.body.tier).toBe("IV");
    expect(res.body.handlingUnit).toBe("高青县住房城乡建设局");
    const { db } = await testDatabase();
    const [t] = await rows<{ receipt_hash: string; channel: string }>(
      db,
      sql`SELECT receipt_hash, channel FROM tickets`,
    );
    expect(t.channel).toBe("api");
    expect(t.receipt_hash).not.toContain(res.body.receipt);
    expect(t.receipt_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("numbers keep six digits at least and grow past 999999 without truncation", async () => {
    const { db } = await testDatabase();
    await rows(db, sql`SELECT setval('ticket_number_seq', 999998)`);
    const a = await file(anonymous);
    const b = await file(anonymous);
    expect(a.body.number).toMatch(/^ZB-\d{4}-999999$/);
    expect(b.body.number).toMatch(/^ZB-\d{4}-1000000$/);
  });

  it("follows the ticket with the receipt (X-Receipt), public timeline only", async () => {
    const filed = await file(realName);
    const res = await api(`/api/tickets/${filed.body.number}`, { headers: { "X-Receipt": filed.body.receipt } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("received");
    expect(res.body.timeline.map((e: { action: string }) => e.action)).toEqual(["file"]);
    expect(res.text).not.toContain("张测试");
    expect(res.text).not.toContain("13800000042");
    // lower-case and without dashes works too
    const loose = await api(`/api/tickets/${filed.body.number}`, {
      headers: { "X-Receipt": filed.body.receipt.replace(/-/g, "").toLowerCase() },
    });
    expect(loose.status).toBe(200);
  });

  it("wrong receipt and unknown ticket: the same 404", async () => {
    const filed = await file(anonymous);
    const wrong = await api(`/api/tickets/${filed.body.number}`, {
      headers: { "X-Receipt": "AAAA-AAAA-AAAA-AAAA-AAAA" },
    });
    const none = await api("/api/tickets/ZB-2026-999999", { headers: { "X-Receipt": "AAAA-AAAA-AAAA-AAAA-AAAA" } });
    expect(wrong.status).toBe(404);
    expect(none.status).toBe(404);
    expect(wrong.body).toEqual(none.body);
    const missing = await api(`/api/tickets/${filed.body.number}`);
    expect(missing.status).toBe(400);
  });

  // The server passes the resolved client as a binding; a header a client sends is not trusted.
  const lookup = async (number: string, receipt: string, clientAddress: string) => {
    const res = await app.request(
      `/api/tickets/${number}`,
      { headers: { "X-Receipt": receipt, "X-Forwarded-For": "1.2.3.4" } },
      { clientAddress },
    );
    return { status: res.status, headers: res.headers, body: await res.json() };
  };
  const WRONG = "BBBB-BBBB-BBBB-BBBB-BBBB";

  it("a correct receipt always works: strangers failing on a ticket never lock its reporter out", async () => {
    const filed = await file(anonymous);
    // 40 wrong receipts from 8 clients (the old per-ticket limit was 10 for everyone).
    for (let i = 0; i < 40; i++) {
      expect((await lookup(filed.body.number, WRONG, `10.0.1.${i % 8}`)).status).toBe(404);
    }
    expect((await lookup(filed.body.number, filed.body.receipt, "10.0.0.2")).status).toBe(200);
    // The same holds for the reporter's writes (they verify the receipt the same way).
    const msg = await app.request(
      `/api/tickets/${filed.body.number}/messages`,
      {
        method: "POST",
        headers: { "X-Receipt": filed.body.receipt, "Content-Type": "application/json" },
        body: JSON.stringify({ body: "补充：村委会电话打不通" }),
      },
      { clientAddress: "10.0.1.1" },
    );
    expect(msg.status).toBe(201);
  });

  it("throttles wrong receipts per client (429 with Retry-After), while that client's correct receipt still works", async () => {
    const filed = await file(anonymous);
    for (let i = 0; i < MAX_FAILURES_PER_CLIENT; i++) {
      expect((await lookup(`ZB-2026-${String(900000 + i)}`, WRONG, "10.0.0.9")).status).toBe(404);
    }
    const limited = await lookup(filed.body.number, WRONG, "10.0.0.9");
    expect(limited.status).toBe(429);
    expect(expectEnvelope(limited.body).code).toBe("TOO_MANY_REQUESTS");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await lookup(filed.body.number, filed.body.receipt, "10.0.0.9")).status).toBe(200);
    // Another client is not affected.
    expect((await lookup(filed.body.number, WRONG, "10.0.0.10")).status).toBe(404);
  });

  it("one ticket number, however it is typed, is one key (whitespace, case, full-width)", async () => {
    const filed = await file(anonymous);
    const n = filed.body.number as string;
    for (const typed of [`%20${n}`, `${n}%20`, n.toLowerCase(), encodeURIComponent(n.replace(/-/g, "－"))]) {
      expect((await lookup(typed, WRONG, "10.0.0.3")).status).toBe(404);
      expect((await lookup(typed, filed.body.receipt, "10.0.0.3")).status).toBe(200);
    }
    const { db } = await testDatabase();
    const scopes = await rows<{ scope: string; failures: number }>(
      db,
      sql`SELECT scope, failures FROM receipt_attempts WHERE scope LIKE 't:%'`,
    );
    expect(scopes).toEqual([{ scope: `t:${n}`, failures: 4 }]);
  });

  it("many clients guessing at one ticket log a warning (never a lockout)", async () => {
    const filed = await file(anonymous);
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stderr.write;
    try {
      for (let i = 0; i < GUESSING_ALERT_FAILURES; i++) {
        expect((await lookup(filed.body.number, WRONG, `10.0.2.${i % 5}`)).status).toBe(404);
      }
    } finally {
      process.stderr.write = write;
    }
    const alerts = lines.filter((l) => l.includes("receipt guessing"));
    expect(alerts).toHaveLength(1);
    expect(JSON.parse(alerts[0] as string)).toMatchObject({ level: "warn", ticket: filed.body.number, failures: 50 });
    expect((await lookup(filed.body.number, filed.body.receipt, "10.0.2.0")).status).toBe(200);
  });

  it("idempotent retry: same key + same body → same ticket and receipt; different body → 409", async () => {
    const key = "3f1c9a52-7d0b-4e8e-9a51-0c2b7f7d1e11";
    const first = await file(anonymous, { "Idempotency-Key": key });
    const again = await file(anonymous, { "Idempotency-Key": key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.number).toBe(first.body.number);
    expect(again.body.receipt).toBe(first.body.receipt);
    expect(await count("tickets")).toBe(1);
    const other = await file({ ...anonymous, title: "另一件事" }, { "Idempotency-Key": key });
    expect(other.status).toBe(409);
    expect(expectEnvelope(other.body).code).toBe("CONFLICT");
    expect(await count("tickets")).toBe(1);
    // The replayed receipt works.
    const tracked = await api(`/api/tickets/${first.body.number}`, { headers: { "X-Receipt": again.body.receipt } });
    expect(tracked.status).toBe(200);
  });

  it("concurrent retries with one key create one ticket", async () => {
    const key = "concurrent-key-0000000000001";
    const results = await Promise.all(Array.from({ length: 5 }, () => file(anonymous, { "Idempotency-Key": key })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.number)).size).toBe(1);
    expect(await count("tickets")).toBe(1);
  });

  it("a burst of filings is group-committed: every one its own ticket, receipt, identity and timeline", async () => {
    const bodies = Array.from({ length: 12 }, (_, i) => ({
      ...(i % 3 === 0 ? realName : anonymous),
      title: `同时提交的第 ${i} 件`,
    }));
    const results = await Promise.all(
      bodies.map((b, i) => file(b, i % 2 === 0 ? { "Idempotency-Key": `burst-key-${i}-0000000000` } : {})),
    );
    expect(results.map((r) => r.status)).toEqual(bodies.map(() => 201));
    expect(new Set(results.map((r) => r.body.number)).size).toBe(12);
    expect(await count("tickets")).toBe(12);
    expect(await count("ticket_reporters")).toBe(4);
    expect(await count("ticket_events")).toBe(24);
    for (const [i, r] of results.entries()) {
      const tracked = await api(`/api/tickets/${r.body.number}`, { headers: { "X-Receipt": r.body.receipt } });
      expect(tracked.status).toBe(200);
      expect(tracked.body.title).toBe(`同时提交的第 ${i} 件`);
    }
  });

  const bad: [string, unknown, string][] = [
    ["missing kind", { ...anonymous, kind: undefined }, "kind"],
    ["unknown kind", { ...anonymous, kind: "praise" }, "kind"],
    ["missing category", { ...anonymous, category: undefined }, "category"],
    ["unknown category", { ...anonymous, category: "weather" }, "category"],
    ["missing district", { ...anonymous, district: undefined, town: undefined }, "district"],
    ["unknown district", { ...anonymous, district: "朝阳区", town: undefined }, "district"],
    ["town not in the district", { ...anonymous, town: "太河镇" }, "town"],
    ["village not in that district", { ...anonymous, town: undefined, village: "不存在村" }, "village"],
    ["empty description", { ...anonymous, description: "   " }, "description"],
    ["description over 4000 chars", { ...anonymous, description: "字".repeat(4001) }, "description"],
    ["invalid phone", { ...anonymous, reporter: { anonymous: false, name: "张三", phone: "12345" } }, "reporter.phone"],
    [
      "real name without a name",
      { ...anonymous, reporter: { anonymous: false, phone: "13800000001" } },
      "reporter.name",
    ],
    ["missing reporter", { ...anonymous, reporter: undefined }, "reporter"],
    ["objection without a notice", { ...anonymous, kind: "objection" }, "noticeId"],
    ["a control character in the description", { ...anonymous, description: "补助\u0000没有发放" }, "description"],
    ["objection to an unknown notice", { ...anonymous, kind: "objection", noticeId: "99999" }, "noticeId"],
  ];
  it.each(bad)("400 for %s, nothing written", async (_name, body, path) => {
    const res = await file(body);
    expect(res.status).toBe(400);
    const err = expectEnvelope(res.body);
    expect(err.code).toBe("VALIDATION_FAILED");
    expect((err.details as { path: string }[]).map((d) => d.path)).toContain(path);
    expect(err.message).toMatch(/[\u4e00-\u9fff]/);
    expect(await count("tickets")).toBe(0);
    expect(await count("ticket_events")).toBe(0);
  });

  it("village in another district is refused", async () => {
    const { db } = await testDatabase();
    const [v] = await rows<{ name: string }>(
      db,
      sql`SELECT v.name FROM villages v JOIN towns t ON t.id = v.town_id JOIN districts d ON d.id = t.district_id
          WHERE d.name = '高青县' AND v.name NOT IN (SELECT v2.name FROM villages v2 JOIN towns t2 ON t2.id = v2.town_id
          JOIN districts d2 ON d2.id = t2.district_id WHERE d2.name = '张店区') LIMIT 1`,
    );
    const res = await file({ ...anonymous, district: "张店区", town: undefined, village: v.name });
    expect(res.status).toBe(400);
    expect(await count("tickets")).toBe(0);
  });

  it("objection to a notice out of its period is refused; in period it is filed at the notice's place", async () => {
    const { db } = await testDatabase();
    const [d] = await rows<{ id: number }>(db, sql`SELECT id FROM districts WHERE name = '沂源县'`);
    const [ended] = await db
      .insert(notices)
      .values({
        title: "旧公示",
        districtId: d.id,
        status: "published",
        periodStart: "2025-01-01",
        periodEnd: "2025-01-10",
      })
      .returning();
    const [open] = await db
      .insert(notices)
      .values({
        title: "在公示期",
        districtId: d.id,
        status: "published",
        periodStart: "2026-01-01",
        periodEnd: "2099-01-10",
      })
      .returning();
    const late = await file({ ...anonymous, kind: "objection", noticeId: String(ended.id) });
    expect(late.status).toBe(400);
    expect(expectEnvelope(late.body).message).toContain("公示期");
    expect(await count("tickets")).toBe(0);
    const ok = await file({ ...anonymous, kind: "objection", noticeId: String(open.id) });
    expect(ok.status).toBe(201);
    const summary = await objectionSummary(db, open.id);
    expect(summary.count).toBe(1);
    expect(summary.outcomes[0]).toEqual({ number: ok.body.number, status: "received", outcome: null, repliedAt: null });
    expect(JSON.stringify(summary)).not.toMatch(/receipt|reporter/);
  });

  it("malformed JSON → 400, wrong content type → 415, nothing written", async () => {
    const malformed = await api("/api/tickets", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"kind": "report",',
    });
    expect(malformed.status).toBe(400);
    expect(expectEnvelope(malformed.body).code).toBe("MALFORMED_JSON");
    const form = await api("/api/tickets", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "kind=report",
    });
    expect(form.status).toBe(415);
    expect(expectEnvelope(form.body).code).toBe("UNSUPPORTED_MEDIA_TYPE");
    const badKey = await file(anonymous, { "Idempotency-Key": "short" });
    expect(badKey.status).toBe(400);
    expect(await count("tickets")).toBe(0);
  });

  it("routes a misconduct report away from the subject's unit, to discipline inspection", async () => {
    const res = await file({
      ...anonymous,
      kind: "report",
      category: "misconduct",
      title: "扶贫办干部吃拿卡要",
      description: "高青县扶贫办有干部在发放补助时索要好处费。",
      subject: { unit: "高青县纪委监委", person: "某某", post: "科员" },
    });
    expect(res.status).toBe(201);
    expect(res.body.handlingUnit).not.toBe("高青县纪委监委");
    expect(res.body.handlingUnit).toBe("市纪委监委机关");
    const fund = await file({
      ...anonymous,
      kind: "report",
      category: "fund_management",
      title: "村支书截留扶贫资金",
      description: "村支书截留了扶贫项目资金 5000 元。",
      subject: { unit: "高青县扶贫办", person: "李某", post: "科员" },
    });
    expect(fund.body.handlingUnit).toBe("高青县纪委监委");
    // A complaint about the district housing bureau goes to the city bureau, not to itself.
    const housing = await file({ ...anonymous, subject: { unit: "高青县住房城乡建设局" } });
    expect(housing.body.handlingUnit).toBe("市住房城乡建设局");
  });

  it("big amounts raise the tier to city level with a 24-hour first response", async () => {
    const res = await file({
      ...anonymous,
      kind: "report",
      category: "fund_management",
      description: "镇里挪用扶贫资金 150 万元，涉及 200 多户。",
    });
    expect(res.body.tier).toBe("I");
    expect(res.body.handlingUnit).toBe("市纪委监委机关");
    expect(res.body.deadlines.firstResponseBy).not.toBeNull();
  });
});

describe("reporter identity never leaves", () => {
  it("is encrypted at rest and absent from responses, logs and the export of ticket rows", async () => {
    env().LOG_LEVEL = "info";
    const captured: string[] = [];
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((...args: Parameters<typeof out>) => {
      captured.push(String(args[0]));
      return out(...args);
    }) as typeof process.stdout.write;
    process.stderr.write = ((...args: Parameters<typeof err>) => {
      captured.push(String(args[0]));
      return err(...args);
    }) as typeof process.stderr.write;
    const bodies: string[] = [];
    try {
      const filed = await file({ ...realName, reporter: { ...realName.reporter, phone: "138 0000 0077" } });
      bodies.push(filed.text);
      bodies.push(
        (await api(`/api/tickets/${filed.body.number}`, { headers: { "X-Receipt": filed.body.receipt } })).text,
      );
      bodies.push(
        (
          await api(`/api/tickets/${filed.body.number}/messages`, {
            method: "POST",
            headers: { "X-Receipt": filed.body.receipt },
            json: { body: "补充：补助应在三月发放。" },
          })
        ).text,
      );
      bodies.push((await file({ ...realName, reporter: { anonymous: false, name: "张测试", phone: "1380" } })).text);
      expect(captured.some((l) => l.includes('"msg":"request"'))).toBe(true);
      for (const [i, text] of [...bodies, ...captured].entries()) {
        expect(text).not.toContain("张测试");
        expect(text).not.toContain("13800000077");
        expect(text).not.toContain("0077");
        // The receipt appears once: in the answer to the filing itself.
        if (i > 0) expect(text).not.toContain(filed.body.receipt);
      }
      // At rest: no plaintext anywhere in the ticket tables (what an export or a dump would see).
      const { db } = await testDatabase();
      const dump = JSON.stringify(
        await rows(
          db,
          sql`SELECT row_to_json(t)::text AS a, (SELECT json_agg(r)::text FROM ticket_reporters r) AS b,
                     (SELECT json_agg(e)::text FROM ticket_events e) AS c FROM tickets t`,
        ),
      );
      expect(dump).not.toContain("张测试");
      expect(dump).not.toContain("13800000077");
      expect(dump).toContain("identity_enc");
    } finally {
      process.stdout.write = out;
      process.stderr.write = err;
    }
  });

  it("is revealed only to discipline inspection or the handling unit, with an audit record", async () => {
    const filed = await file(realName);
    const { db } = await testDatabase();
    const [unit] = await rows<{ id: number }>(db, sql`SELECT id FROM units WHERE code = 'gaoqing-housing'`);
    const [other] = await rows<{ id: number }>(db, sql`SELECT id FROM units WHERE code = 'gaoqing-civil'`);
    const [disc] = await rows<{ id: number }>(db, sql`SELECT id FROM units WHERE code = 'city-discipline'`);
    const mk = async (username: string, role: string, unitId: number) => {
      const [u] = await rows<{ id: number }>(
        db,
        sql`INSERT INTO users (username, display_name, role, unit_id) VALUES (${username}, ${username}, ${role}, ${unitId}) RETURNING id`,
      );
      return u.id;
    };
    const staff = (userId: number, role: Staff["role"], unitId: number, unitKind: string) => ({
      userId,
      username: "x",
      displayName: "x",
      role,
      unitId,
      unitCode: "x",
      unitKind,
      unitName: "x",
      unitLevel: "district" as const,
      districtId: null,
    });
    const stranger = staff(await mk("civil1", "handler", other.id), "handler", other.id, "department");
    await expect(revealReporterIdentity(db, stranger, filed.body.number, "需要联系核实")).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const handler = staff(await mk("housing1", "handler", unit.id), "handler", unit.id, "department");
    await expect(revealReporterIdentity(db, handler, filed.body.number, "")).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    const identity = await revealReporterIdentity(db, handler, filed.body.number, "电话联系核实补助情况");
    expect(identity).toEqual({ name: "张测试", phone: "13800000042", contact: "phone" });
    const inspector = staff(await mk("disc1", "inspector", disc.id), "inspector", disc.id, "discipline");
    expect(await revealReporterIdentity(db, inspector, filed.body.number, "核查线索需要")).not.toBeNull();
    const audit = await rows<{ action: string; subject_id: string }>(
      db,
      sql`SELECT action, subject_id FROM audit_log ORDER BY id`,
    );
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ action: "ticket.identity.reveal", subject_id: filed.body.number });
  });
});

describe("following up", () => {
  it("reporter adds a message; rating only after a reply; reopen and review requests", async () => {
    const filed = await file(anonymous);
    const h = { "X-Receipt": filed.body.receipt };
    const n = filed.body.number;
    const msg = await api(`/api/tickets/${n}/messages`, {
      method: "POST",
      headers: h,
      json: { body: "补充材料：申请表编号 12。" },
    });
    expect(msg.status).toBe(201);
    expect(msg.body.messages).toEqual([
      expect.objectContaining({ from: "reporter", body: "补充材料：申请表编号 12。" }),
    ]);
    const empty = await api(`/api/tickets/${n}/messages`, { method: "POST", headers: h, json: { body: " " } });
    expect(empty.status).toBe(400);
    const early = await api(`/api/tickets/${n}/rating`, { method: "POST", headers: h, json: { rating: "satisfied" } });
    expect(early.status).toBe(409);
    expect(expectEnvelope(early.body).code).toBe("INVALID_TRANSITION");
    // The handling unit replies (what the console does).
    const { db } = await testDatabase();
    await rows(
      db,
      sql`UPDATE tickets SET status = 'replied', reply_summary = '补助已于本周发放。', replied_at = now(),
          review_due_on = (now() + interval '30 days')::date WHERE number = ${n}`,
    );
    const badRating = await api(`/api/tickets/${n}/rating`, { method: "POST", headers: h, json: { rating: "great" } });
    expect(badRating.status).toBe(400);
    const rated = await api(`/api/tickets/${n}/rating`, {
      method: "POST",
      headers: h,
      json: { rating: "dissatisfied" },
    });
    expect(rated.status).toBe(200);
    expect(rated.body.status).toBe("rated");
    expect(rated.body.rating.label).toBe("不满意");
    expect(rated.body.can.requestReopen).toBe(true);
    const reopen = await api(`/api/tickets/${n}/reopen`, {
      method: "POST",
      headers: h,
      json: { reason: "补助金额不对" },
    });
    expect(reopen.status).toBe(200);
    expect(reopen.body.status).toBe("reopened");
    const review = await api(`/api/tickets/${n}/review`, { method: "POST", headers: h, json: { reason: "再次申请" } });
    expect(review.status).toBe(409);
  });

  it("review is refused more than 30 days after the reply", async () => {
    const filed = await file(anonymous);
    const { db } = await testDatabase();
    await rows(
      db,
      sql`UPDATE tickets SET status = 'closed', reply_summary = '已处理', replied_at = now() - interval '40 days',
          review_due_on = (now() - interval '10 days')::date WHERE number = ${filed.body.number}`,
    );
    const res = await api(`/api/tickets/${filed.body.number}/review`, {
      method: "POST",
      headers: { "X-Receipt": filed.body.receipt },
      json: { reason: "不服" },
    });
    expect(res.status).toBe(409);
    expect(expectEnvelope(res.body).message).toContain("30 日");
  });

  it("operator intake needs a signed-in operator and records channel = phone", async () => {
    const res = await api("/api/intake/phone", { method: "POST", json: anonymous });
    expect(res.status).toBe(401);
    expect(await count("tickets")).toBe(0);
    const { db } = await testDatabase();
    const hash = await hashPassword("Operator-pass-2026");
    await rows(
      db,
      sql`INSERT INTO users (username, display_name, role, unit_id, password_hash)
          SELECT 'op1', '接线员', 'operator', id, ${hash} FROM units WHERE code = 'city-hotline'`,
    );
    const session = await signIn(db, "op1", "Operator-pass-2026");
    const ok = await api("/api/intake/phone", {
      method: "POST",
      json: { ...realName, description: "来电反映：危房改造补助没有发放。" },
      headers: { cookie: `sunshine_staff=${session.token}`, "x-csrf-token": session.csrfToken },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.receipt).toBeTruthy();
    const [t] = await rows<{ channel: string; operator_id: number }>(db, sql`SELECT channel, operator_id FROM tickets`);
    expect(t.channel).toBe("phone");
    expect(t.operator_id).toBe(session.staff.userId);
  });
});

describe("key rotation", () => {
  it("old ciphertexts decrypt with the old key listed; re-encryption moves them to the new key", async () => {
    const e = env();
    const saved = {
      key: e.SUNSHINE_ENCRYPTION_KEY,
      id: e.SUNSHINE_ENCRYPTION_KEY_ID,
      old: e.SUNSHINE_OLD_ENCRYPTION_KEYS,
    };
    try {
      e.SUNSHINE_ENCRYPTION_KEY = "1".repeat(64);
      e.SUNSHINE_ENCRYPTION_KEY_ID = "k1";
      const filed = await file(realName);
      e.SUNSHINE_ENCRYPTION_KEY = "2".repeat(64);
      e.SUNSHINE_ENCRYPTION_KEY_ID = "k2";
      e.SUNSHINE_OLD_ENCRYPTION_KEYS = `k1:${"1".repeat(64)}`;
      const { db } = await testDatabase();
      expect(await reencryptIdentities(db, "k2")).toBe(1);
      e.SUNSHINE_OLD_ENCRYPTION_KEYS = undefined; // the old key is gone; the row must now use k2
      const [r] = await rows<{ key_id: string }>(db, sql`SELECT key_id FROM ticket_reporters`);
      expect(r.key_id).toBe("k2");
      const [disc] = await rows<{ id: number }>(db, sql`SELECT id FROM units WHERE code = 'city-discipline'`);
      const [u] = await rows<{ id: number }>(
        db,
        sql`INSERT INTO users (username, display_name, role, unit_id) VALUES ('disc-rot', 'x', 'inspector', ${disc.id}) RETURNING id`,
      );
      const identity = await revealReporterIdentity(
        db,
        {
          userId: u.id,
          username: "disc-rot",
          displayName: "x",
          role: "inspector",
          unitId: disc.id,
          unitCode: "city-discipline",
          unitKind: "discipline",
          unitName: "市纪委监委机关",
          unitLevel: "city",
          districtId: null,
        },
        filed.body.number,
        "轮换后核验",
      );
      expect(identity?.name).toBe("张测试");
    } finally {
      e.SUNSHINE_ENCRYPTION_KEY = saved.key;
      e.SUNSHINE_ENCRYPTION_KEY_ID = saved.id;
      e.SUNSHINE_OLD_ENCRYPTION_KEYS = saved.old;
    }
  });
});

describe("database unavailable", () => {
  it("503 with Retry-After, never a false success", async () => {
    const { db } = await testDatabase();
    const original = db.execute.bind(db);
    (db as { execute: unknown }).execute = async () => {
      throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    };
    try {
      const res = await file({ ...anonymous, title: "数据库故障时提交" });
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBeTruthy();
      expect(expectEnvelope(res.body).code).toBe("SERVICE_UNAVAILABLE");
      expect(res.text).not.toContain("receipt");
    } finally {
      (db as { execute: unknown }).execute = original;
    }
  });
});
