import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { app } from "../../api/app";
import { rows } from "../../db/client";
import { issueOpen311Key } from "../../domain/open311/keys";
import { env } from "../../lib/env";
import { housingComplaint } from "../support/console";
import { testDatabase } from "../support/db";
import { api, expectEnvelope } from "../support/http";
import { expectOpen311Errors, o311 } from "../support/open311";

// One rule at the edge: NUL or an unpaired surrogate in any string (path, query, form, JSON) is a 400
// naming the field, on /api and /open311 alike; ids are range-checked; a value the database refuses is a
// 400, never a 500; and nothing personal reaches the log on any of these paths.

const complaint = housingComplaint;

async function ticketCount() {
  const { db } = await testDatabase();
  const [r] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM tickets`);
  return r.n;
}

/** POST raw JSON text (so escapes such as \ud800 and \u0000 reach the server as written). */
const postJson = (path: string, text: string) =>
  app.request(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: text });

describe("NUL and unpaired surrogates: 400 naming the field, everywhere", () => {
  it.each([
    ["/api/funds?q=a%00b", "q"],
    ["/api/notices?q=%00", "q"],
    ["/api/search?q=%00", "q"],
    ["/api/stats/hotline?district=%00", "district"],
    ["/api/funds?%00=1", "(空)"],
    ["/api/tickets/ZB-2026-0%00001", "path"],
  ])("GET %s", async (path, field) => {
    const res = await api(path, { headers: { "X-Receipt": "AAAA-AAAA-AAAA-AAAA-AAAA" } });
    expect(res.status).toBe(400);
    const e = expectEnvelope(res.body);
    expect(e.code).toBe("VALIDATION_FAILED");
    expect((e.details as { path: string }[])[0]?.path.startsWith(field)).toBe(true);
  });

  it.each([
    ["description", JSON.stringify({ ...complaint, description: "X" }).replace('"X"', '"a\\ud800b"'), "description"],
    ["title", JSON.stringify({ ...complaint, title: "X" }).replace('"X"', '"\\udc00"'), "title"],
    ["subject", JSON.stringify({ ...complaint, subject: { unit: "X" } }).replace('"X"', '"a\\u0000"'), "subject.unit"],
    ["a key", JSON.stringify({ ...complaint, extra: 1 }).replace('"extra"', '"ex\\u0000tra"'), "ex"],
  ])("POST /api/tickets with NUL/surrogate in %s: 400, nothing written", async (_, body, field) => {
    const res = await postJson("/api/tickets", body);
    expect(res.status).toBe(400);
    const e = expectEnvelope(await res.json());
    expect(e.message).toContain(field);
    expect(await ticketCount()).toBe(0);
  });

  it("well-formed surrogate pairs (emoji, rare characters) are text and go through", async () => {
    const res = await api("/api/tickets", { method: "POST", json: { ...complaint, description: "补助没发 😡 𠀀" } });
    expect(res.status).toBe(201);
  });

  it("Open311: query and form fields, in GeoReport's error format", async () => {
    const list = await o311("/requests.json?service_request_id=a%00b");
    expect(list.status).toBe(400);
    expect(expectOpen311Errors(list.body)[0]?.description).toContain("service_request_id");
    const { db } = await testDatabase();
    const { key } = await issueOpen311Key(db, { appName: "边界测试" });
    const post = await o311("/requests.json", {
      method: "POST",
      form: {
        api_key: key,
        service_code: "complaint-housing",
        description: "补助\u0000没发",
        "attribute[district]": "gaoqing",
      },
    });
    expect(post.status).toBe(400);
    expect(expectOpen311Errors(post.body)[0]?.description).toContain("description");
    expect(await ticketCount()).toBe(0);
  });
});

describe("ids are range-checked", () => {
  it("a noticeId beyond int4 is a 400 naming it, not a 500", async () => {
    const res = await postJson("/api/tickets", JSON.stringify({ ...complaint, kind: "objection", noticeId: 2 ** 31 }));
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain("noticeId");
    expect(await ticketCount()).toBe(0);
  });

  it("a path id beyond int4 is a 400", async () => {
    for (const path of ["/api/funds/2147483648", "/api/notices/99999999999", "/api/projects/2147483648"]) {
      const res = await api(path);
      expect(res.status, path).toBe(400);
    }
  });

  it("a noticeId on a ticket that is not an objection is not a foreign-key error", async () => {
    const res = await api("/api/tickets", { method: "POST", json: { ...complaint, noticeId: 999999999 } });
    expect(res.status).toBe(201);
    const { db } = await testDatabase();
    const [t] = await rows<{ notice_id: number | null }>(db, sql`SELECT notice_id FROM tickets`);
    expect(t.notice_id).toBeNull();
  });
});

describe("nothing personal in the log, on any error path", () => {
  afterEach(() => {
    env().LOG_LEVEL = "warn";
  });

  it("files real-name tickets with markers, drives the error paths, and the whole log has none of them", async () => {
    const marker = `M${Date.now().toString(36)}`;
    const phone = "13912345678";
    const idNumber = "370303199001011234";
    const name = `王${marker}`;
    const description = `我的身份证号${idNumber} 电话${phone} ${marker}`;
    const captured: string[] = [];
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    const capture =
      (real: typeof out) =>
      (chunk: string | Uint8Array, ...rest: unknown[]) => {
        captured.push(String(chunk));
        return (real as (...a: unknown[]) => boolean)(chunk, ...rest);
      };
    env().LOG_LEVEL = "debug";
    process.stdout.write = capture(out) as typeof process.stdout.write;
    process.stderr.write = capture(err) as typeof process.stderr.write;
    const { db } = await testDatabase();
    try {
      const realName = { ...complaint, description, reporter: { anonymous: false, name, phone } };
      // The happy path.
      expect((await api("/api/tickets", { method: "POST", json: realName })).status).toBe(201);
      // Validation failures carrying the data.
      expect((await api("/api/tickets", { method: "POST", json: { ...realName, kind: "x" } })).status).toBe(400);
      expect((await postJson("/api/tickets", `{"description":"${description}",`)).status).toBe(400);
      expect((await api(`/api/funds?q=${encodeURIComponent(`${description}\u0000`)}`)).status).toBe(400);
      expect((await api(`/api/search?q=${encodeURIComponent(description)}`)).status).toBeLessThan(500);
      expect(
        (await api(`/api/tickets/${encodeURIComponent(idNumber)}`, { headers: { "X-Receipt": phone } })).status,
      ).toBe(404);
      // A failing query whose parameters hold the data: the database refuses the insert.
      await db.execute(
        sql.raw(
          `ALTER TABLE tickets ADD CONSTRAINT edge_log_probe CHECK (description NOT LIKE '%${marker}%') NOT VALID`,
        ),
      );
      const failed = await api("/api/tickets", { method: "POST", json: realName });
      expect(failed.status).toBe(500);
      expect(failed.text).not.toContain(marker);
      expect(failed.text).not.toContain("edge_log_probe");
    } finally {
      process.stdout.write = out;
      process.stderr.write = err;
      await db.execute(sql.raw("ALTER TABLE tickets DROP CONSTRAINT IF EXISTS edge_log_probe"));
    }
    const log = captured.join("");
    // The failing query was logged (by SQLSTATE), so the log did capture the error path.
    expect(log).toContain('"sqlState":"23514"');
    for (const secret of [marker, phone, idNumber, name, "params:"]) {
      expect(log.includes(secret), `log contains ${secret}`).toBe(false);
    }
  });
});
