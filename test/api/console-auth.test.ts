import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { app } from "../../api/app";
import { appendAudit, verifyAuditChain } from "../../domain/audit/audit-log";
import { GLOBAL_BACKOFF_AFTER, LOCKOUT_AFTER } from "../../domain/auth/session";
import { createUser } from "../../domain/auth/users";
import { drainOutbox, enqueueNotification, MAX_ATTEMPTS } from "../../domain/notifications/outbox";
import { exec, PASSWORD, staff } from "../support/console";
import { testDatabase } from "../support/db";
import { api, expectEnvelope } from "../support/http";

describe("staff sign-in and sessions", () => {
  it("signs in with a HttpOnly SameSite=Strict cookie and stores only the token's hash", async () => {
    const { db } = await testDatabase();
    await createUser(db, null, {
      username: "op1",
      displayName: "接线员一",
      role: "operator",
      unitCode: "city-hotline",
      password: PASSWORD,
    });
    const r = await api("/api/console/session", { method: "POST", json: { username: "op1", password: PASSWORD } });
    expect(r.status).toBe(200);
    const cookie = r.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^sunshine_staff=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).not.toContain("Secure");
    const token = cookie.split(";")[0].split("=")[1];
    const stored = await exec(sql`SELECT id FROM staff_sessions`);
    expect(stored).toHaveLength(1);
    expect(stored[0].id).not.toBe(token);
    const me = await api("/api/console/me", { headers: { cookie: cookie.split(";")[0] } });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: "op1", role: "operator", unitCode: "city-hotline", unitLevel: "city" });
    // Over HTTPS (as the server resolved the client: lib/client-address.ts) the cookie is Secure.
    const signInOver = (client: { address: string; https: boolean }, headers: Record<string, string> = {}) =>
      app.request(
        "/api/console/session",
        {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify({ username: "op1", password: PASSWORD }),
        },
        { client },
      );
    const https = await signInOver({ address: "10.0.0.1", https: true });
    expect(https.headers.get("set-cookie")).toContain("Secure");
    // A client's own X-Forwarded-Proto is not the server's knowledge of the scheme.
    const claimed = await signInOver({ address: "10.0.0.1", https: false }, { "x-forwarded-proto": "https" });
    expect(claimed.headers.get("set-cookie")).not.toContain("Secure");
  });

  it("refuses requests without a session (401) and with the wrong role (403)", async () => {
    const none = await api("/api/console/tickets");
    expect(none.status).toBe(401);
    expect(expectEnvelope(none.body).code).toBe("UNAUTHENTICATED");
    const bogus = await api("/api/console/tickets", { headers: { cookie: "sunshine_staff=not-a-session" } });
    expect(bogus.status).toBe(401);
    const pub = await staff("publisher", "city-fpb");
    const r = await pub.call("/api/console/tickets");
    expect(r.status).toBe(403);
    expect(expectEnvelope(r.body).code).toBe("FORBIDDEN");
  });

  it("refuses a write without the session's CSRF token", async () => {
    const sup = await staff("supervisor", "city-hotline");
    const noToken = await api("/api/console/session/revoke-all", { method: "POST", headers: { cookie: sup.cookie } });
    expect(noToken.status).toBe(403);
    expect(expectEnvelope(noToken.body).message).toContain("CSRF");
    const wrong = await api("/api/console/session/revoke-all", {
      method: "POST",
      headers: { cookie: sup.cookie, "x-csrf-token": `${sup.csrf.slice(0, -2)}xx` },
    });
    expect(wrong.status).toBe(403);
    // Another session's token does not work either.
    const again = await api("/api/console/session", {
      method: "POST",
      json: { username: sup.username, password: PASSWORD },
    });
    const other = await api("/api/console/session/revoke-all", {
      method: "POST",
      headers: { cookie: sup.cookie, "x-csrf-token": again.body.csrfToken },
    });
    expect(other.status).toBe(403);
    const ok = await sup.call("/api/console/session/revoke-all", { method: "POST" });
    expect(ok.status).toBe(200);
  });

  it("locks the client that failed, never the account: the owner at another client still gets in", async () => {
    const { db } = await testDatabase();
    await createUser(db, null, {
      username: "sup9",
      displayName: "督办九",
      role: "supervisor",
      unitCode: "city-hotline",
      password: PASSWORD,
    });
    const signInFrom = async (address: string, username: string, password: string) => {
      const res = await app.request(
        "/api/console/session",
        {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-for": "10.9.9.9" },
          body: JSON.stringify({ username, password }),
        },
        { client: { address, https: false } },
      );
      return { status: res.status, headers: res.headers, body: await res.json() };
    };
    // The owner signs in once from their usual client.
    expect((await signInFrom("10.0.0.1", "sup9", PASSWORD)).status).toBe(200);
    for (let i = 0; i < LOCKOUT_AFTER; i++) {
      const r = await signInFrom("203.0.113.66", "sup9", "wrong-password-1");
      expect(r.status).toBe(401);
      expect(expectEnvelope(r.body).message).toBe("用户名或密码不正确");
    }
    // The attacking client is locked out, even with the right password…
    const locked = await signInFrom("203.0.113.66", "SUP9", PASSWORD);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(expectEnvelope(locked.body).message).toContain("锁定");
    const audit = await exec(sql`SELECT details FROM audit_log WHERE action = 'auth.lockout'`);
    expect(audit).toHaveLength(1);
    // …the owner at their own client is not (the old lockout locked the username for everyone).
    expect((await signInFrom("10.0.0.1", "sup9", PASSWORD)).status).toBe(200);
    // When the lock has passed, the right password works from the locked client and clears its count.
    await exec(sql`UPDATE login_attempts SET locked_until = now() - interval '1 second'`);
    expect((await signInFrom("203.0.113.66", "sup9", PASSWORD)).status).toBe(200);
    expect(await exec(sql`SELECT * FROM login_attempts WHERE failures > 0`)).toHaveLength(0);
    // Unknown users get the same answer as a wrong password.
    const unknown = await api("/api/console/session", { method: "POST", json: { username: "nobody", password: "x" } });
    expect(unknown.status).toBe(401);
    expect(expectEnvelope(unknown.body).message).toBe("用户名或密码不正确");
  });

  it("many clients guessing one password slow down new clients, never the owner's usual client", async () => {
    const { db } = await testDatabase();
    await createUser(db, null, {
      username: "sup10",
      displayName: "督办十",
      role: "supervisor",
      unitCode: "city-hotline",
      password: PASSWORD,
    });
    const signInFrom = async (address: string, password: string) =>
      (
        await app.request(
          "/api/console/session",
          {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ username: "sup10", password }),
          },
          { client: { address, https: false } },
        )
      ).status;
    expect(await signInFrom("10.0.0.1", PASSWORD)).toBe(200);
    // GLOBAL_BACKOFF_AFTER failures spread over clients, none of which reaches its own lockout.
    for (let i = 0; i < GLOBAL_BACKOFF_AFTER; i++) {
      expect(await signInFrom(`198.51.100.${i % 5}`, "wrong")).toBe(401);
    }
    // A client never seen for this account waits (even with the right password)…
    expect(await signInFrom("198.51.100.200", PASSWORD)).toBe(429);
    // …the owner's usual client does not.
    expect(await signInFrom("10.0.0.1", PASSWORD)).toBe(200);
    const audit = await exec(sql`SELECT details FROM audit_log WHERE action = 'auth.lockout'`);
    expect(audit.map((a) => (a.details as { scope: string }).scope)).toContain("all-clients");
  });

  it("a malformed cookie is 'not signed in', never a 500 (API)", async () => {
    for (const cookie of ["sunshine_staff=%E0%A4%A", "sunshine_staff=%", "sunshine_staff", "=; ;;sunshine_staff=%zz"]) {
      const res = await api("/api/console/me", { headers: { cookie } });
      expect(res.status, cookie).toBe(401);
      // Signing out a session that does not exist is harmless: 204 or 401, never a 500.
      const out = await api("/api/console/session", { method: "DELETE", headers: { cookie } });
      expect([204, 401], cookie).toContain(out.status);
    }
  });

  it("signs out one session, or every session at once", async () => {
    const a = await staff("handler", "gaoqing-housing");
    const second = await api("/api/console/session", {
      method: "POST",
      json: { username: a.username, password: PASSWORD },
    });
    const cookie2 = (second.headers.get("set-cookie") ?? "").split(";")[0];
    const out = await a.call("/api/console/session", { method: "DELETE" });
    expect(out.status).toBe(204);
    expect((await a.call("/api/console/me")).status).toBe(401);
    expect((await api("/api/console/me", { headers: { cookie: cookie2 } })).status).toBe(200);
    const all = await api("/api/console/session/revoke-all", {
      method: "POST",
      headers: { cookie: cookie2, "x-csrf-token": second.body.csrfToken },
    });
    expect(all.body.revoked).toBe(1);
    expect((await api("/api/console/me", { headers: { cookie: cookie2 } })).status).toBe(401);
  });

  it("deactivated accounts and expired sessions stop working", async () => {
    const a = await staff("operator", "city-hotline");
    await exec(sql`UPDATE staff_sessions SET expires_at = now() - interval '1 minute'`);
    expect((await a.call("/api/console/me")).status).toBe(401);
    const b = await staff("operator", "city-hotline", "op-b");
    await exec(sql`UPDATE users SET active = false WHERE id = ${b.id}`);
    expect((await b.call("/api/console/me")).status).toBe(401);
  });
});

describe("audit log", () => {
  it("is hash-chained; UPDATE and DELETE are refused", async () => {
    const { db } = await testDatabase();
    for (let i = 0; i < 5; i++) {
      await db.transaction((tx) =>
        appendAudit(tx, {
          actorId: null,
          action: "test.event",
          subjectType: "test",
          subjectId: String(i),
          details: { i, 中文: "值", nested: { b: 1, a: [1, 2] } },
        }),
      );
    }
    expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 5 });
    const refused = (q: ReturnType<typeof sql>) =>
      exec(q).then(
        () => "allowed",
        (err) => String(err.cause?.message ?? err.message),
      );
    expect(await refused(sql`UPDATE audit_log SET action = 'x' WHERE id = 2`)).toMatch(/append-only/);
    expect(await refused(sql`DELETE FROM audit_log WHERE id = 2`)).toMatch(/append-only/);
  });

  it("detects a row tampered with by the database superuser (trigger disabled)", async () => {
    const { db, exec: raw } = await testDatabase();
    for (let i = 0; i < 4; i++) {
      await db.transaction((tx) =>
        appendAudit(tx, {
          actorId: null,
          action: "ticket.reply",
          subjectType: "ticket",
          subjectId: `ZB-2026-00000${i}`,
          details: { i },
        }),
      );
    }
    await raw(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
      UPDATE audit_log SET details = '{"i": 99}' WHERE id = 3;
      ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;`);
    const r = await verifyAuditChain(db);
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toEqual({ id: 3, reason: "row content does not match its hash" });
    expect(r.checked).toBe(2);
  });

  it("detects a deleted row, and a re-hashed forgery breaks the next link", async () => {
    const { db, exec: raw } = await testDatabase();
    for (let i = 0; i < 4; i++) {
      await db.transaction((tx) =>
        appendAudit(tx, { actorId: 1, action: "a", subjectType: "t", subjectId: String(i) }),
      );
    }
    await raw(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
      DELETE FROM audit_log WHERE id = 2;
      ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;`);
    expect((await verifyAuditChain(db)).firstBroken?.id).toBe(3);
  });

  it("serialises concurrent appends so the chain never forks", async () => {
    const { db } = await testDatabase();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db.transaction((tx) => appendAudit(tx, { actorId: null, action: "c", subjectType: "t", subjectId: String(i) })),
      ),
    );
    expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 20 });
  });
});

describe("notification outbox", () => {
  it("retries a failing transport with backoff, loses nothing, and parks after the last attempt", async () => {
    const { db } = await testDatabase();
    await db.transaction((tx) =>
      enqueueNotification(tx, {
        channel: "sms",
        to: "13800000000",
        template: "ticket.replied",
        data: { number: "ZB-2026-000001" },
      }),
    );
    const again = await db.transaction((tx) =>
      enqueueNotification(tx, { channel: "staff", to: "unit:1", template: "x", data: {}, dedupeKey: "k1" }),
    );
    expect(again.created).toBe(true);
    const dup = await db.transaction((tx) =>
      enqueueNotification(tx, { channel: "staff", to: "unit:1", template: "x", data: {}, dedupeKey: "k1" }),
    );
    expect(dup.created).toBe(false);
    const sent: string[] = [];
    const failing = {
      sms: async () => {
        throw new Error("gateway down");
      },
      staff: async (m: { template: string }) => {
        sent.push(m.template);
      },
    };
    const r1 = await drainOutbox(db, { transports: failing });
    expect(r1).toEqual({ sent: 1, failed: 1, dead: 0 });
    const [row] = await exec(
      sql`SELECT status, attempts, last_error, next_attempt_at > now() AS later FROM notification_outbox WHERE channel = 'sms'`,
    );
    expect(row).toMatchObject({ status: "pending", attempts: 1, last_error: "gateway down", later: true });
    // Not due yet: nothing happens.
    expect(await drainOutbox(db, { transports: failing })).toEqual({ sent: 0, failed: 0, dead: 0 });
    for (let i = 1; i < MAX_ATTEMPTS; i++) {
      await exec(sql`UPDATE notification_outbox SET next_attempt_at = now() WHERE status = 'pending'`);
      await drainOutbox(db, { transports: failing });
    }
    const [dead] = await exec(sql`SELECT status, attempts FROM notification_outbox WHERE channel = 'sms'`);
    expect(dead).toEqual({ status: "dead", attempts: MAX_ATTEMPTS });
    expect(sent).toEqual(["x"]);
  });
});
