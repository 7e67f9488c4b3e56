import { sql } from "drizzle-orm";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { rows } from "../../db/client";
import { createChapter } from "../../domain/archive/yearbook";
import { createHonor } from "../../domain/honors/honors";
import { honourEntry } from "../support/archive";
import { staff } from "../support/console";
import { testDatabase } from "../support/db";
import { api } from "../support/http";

// Every write of the archive, policies and the honour roll leaves an audit row, written by the domain
// function inside its own transaction — whichever door (API, console page, script) called it.

async function audits(action: string) {
  const { db } = await testDatabase();
  return rows<{ actor_id: number | null; subject_id: string }>(
    db,
    sql`SELECT actor_id, subject_id FROM audit_log WHERE action = ${action} ORDER BY id`,
  );
}

const jpeg = () =>
  sharp({ create: { width: 400, height: 300, channels: 3, background: "#4a7" } })
    .jpeg()
    .toBuffer();

describe("archive writes are audited by the domain", () => {
  it("policies, yearbook chapters and honours created or changed through the API each write an audit row", async () => {
    const pub = await staff("publisher", "city-fpb");
    const p = await pub.call("/api/policies", {
      method: "POST",
      json: { title: "关于审计的通知", issuer: "市扶贫办", issuedOn: "2019-04-01", slug: "audit-test", body: "正文" },
    });
    expect(p.status, p.text).toBe(201);
    expect(await audits("policy.create")).toEqual([{ actor_id: pub.id, subject_id: String(p.body.id) }]);

    const ch = await pub.call("/api/yearbook/2019/chapters", {
      method: "POST",
      json: { position: 7, title: "第七章", body: "正文" },
    });
    expect(ch.status, ch.text).toBe(201);
    expect(await audits("yearbook_chapter.create")).toEqual([{ actor_id: pub.id, subject_id: String(ch.body.id) }]);
    const up = await pub.call(`/api/yearbook/chapters/${ch.body.id}`, {
      method: "PATCH",
      json: { title: "第七章（修订）" },
    });
    expect(up.status, up.text).toBe(200);
    expect(await audits("yearbook_chapter.update")).toHaveLength(1);

    const entry = honourEntry;
    const h = await pub.call("/api/honors", { method: "POST", json: entry });
    expect(h.status, h.text).toBe(201);
    expect(await audits("honor.create")).toEqual([{ actor_id: pub.id, subject_id: String(h.body.id) }]);
    const hu = await pub.call(`/api/honors/${h.body.id}`, { method: "PATCH", json: { citation: "新的事迹" } });
    expect(hu.status, hu.text).toBe(200);
    expect(await audits("honor.update")).toHaveLength(1);
    const photo = new FormData();
    photo.set("photo", new File([await jpeg()], "p.jpg", { type: "image/jpeg" }));
    const hp = await pub.call(`/api/honors/${h.body.id}/photo`, { method: "PUT", body: photo });
    expect(hp.status, hp.text).toBe(200);
    expect(await audits("honor.photo")).toHaveLength(1);
    const del = await pub.call(`/api/honors/${h.body.id}`, { method: "DELETE" });
    expect(del.status, del.text).toBe(204);
    expect(await audits("honor.delete")).toEqual([{ actor_id: pub.id, subject_id: String(h.body.id) }]);
  });

  it("photo moderation audits without being asked to", async () => {
    const form = new FormData();
    form.set("photo", new File([await jpeg()], "p.jpg", { type: "image/jpeg" }));
    for (const [k, v] of Object.entries({ title: "村口", place: "高青县", creator: "张三", consent: "on" }))
      form.set(k, v);
    const sub = await api("/api/archive/items", { method: "POST", body: form });
    expect(sub.status, sub.text).toBe(201);
    expect(await audits("archive_item.submit")).toHaveLength(1);
    const pub = await staff("publisher", "city-fpb");
    const ok = await pub.call(`/api/archive/items/${sub.body.id}/approve`, { method: "POST" });
    expect(ok.status, ok.text).toBe(200);
    expect(await audits("archive_item.approve")).toEqual([{ actor_id: pub.id, subject_id: String(sub.body.id) }]);
  });

  it("a write and its audit row commit together: a failed write leaves neither", async () => {
    const { db } = await testDatabase();
    await createChapter(db, { year: 2019, position: 3, title: "第三章", body: "x" }, null);
    await expect(createChapter(db, { year: 2019, position: 3, title: "重复", body: "x" }, null)).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect(await audits("yearbook_chapter.create")).toHaveLength(1);
    await expect(
      createHonor(
        db,
        { year: 2019, kind: "individual", name: "x", unit: "y", district: "火星区", citation: "z" },
        null,
      ),
    ).rejects.toMatchObject({ status: 400 });
    expect(await audits("honor.create")).toHaveLength(0);
  });
});
