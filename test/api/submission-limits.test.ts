import { sql } from "drizzle-orm";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { app } from "../../api/app";
import { rows } from "../../db/client";
import { chargeSubmission, type SubmissionPolicy } from "../../domain/throttle/submission-limits";
import { parseAddressList } from "../../lib/address-list";
import { withDecodeSlot } from "../../lib/image-decode";
import { staff, ticketInput } from "../support/console";
import { testDatabase } from "../support/db";

// Public submissions are limited per client address, counted in the database (so every server
// process shares the count); exempt networks and staff intake are not limited.

/** A request as the server hands it to the API: with the resolved client. */
async function asClient(address: string, path: string, init: RequestInit & { json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  if (init.json !== undefined) headers.set("content-type", "application/json");
  const res = await app.request(
    path,
    { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body },
    { client: { address, https: false }, clientAddress: address },
  );
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
}

const count = async (table: string) => {
  const { db } = await testDatabase();
  const [r] = await rows<{ n: number }>(db, sql.raw(`SELECT count(*)::int AS n FROM ${table}`));
  return r.n;
};

describe("per-client limits on public submissions", () => {
  it("files up to RATE_LIMIT_FILINGS tickets per window from one address, then 429 with Retry-After and nothing written", async () => {
    const limit = 30; // the default RATE_LIMIT_FILINGS
    for (let i = 0; i < limit; i++) {
      const r = await asClient("203.0.113.7", "/api/tickets", {
        method: "POST",
        json: ticketInput({ title: `第${i}件` }),
      });
      expect(r.status, r.text).toBe(201);
    }
    const over = await asClient("203.0.113.7", "/api/tickets", { method: "POST", json: ticketInput() });
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe("TOO_MANY_REQUESTS");
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await count("tickets")).toBe(limit);
    // Another client is not affected; staff intake is never limited.
    expect((await asClient("203.0.113.8", "/api/tickets", { method: "POST", json: ticketInput() })).status).toBe(201);
    const op = await staff("operator", "city-hotline");
    const intake = await app.request(
      "/api/intake/phone",
      {
        method: "POST",
        headers: { "content-type": "application/json", cookie: op.cookie, "x-csrf-token": op.csrf },
        body: JSON.stringify(ticketInput()),
      },
      { client: { address: "203.0.113.7", https: false }, clientAddress: "203.0.113.7" },
    );
    expect(intake.status, await intake.text()).toBe(201);
  });

  it("counts uploads before decoding: over the limit, no image is decoded and 429 is answered", async () => {
    const { db } = await testDatabase();
    const filed = await asClient("198.51.100.20", "/api/tickets", { method: "POST", json: ticketInput() });
    expect(filed.status).toBe(201);
    const png = await sharp({ create: { width: 300, height: 300, channels: 3, background: "#88aa33" } })
      .png()
      .toBuffer();
    const upload = () => {
      const form = new FormData();
      form.append("evidence", new Blob([new Uint8Array(png)], { type: "image/png" }), "a.png");
      return asClient("198.51.100.20", `/api/tickets/${filed.body.number}/evidence`, {
        method: "POST",
        headers: { "x-receipt": filed.body.receipt },
        body: form,
      });
    };
    expect((await upload()).status).toBe(201);
    const [{ hits }] = await rows<{ hits: number }>(
      db,
      sql`SELECT sum(hits)::int AS hits FROM submission_counters WHERE scope LIKE 'upload:%'`,
    );
    expect(hits).toBe(1);
    // Fill the window up to the limit (the default RATE_LIMIT_UPLOADS, 60).
    await db.execute(sql`UPDATE submission_counters SET hits = 60 WHERE scope LIKE 'upload:%'`);
    const over = await upload();
    expect(over.status, over.text).toBe(429);
    expect(await count("ticket_evidence")).toBe(1);
  });

  it("exempt networks are not limited; the limit is shared through the database", async () => {
    const { db } = await testDatabase();
    const policy: SubmissionPolicy = {
      windowSeconds: 3600,
      limits: { filing: 2, upload: 0 },
      exempt: parseAddressList("10.20.0.0/16, 2001:db8::/32"),
    };
    for (let i = 0; i < 5; i++) await chargeSubmission(db, "filing", { address: "10.20.3.4" }, 1, policy);
    for (let i = 0; i < 5; i++) await chargeSubmission(db, "filing", { address: "2001:db8::5" }, 1, policy);
    for (let i = 0; i < 5; i++) await chargeSubmission(db, "upload", { address: "192.0.2.1" }, 1, policy); // 0 = off
    expect(await count("submission_counters")).toBe(0);
    await chargeSubmission(db, "filing", { address: "192.0.2.1" }, 1, policy);
    await chargeSubmission(db, "filing", { address: "::ffff:192.0.2.1" }, 1, policy);
    await expect(chargeSubmission(db, "filing", { address: "192.0.2.1" }, 1, policy)).rejects.toMatchObject({
      status: 429,
    });
    // No address: nobody to attribute it to (in-process calls), not limited.
    await chargeSubmission(db, "filing", { address: null }, 1, policy);
  });

  it("decodes at most IMAGE_DECODE_CONCURRENCY images at once; the rest wait", async () => {
    let running = 0;
    let peak = 0;
    const job = () =>
      withDecodeSlot(async () => {
        running++;
        peak = Math.max(peak, running);
        await sharp({ create: { width: 2000, height: 2000, channels: 3, background: "#fff" } })
          .png()
          .toBuffer();
        running--;
      });
    await Promise.all(Array.from({ length: 8 }, job));
    expect(peak).toBe(2); // the default IMAGE_DECODE_CONCURRENCY
  });
});
