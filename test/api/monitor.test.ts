import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withAdvisoryLock } from "../../db/advisory-lock";
import { rows } from "../../db/client";
import { verifyAuditChain } from "../../domain/audit/audit-log";
import type { StaffPrincipal } from "../../domain/auth/principal";
import { principalOf } from "../../domain/auth/session";
import { MONITOR_ROUND_LOCK, runMonitorRound } from "../../domain/monitor/fetcher";
import { monitorItem, monitorQueue, parseQueueFilters } from "../../domain/monitor/queue";
import { addDutyShift, notifyOverdueItems, OVERDUE_TEMPLATE } from "../../domain/monitor/roster";
import { parseAllowList } from "../../domain/monitor/safety";
import {
  addSource,
  deleteSource,
  fetchSourceNow,
  getSource,
  listSources,
  mergeSourcesFile,
  setSourceEnabled,
  updateSource,
} from "../../domain/monitor/sources";
import { monitorStats } from "../../domain/monitor/stats";
import { dismissItem, markItemKnown, turnItemIntoTicket } from "../../domain/monitor/triage";
import { addTerm } from "../../domain/monitor/watch-list";
import { segmentForIndex } from "../../search/text";
import { testDatabase } from "../support/db";
import { type FeedServer, startFeedServer } from "../support/feed-server";

// The watch end to end against a local feed server: what is caught and grouped, what is not, a re-fetch
// adding nothing (and costing a 304), each way a source can fail on its health line, the private-address
// refusal (the local server itself is only reachable because the test allows 127.0.0.1), triage into a
// tier-I ticket, and the overdue notification sent exactly once.

let feeds: FeedServer;
const ALLOW_LOCAL = parseAllowList("127.0.0.1");
// The fetch deadline leaves room for a loaded CI machine; the slow feed answers well after it.
const FAST = { allow: ALLOW_LOCAL, timeoutMs: 4_000, maxBytes: 1_048_576, concurrency: 4 };
const TERMS = ["低保", "危房改造", "补助", "优亲厚友", "截留", "挪用", "扶贫", "扶贫资金", "贫困户"];

beforeAll(async () => {
  // Load the segmenter's dictionary now, not inside the first round while its fetch deadlines run.
  segmentForIndex("高青县常家镇");
  feeds = await startFeedServer();
});
afterAll(async () => {
  await feeds?.close();
});

async function person(role: string, unitCode: string, username = `${role}-${unitCode}`): Promise<StaffPrincipal> {
  const { db } = await testDatabase();
  const [{ id }] = await rows<{ id: number }>(
    db,
    sql`INSERT INTO users (username, display_name, role, unit_id) VALUES (${username}, ${username}, ${role},
        (SELECT id FROM units WHERE code = ${unitCode})) RETURNING id`,
  );
  return principalOf(db, id);
}

async function setUp() {
  const { db } = await testDatabase();
  const admin = await person("admin", "city-hotline");
  for (const t of TERMS) await addTerm(db, admin, t);
  const sources = [
    { name: "论坛 RSS", url: `${feeds.base}/rss.xml`, kind: "rss" },
    { name: "留言板 Atom", url: `${feeds.base}/atom.xml`, kind: "atom" },
    { name: "问政 JSON", url: `${feeds.base}/feed.json`, kind: "jsonfeed" },
    { name: "政务网 GBK", url: `${feeds.base}/gbk.html`, kind: "html", itemSelector: "ul.news li" },
    { name: "慢站", url: `${feeds.base}/slow`, kind: "rss" },
    { name: "失效页", url: `${feeds.base}/missing`, kind: "rss" },
    { name: "循环跳转", url: `${feeds.base}/loop-a`, kind: "rss" },
    { name: "跳到内网", url: `${feeds.base}/to-private`, kind: "rss" },
    { name: "超大文件", url: `${feeds.base}/huge`, kind: "rss" },
    { name: "格式错误", url: `${feeds.base}/malformed.xml`, kind: "rss" },
  ];
  const dir = mkdtempSync(path.join(tmpdir(), "monitor-sources-"));
  const file = path.join(dir, "sources.json");
  writeFileSync(file, JSON.stringify(sources));
  expect(await mergeSourcesFile(db, file)).toEqual({ added: sources.length, updated: 0 });
  expect(await mergeSourcesFile(db, file)).toEqual({ added: 0, updated: sources.length });
  return { db, admin };
}

const byName = async (name: string) => (await listSources((await testDatabase()).db)).find((s) => s.name === name)!;

describe("fetch round against the local feed server", () => {
  it("catches relevant items from every kind of source, groups the re-post, and marks failures on the health line", async () => {
    const { db } = await setUp();
    const report = await runMonitorRound(db, FAST);
    expect(report.ran).toBe(true);
    expect(report.sources).toHaveLength(10);

    const items = await rows<{
      title: string;
      is_head: boolean;
      group_id: number;
      id: number;
      spread: number;
      terms: string[];
      places: string[];
    }>(db, sql`SELECT id, title, is_head, group_id, spread, terms, places FROM monitor_items ORDER BY id`);
    const titles = items.map((i) => i.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        "高青县常家镇危房改造补助优亲厚友？",
        "【转】高青县常家镇危房改造补助优亲厚友",
        "沂源县有人挪用扶贫资金150万元",
        "淄川区低保户反映补助被截留",
        "博山区脱贫户反映扶贫大棚无人管护", // from the GB2312 page, decoded
      ]),
    );
    expect(items).toHaveLength(5);
    for (const irrelevant of [
      "提高青年就业水平的几点建议",
      "周末去哪儿玩",
      "天气预报",
      "小区停车难",
      "博山区举办文化节",
    ]) {
      expect(titles).not.toContain(irrelevant);
    }
    // The re-post joined the first-seen story's group; the head counts its spread.
    // Sources are fetched side by side, so either may be recorded first; the first recorded is the head.
    const first = items.find((i) => i.title === "高青县常家镇危房改造补助优亲厚友？")!;
    const repost = items.find((i) => i.title.startsWith("【转】"))!;
    expect([first.is_head, repost.is_head].filter(Boolean)).toHaveLength(1);
    const [head, member] = first.is_head ? [first, repost] : [repost, first];
    expect(Number(member.group_id)).toBe(Number(head.id));
    const [h] = await rows<{ spread: number }>(db, sql`SELECT spread FROM monitor_items WHERE id = ${head.id}`);
    expect(Number(h.spread)).toBe(1);
    expect(first.places).toEqual(expect.arrayContaining(["高青县", "常家镇"]));
    expect(first.terms).toEqual(expect.arrayContaining(["危房改造", "优亲厚友", "补助"]));

    const rss = await byName("论坛 RSS");
    expect(rss).toMatchObject({ healthy: true, itemsSeen: 4, itemsCaught: 2, lastError: null });
    expect((await byName("政务网 GBK")).itemsCaught).toBe(1);
    expect(await byName("慢站")).toMatchObject({ healthy: false, lastError: expect.stringContaining("超时") });
    expect(await byName("失效页")).toMatchObject({ healthy: false, lastError: "HTTP 404" });
    expect((await byName("循环跳转")).lastError).toMatch(/重定向循环/);
    expect((await byName("跳到内网")).lastError).toMatch(/拒绝访问内网或本机地址 10\.255\.255\.1/);
    expect((await byName("超大文件")).lastError).toMatch(/内容过大/);
    expect((await byName("格式错误")).lastError).toMatch(/XML/);
    // A failing source backs off: its next attempt is later than its interval.
    const slow = await byName("慢站");
    expect(slow.consecutiveFailures).toBe(1);
    expect(slow.nextFetchAt.getTime() - Date.now()).toBeGreaterThan(55 * 60_000);
    expect(feeds.hits.get("/loop-a")).toBeGreaterThanOrEqual(1);
  });

  it("adds nothing on a re-fetch, and the unchanged RSS feed answers 304", async () => {
    const { db } = await setUp();
    await runMonitorRound(db, FAST);
    const [{ n: before }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM monitor_items`);
    const notModifiedBefore = feeds.notModified;
    // Not due yet: a scheduled round fetches nothing.
    expect((await runMonitorRound(db, FAST)).sources).toHaveLength(0);
    const again = await runMonitorRound(db, { ...FAST, all: true });
    expect(again.sources.find((s) => s.name === "论坛 RSS")).toMatchObject({ ok: true, notModified: true, caught: 0 });
    expect(feeds.notModified).toBe(notModifiedBefore + 1);
    const [{ n: after }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM monitor_items`);
    expect(after).toBe(before);
    const [{ spread }] = await rows<{ spread: number }>(db, sql`SELECT max(spread)::int AS spread FROM monitor_items`);
    expect(spread).toBe(1);
  });

  it("refuses the loopback server itself when it is not on the allow-list", async () => {
    const { db } = await setUp();
    const report = await runMonitorRound(db, { ...FAST, allow: [] });
    expect(report.sources.every((s) => !s.ok)).toBe(true);
    expect((await byName("论坛 RSS")).lastError).toMatch(/拒绝访问内网或本机地址 127\.0\.0\.1/);
    expect(feeds.hits.get("/never")).toBeUndefined();
    const [{ n }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM monitor_items`);
    expect(n).toBe(0);
  });

  it("runs one round at a time: a second call while one is running does nothing", async () => {
    const { db } = await setUp();
    const [a, b] = await Promise.all([runMonitorRound(db, FAST), runMonitorRound(db, FAST)]);
    expect([a.ran, b.ran].sort()).toEqual([false, true]);
    // Free again once the first has finished.
    expect((await runMonitorRound(db, FAST)).ran).toBe(true);
  });
});

describe("sources in the console", () => {
  it("validates input, refuses duplicates and non-admins, and audits", async () => {
    const { db } = await testDatabase();
    const admin = await person("admin", "city-hotline");
    const operator = await person("operator", "city-hotline");
    await expect(
      addSource(db, operator, { name: "x", url: "https://a.example/rss", kind: "rss" }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(addSource(db, admin, { name: "x", url: "ftp://a.example/rss", kind: "rss" })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: [{ path: "url", message: "只允许 http 或 https 网址" }],
    });
    await expect(addSource(db, admin, { name: "x", url: "https://a.example/", kind: "html" })).rejects.toMatchObject({
      details: [{ path: "itemSelector" }],
    });
    const { id } = await addSource(db, admin, {
      name: "x",
      url: "https://a.example/rss",
      kind: "rss",
      intervalMinutes: "15",
    });
    await expect(addSource(db, admin, { name: "y", url: "https://a.example/rss", kind: "rss" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await setSourceEnabled(db, admin, id, false);
    const audit = await rows<{ action: string }>(db, sql`SELECT action FROM audit_log ORDER BY id`);
    expect(audit.map((a) => a.action)).toEqual(["monitor.source.add", "monitor.source.disable"]);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });
});

describe("editing, deleting and fetching a source now", () => {
  const auditActions = async () =>
    (await rows<{ action: string }>((await testDatabase()).db, sql`SELECT action FROM audit_log ORDER BY id`)).map(
      (a) => a.action,
    );

  it("edits every field, refuses bad input, a taken URL and non-admins, and audits what changed", async () => {
    const { db } = await testDatabase();
    const admin = await person("admin", "city-hotline");
    const operator = await person("operator", "city-hotline");
    const { id } = await addSource(db, admin, { name: "旧名", url: "https://a.example/rss", kind: "rss" });
    await addSource(db, admin, { name: "另一个", url: "https://b.example/rss", kind: "rss" });
    const [unit] = await rows<{ id: number }>(db, sql`SELECT id FROM units WHERE code = 'city-hotline'`);
    const edit = {
      name: "新名",
      url: "https://a.example/list",
      kind: "html",
      itemSelector: "ul li",
      intervalMinutes: "90",
      enabled: false,
      ownerUnitId: String(unit.id),
    };
    await expect(updateSource(db, operator, id, edit)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(updateSource(db, admin, id, { ...edit, itemSelector: "" })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: [{ path: "itemSelector" }],
    });
    await expect(updateSource(db, admin, id, { ...edit, url: "https://b.example/rss" })).rejects.toMatchObject({
      code: "CONFLICT",
      details: [{ path: "url" }],
    });
    await expect(updateSource(db, admin, 999_999, edit)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(updateSource(db, admin, id, { ...edit, ownerUnitId: "999999" })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: [{ path: "ownerUnitId" }],
    });
    expect((await getSource(db, id)).name).toBe("旧名");
    expect((await updateSource(db, admin, id, edit)).changed.sort()).toEqual(
      ["enabled", "interval_minutes", "item_selector", "kind", "name", "owner_unit_id", "url"].sort(),
    );
    expect(await getSource(db, id)).toMatchObject({
      name: "新名",
      url: "https://a.example/list",
      kind: "html",
      itemSelector: "ul li",
      intervalMinutes: 90,
      enabled: false,
      ownerUnitId: unit.id,
    });
    expect((await updateSource(db, admin, id, edit)).changed).toEqual([]);
    const [last] = await rows<{ details: Record<string, { from: unknown; to: unknown }> }>(
      db,
      sql`SELECT details FROM audit_log WHERE action = 'monitor.source.update' ORDER BY id DESC LIMIT 1`,
    );
    expect(last.details.name).toEqual({ from: "旧名", to: "新名" });
    expect(await auditActions()).toEqual(["monitor.source.add", "monitor.source.add", "monitor.source.update"]);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it("deletes a source without items; one with items is switched off and keeps them", async () => {
    const { db, admin } = await setUp();
    await runMonitorRound(db, FAST);
    const rss = await byName("论坛 RSS");
    const missing = await byName("失效页");
    await expect(deleteSource(db, await person("supervisor", "city-hotline"), missing.id)).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await deleteSource(db, admin, missing.id)).toEqual({ deleted: true });
    await expect(getSource(db, missing.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const [{ before }] = await rows<{ before: number }>(
      db,
      sql`SELECT count(*)::int AS before FROM monitor_items WHERE source_id = ${rss.id}`,
    );
    expect(before).toBeGreaterThan(0);
    expect(await deleteSource(db, admin, rss.id)).toEqual({ deleted: false });
    expect((await getSource(db, rss.id)).enabled).toBe(false);
    const [{ after }] = await rows<{ after: number }>(
      db,
      sql`SELECT count(*)::int AS after FROM monitor_items WHERE source_id = ${rss.id}`,
    );
    expect(after).toBe(before);
    expect((await auditActions()).slice(-2)).toEqual(["monitor.source.delete", "monitor.source.disable"]);
    await expect(deleteSource(db, admin, missing.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("fetches one source now (even a switched-off one) through the fetcher's safety rules, audited", async () => {
    const { db, admin } = await setUp();
    const rss = await byName("论坛 RSS");
    await setSourceEnabled(db, admin, rss.id, false);
    const hitsBefore = feeds.hits.get("/atom.xml") ?? 0;
    const r = await fetchSourceNow(db, admin, rss.id, FAST);
    expect(r).toMatchObject({ sourceId: rss.id, ok: true });
    expect(r.caught).toBeGreaterThan(0);
    // Only that source was fetched.
    expect(feeds.hits.get("/atom.xml") ?? 0).toBe(hitsBefore);
    expect(await getSource(db, rss.id)).toMatchObject({ healthy: true, itemsCaught: r.caught, enabled: false });
    // The second fetch finds nothing new (a 304).
    expect(await fetchSourceNow(db, admin, rss.id, FAST)).toMatchObject({ ok: true, notModified: true, caught: 0 });
    // Not on the allow-list: refused like in a round, the reason on the health line.
    const refused = await fetchSourceNow(db, admin, rss.id, { ...FAST, allow: [] });
    expect(refused.ok).toBe(false);
    expect((await getSource(db, rss.id)).lastError).toMatch(/拒绝访问内网或本机地址/);
    const fetches = await rows<{ details: { ok: boolean; caught: number } }>(
      db,
      sql`SELECT details FROM audit_log WHERE action = 'monitor.source.fetch' ORDER BY id`,
    );
    expect(fetches.map((f) => [f.details.ok, f.details.caught])).toEqual([
      [true, r.caught],
      [true, 0],
      [false, 0],
    ]);
    await expect(fetchSourceNow(db, await person("operator", "city-hotline"), rss.id, FAST)).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(fetchSourceNow(db, admin, 999_999, FAST)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("waits for no running round: while the round lock is held, fetch-now is a 409 and fetches nothing", async () => {
    const { db, admin } = await setUp();
    const rss = await byName("论坛 RSS");
    const hitsBefore = feeds.hits.get("/rss.xml") ?? 0;
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => {
      locked = r;
    });
    const holder = withAdvisoryLock(MONITOR_ROUND_LOCK, async () => {
      locked();
      await held;
    });
    await isLocked;
    await expect(fetchSourceNow(db, admin, rss.id, FAST)).rejects.toMatchObject({ code: "CONFLICT" });
    expect(feeds.hits.get("/rss.xml") ?? 0).toBe(hitsBefore);
    release();
    expect((await holder).ran).toBe(true);
    expect((await fetchSourceNow(db, admin, rss.id, FAST)).ok).toBe(true);
  });
});

describe("queue counts", () => {
  it("counts a short page exactly, a small filter exactly, and a large one as more than the cap", async () => {
    const { db } = await testDatabase();
    const admin = await person("admin", "city-hotline");
    const { id: sourceId } = await addSource(db, admin, { name: "批量", url: "https://bulk.example/rss", kind: "rss" });
    const [{ id: districtId }] = await rows<{ id: number }>(db, sql`SELECT id FROM districts ORDER BY id LIMIT 1`);
    // 5,000 heads, 60 of them in one district; nothing else there.
    await db.execute(sql`INSERT INTO monitor_items (source_id, entry_key, url, title, excerpt, snapshot, terms, places,
        district_id, simhash, simkeys, group_id, is_head, spread, state, fetched_at)
      SELECT ${sourceId}::int, 'bulk-' || g, 'https://bulk.example/' || g, '条目 ' || g, '', '', ARRAY['低保'], ARRAY[]::text[],
        CASE WHEN g <= 60 THEN ${districtId}::int END, g::bigint, ARRAY[g], 0, true, 0, 'new', now() - (g / 10) * interval '1 minute'
      FROM generate_series(1, 5000) g`);
    await db.execute(sql`UPDATE monitor_items SET group_id = id`);
    await db.execute(sql`ANALYZE monitor_items`);
    const q = (query: string) => monitorQueue(db, parseQueueFilters(new URLSearchParams(query)));
    expect(await q("")).toMatchObject({ total: 1001, capped: true });
    const all = await q("page=3");
    expect(all.items).toHaveLength(50);
    expect(all.capped).toBe(true);
    expect(await q(`district=${districtId}`)).toMatchObject({ total: 60, capped: false });
    const second = await q(`district=${districtId}&page=2`);
    expect(second).toMatchObject({ total: 60, capped: false });
    expect(second.items).toHaveLength(10);
    expect(await q(`district=${districtId}&page=3`)).toMatchObject({ total: 60, items: [] });
    expect(await q("state=dismissed")).toMatchObject({ total: 0, capped: false });
  });

  it("pages by keyset cursors in either sort, through ties, forwards and back, like the offsets", async () => {
    const { db } = await testDatabase();
    const admin = await person("admin", "city-hotline");
    const { id: sourceId } = await addSource(db, admin, { name: "批量", url: "https://bulk.example/rss", kind: "rss" });
    // Ten items per minute and a spread shared by many: the cursor's id breaks the ties.
    await db.execute(sql`INSERT INTO monitor_items (source_id, entry_key, url, title, excerpt, snapshot, terms, places,
        simhash, simkeys, group_id, is_head, spread, state, fetched_at)
      SELECT ${sourceId}::int, 'bulk-' || g, 'https://bulk.example/' || g, '条目 ' || g, '', '', ARRAY['低保'], ARRAY[]::text[],
        g::bigint, ARRAY[g], 0, true, g % 3, 'new', now() - (g / 10) * interval '1 minute'
      FROM generate_series(1, 180) g`);
    await db.execute(sql`UPDATE monitor_items SET group_id = id`);
    const q = (query: string) => monitorQueue(db, parseQueueFilters(new URLSearchParams(query)));
    const ids = (r: { items: { id: number }[] }) => r.items.map((i) => i.id);
    for (const sort of ["new", "spread"]) {
      const p1 = await q(`sort=${sort}`);
      expect(p1.prev).toBeNull();
      const p2 = await q(`sort=${sort}&page=2&after=${p1.next}`);
      expect(ids(p2)).toEqual(ids(await q(`sort=${sort}&page=2`)));
      const p3 = await q(`sort=${sort}&page=3&after=${p2.next}`);
      expect(ids(p3)).toEqual(ids(await q(`sort=${sort}&page=3`)));
      const p4 = await q(`sort=${sort}&page=4&after=${p3.next}`);
      expect(p4.items).toHaveLength(30);
      expect(p4.next).toBeNull();
      expect(p4).toMatchObject({ total: 180, capped: false });
      expect(new Set([...ids(p1), ...ids(p2), ...ids(p3), ...ids(p4)]).size).toBe(180);
      const back = await q(`sort=${sort}&page=2&before=${p3.prev}`);
      expect(ids(back)).toEqual(ids(p2));
      expect(back.prev).not.toBeNull();
      expect(back.next).not.toBeNull();
    }
    // A malformed cursor is ignored (the first page), never an error.
    expect(ids(await q("after=abc_1"))).toEqual(ids(await q("")));
    expect(ids(await q("sort=spread&after=99999999999_1"))).toEqual(ids(await q("sort=spread")));
  });
});

describe("triage", () => {
  async function caught() {
    const { db, admin } = await setUp();
    await runMonitorRound(db, FAST);
    const operator = await person("operator", "city-hotline");
    const id = async (title: string) => {
      const [r] = await rows<{ id: number }>(db, sql`SELECT id FROM monitor_items WHERE title = ${title}`);
      return Number(r.id);
    };
    return { db, admin, operator, id };
  }

  it("turns an item into a tier-I 网络舆情 ticket with its link, snapshot and a 24-hour first response", async () => {
    const { db, operator, id } = await caught();
    const itemId = await id("沂源县有人挪用扶贫资金150万元");
    const started = Date.now();
    const result = await turnItemIntoTicket(db, operator, itemId, {
      kind: "report",
      category: "fund_management",
      district: "沂源县",
      summary: "网帖反映扶贫资金被挪用",
    });
    expect(result.ticket.tier).toBe("I");
    const firstResponse = new Date(result.ticket.deadlines.firstResponseBy!).getTime();
    expect(firstResponse - started).toBeGreaterThan(23.9 * 3600_000);
    expect(firstResponse - started).toBeLessThan(24.1 * 3600_000);
    const [t] = await rows<{ channel: string; description: string; source_url: string }>(
      db,
      sql`SELECT t.channel, t.description, s.source_url FROM tickets t JOIN ticket_media_sources s ON s.ticket_id = t.id
          WHERE t.number = ${result.ticket.number}`,
    );
    expect(t.channel).toBe("media");
    expect(t.source_url).toBe(`${feeds.base}/posts/2`);
    expect(t.description).toContain("150万元被挪用于修建办公楼");
    const detail = await monitorItem(db, itemId);
    expect(detail).toMatchObject({ state: "ticketed", ticketNumber: result.ticket.number, ticketTier: "I" });
    // Acting twice is refused, not a second ticket.
    await expect(
      turnItemIntoTicket(db, operator, itemId, { kind: "report", category: "fund_management", district: "沂源县" }),
    ).rejects.toMatchObject({ code: "INVALID_TRANSITION" });
    await expect(dismissItem(db, operator, itemId, "重复")).rejects.toMatchObject({ code: "INVALID_TRANSITION" });
    const audit = await rows<{ action: string; details: { ticket?: string } }>(
      db,
      sql`SELECT action, details FROM audit_log WHERE subject_type = 'monitor_item'`,
    );
    expect(audit).toEqual([
      expect.objectContaining({
        action: "monitor.ticket",
        details: expect.objectContaining({ ticket: result.ticket.number }),
      }),
    ]);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it("a bad ticket field is a 400 naming it, and nothing changes", async () => {
    const { db, operator, id } = await caught();
    const itemId = await id("淄川区低保户反映补助被截留");
    await expect(
      turnItemIntoTicket(db, operator, itemId, { kind: "report", category: "housing", district: "火星区" }),
    ).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    expect((await monitorItem(db, itemId)).state).toBe("new");
    const [{ n }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM tickets`);
    expect(n).toBe(0);
  });

  it("dismisses with a reason, marks known, refuses members, handlers and empty reasons", async () => {
    const { db, operator, admin, id } = await caught();
    const a = await id("淄川区低保户反映补助被截留");
    await expect(dismissItem(db, operator, a, "  ")).rejects.toMatchObject({ details: [{ path: "reason" }] });
    const handler = await person("handler", "city-housing");
    await expect(dismissItem(db, handler, a, "无关")).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(markItemKnown(db, admin, a)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await dismissItem(db, operator, a, "已核实为旧闻");
    const d = await monitorItem(db, a);
    expect(d).toMatchObject({ state: "dismissed", dismissReason: "已核实为旧闻", triagedBy: operator.displayName });
    const [member] = await rows<{ id: number }>(db, sql`SELECT id FROM monitor_items WHERE NOT is_head`);
    await expect(markItemKnown(db, operator, Number(member.id))).rejects.toMatchObject({ code: "CONFLICT" });
    const b = await id("博山区脱贫户反映扶贫大棚无人管护");
    await markItemKnown(db, operator, b);
    expect((await monitorItem(db, b)).state).toBe("known");

    const queue = await monitorQueue(db, parseQueueFilters(new URLSearchParams("state=new")));
    // The story and its re-post were caught in the same round: whichever got the lower id heads the group.
    const newTitles = queue.items.map((i) => i.title);
    expect(newTitles).toHaveLength(2);
    expect(newTitles).toContain("沂源县有人挪用扶贫资金150万元");
    expect(newTitles.some((t) => t.includes("高青县常家镇危房改造补助优亲厚友"))).toBe(true);
    const spread = await monitorQueue(db, parseQueueFilters(new URLSearchParams("state=all&sort=spread")));
    expect(spread.items[0].spread).toBe(1);
    expect(spread.total).toBe(4); // heads only
    const byTerm = await monitorQueue(db, parseQueueFilters(new URLSearchParams("state=all&term=低保")));
    expect(byTerm.items.map((i) => i.title)).toEqual(["淄川区低保户反映补助被截留"]);
    const [zc] = await rows<{ id: number }>(db, sql`SELECT id FROM districts WHERE name = '淄川区'`);
    const byDistrict = await monitorQueue(db, parseQueueFilters(new URLSearchParams(`state=all&district=${zc.id}`)));
    expect(byDistrict.total).toBe(1);

    const year = new Date().getUTCFullYear();
    const staffStats = await monitorStats(db, { year, publicView: false });
    expect(staffStats.total).toMatchObject({ caught: 4, ticketed: 0 });
    const publicStats = await monitorStats(db, { year, publicView: true });
    // Each district has one or two items: withheld in public.
    expect(publicStats.districts.every((d) => d.caught === null)).toBe(true);
    expect(publicStats.total.caught).toBe(4);
  });
});

describe("duty roster and overdue triage", () => {
  it("notifies the person on duty exactly once, then the supervisors once", async () => {
    const { db } = await setUp();
    await runMonitorRound(db, FAST);
    const supervisor = await person("supervisor", "city-hotline");
    const operator = await person("operator", "city-hotline");
    await expect(
      addDutyShift(db, operator, {
        userId: operator.userId,
        startsAt: new Date(),
        endsAt: new Date(Date.now() + 3600_000),
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      addDutyShift(db, supervisor, { userId: operator.userId, startsAt: new Date(), endsAt: new Date(Date.now() - 1) }),
    ).rejects.toMatchObject({ details: [{ path: "endsAt" }] });
    await addDutyShift(db, supervisor, {
      userId: operator.userId,
      startsAt: new Date(Date.now() - 3600_000),
      endsAt: new Date(Date.now() + 8 * 3600_000),
    });
    // Nothing is late yet.
    expect(await notifyOverdueItems(db, { triageMinutes: 60 })).toEqual({ duty: 0, supervisors: 0 });
    const [late] = await rows<{ id: number }>(db, sql`SELECT id FROM monitor_items WHERE title LIKE '沂源县%'`);
    await db.execute(sql`UPDATE monitor_items SET fetched_at = now() - interval '61 minutes' WHERE id = ${late.id}`);
    expect(await notifyOverdueItems(db, { triageMinutes: 60 })).toEqual({ duty: 1, supervisors: 0 });
    expect(await notifyOverdueItems(db, { triageMinutes: 60 })).toEqual({ duty: 0, supervisors: 0 });
    const sent = () =>
      rows<{ recipient: string; data: { step: string; itemId: number } }>(
        db,
        sql`SELECT recipient, data FROM notification_outbox WHERE template = ${OVERDUE_TEMPLATE} ORDER BY id`,
      );
    expect(await sent()).toEqual([
      expect.objectContaining({
        recipient: `user:${operator.userId}`,
        data: expect.objectContaining({ step: "duty", itemId: Number(late.id) }),
      }),
    ]);
    const overdue = await monitorQueue(db, parseQueueFilters(new URLSearchParams("state=overdue")));
    expect(overdue.items.map((i) => i.id)).toEqual([Number(late.id)]);
    // Still untriaged at twice the time: the supervisors, once.
    await db.execute(sql`UPDATE monitor_items SET fetched_at = now() - interval '121 minutes' WHERE id = ${late.id}`);
    expect(await notifyOverdueItems(db, { triageMinutes: 60 })).toEqual({ duty: 0, supervisors: 1 });
    expect(await notifyOverdueItems(db, { triageMinutes: 60 })).toEqual({ duty: 0, supervisors: 0 });
    expect((await sent()).map((s) => s.recipient)).toEqual([`user:${operator.userId}`, `user:${supervisor.userId}`]);
  });

  it("with nobody on duty notifies the supervisors at once; a triaged item notifies no one", async () => {
    const { db } = await setUp();
    await runMonitorRound(db, FAST);
    const supervisor = await person("supervisor", "city-hotline");
    const operator = await person("operator", "city-hotline");
    await db.execute(sql`UPDATE monitor_items SET fetched_at = now() - interval '90 minutes'`);
    const [keep] = await rows<{ id: number }>(db, sql`SELECT id FROM monitor_items WHERE title LIKE '淄川区%'`);
    await dismissItem(db, operator, Number(keep.id), "无关");
    const heads = await rows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM monitor_items WHERE is_head AND state = 'new'`,
    );
    expect(await notifyOverdueItems(db, { triageMinutes: 60 })).toEqual({ duty: 0, supervisors: heads[0].n });
    const recipients = await rows<{ recipient: string }>(db, sql`SELECT DISTINCT recipient FROM notification_outbox`);
    expect(recipients).toEqual([{ recipient: `user:${supervisor.userId}` }]);
    expect(await notifyOverdueItems(db, { triageMinutes: 60 })).toEqual({ duty: 0, supervisors: 0 });
  });
});
