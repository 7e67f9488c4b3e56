import { readFileSync } from "node:fs";
import { type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { type Db, rows } from "../../db/client";
import { AppError, conflict, forbidden, notFound } from "../../lib/errors";
import { appendAudit } from "../audit/audit-log";
import type { StaffPrincipal } from "../auth/principal";
import { type RoundOptions, runMonitorRound, type SourceResult } from "./fetcher";
import { SOURCE_KINDS } from "./parse-feeds";
import { checkUrl } from "./safety";

// Monitored sources: managed by admins in the console (add, edit, switch off, delete, fetch now), or
// declared in the JSON file named by MONITOR_SOURCES_FILE (merged at start: a file source is added or
// updated by URL, never deleted — a deployment ships its list, and the console can still switch one off).
// A source that caught items is never deleted (the items and their snapshots stay on record): deleting
// it switches it off instead.

export const SOURCE_ADMIN_ROLES = ["admin"] as const;

export const SourceInput = z
  .object({
    name: z.string({ error: "请填写来源名称" }).trim().min(1, "请填写来源名称").max(100, "名称不能超过 100 字"),
    url: z
      .string({ error: "请填写网址" })
      .trim()
      .max(2000, "网址不能超过 2000 字符")
      .superRefine((v, ctx) => {
        const c = checkUrl(v);
        if (!c.ok) ctx.addIssue({ code: "custom", message: c.reason });
      }),
    kind: z.enum(SOURCE_KINDS, { error: "请选择来源类型（rss、atom、jsonfeed、html）" }),
    itemSelector: z
      .string()
      .trim()
      .max(200, "选择器不能超过 200 字符")
      .nullish()
      .transform((v) => (v ? v : null)),
    intervalMinutes: z.coerce
      .number({ error: "抓取间隔须为数字" })
      .int("抓取间隔须为整数分钟")
      .min(1, "抓取间隔至少 1 分钟")
      .max(1440, "抓取间隔不能超过 1440 分钟")
      .default(30),
    enabled: z.boolean().default(true),
    ownerUnitId: z.coerce.number().int().positive().nullish(),
  })
  .superRefine((v, ctx) => {
    if (v.kind === "html" && !v.itemSelector)
      ctx.addIssue({ code: "custom", path: ["itemSelector"], message: "网页列表来源须填写条目的 CSS 选择器" });
  });
export type SourceInputType = z.input<typeof SourceInput>;

function validation(err: z.ZodError) {
  const details = err.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  return new AppError("VALIDATION_FAILED", `请求参数有误：${details[0]?.path} ${details[0]?.message}`, details);
}

export interface SourceView {
  id: number;
  name: string;
  url: string;
  kind: string;
  itemSelector: string | null;
  intervalMinutes: number;
  enabled: boolean;
  ownerUnitId: number | null;
  ownerUnitName: string | null;
  origin: string;
  lastSuccessAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  consecutiveFailures: number;
  itemsSeen: number;
  itemsCaught: number;
  nextFetchAt: Date;
  healthy: boolean;
}

export function listSources(db: Db): Promise<SourceView[]> {
  return selectSources(db, sql`true`);
}

/** One source with its health line (404 when there is none). */
export async function getSource(db: Db, id: number): Promise<SourceView> {
  const [source] = await selectSources(db, sql`s.id = ${id}`);
  if (!source) throw notFound("监测来源不存在");
  return source;
}

async function selectSources(db: Db, where: SQL): Promise<SourceView[]> {
  const r = await rows<Record<string, unknown>>(
    db,
    sql`SELECT s.*, u.name AS owner_unit_name FROM monitor_sources s LEFT JOIN units u ON u.id = s.owner_unit_id
        WHERE ${where} ORDER BY s.name, s.id`,
  );
  const d = (v: unknown) => (v ? new Date(v as string) : null);
  return r.map((x) => ({
    id: Number(x.id),
    name: String(x.name),
    url: String(x.url),
    kind: String(x.kind),
    itemSelector: (x.item_selector as string | null) ?? null,
    intervalMinutes: Number(x.interval_minutes),
    enabled: Boolean(x.enabled),
    ownerUnitId: x.owner_unit_id == null ? null : Number(x.owner_unit_id),
    ownerUnitName: (x.owner_unit_name as string | null) ?? null,
    origin: String(x.origin),
    lastSuccessAt: d(x.last_success_at),
    lastError: (x.last_error as string | null) ?? null,
    lastErrorAt: d(x.last_error_at),
    consecutiveFailures: Number(x.consecutive_failures),
    itemsSeen: Number(x.items_seen),
    itemsCaught: Number(x.items_caught),
    nextFetchAt: new Date(x.next_fetch_at as string),
    healthy: Number(x.consecutive_failures) === 0 && x.last_success_at != null,
  }));
}

function assertAdmin(staff: StaffPrincipal) {
  if (!(SOURCE_ADMIN_ROLES as readonly string[]).includes(staff.role)) throw forbidden("只有管理员可以管理监测来源");
}

/** Add a source (admin), audited. A URL already on the list is a 409. */
export async function addSource(db: Db, staff: StaffPrincipal, raw: unknown) {
  assertAdmin(staff);
  const parsed = SourceInput.safeParse(raw);
  if (!parsed.success) throw validation(parsed.error);
  const v = parsed.data;
  return db.transaction(async (tx) => {
    await checkOwnerUnit(tx, v.ownerUnitId);
    const [row] = await rows<{ id: number }>(
      tx,
      sql`INSERT INTO monitor_sources (name, url, kind, item_selector, interval_minutes, enabled, owner_unit_id, origin)
          VALUES (${v.name}, ${v.url}, ${v.kind}, ${v.itemSelector}, ${v.intervalMinutes}, ${v.enabled}, ${v.ownerUnitId ?? null}, 'console')
          ON CONFLICT (url) DO NOTHING RETURNING id`,
    );
    if (!row) throw urlTaken();
    await appendAudit(tx, {
      actorId: staff.userId,
      action: "monitor.source.add",
      subjectType: "monitor_source",
      subjectId: String(row.id),
      details: { name: v.name, url: v.url, kind: v.kind },
    });
    return { id: Number(row.id) };
  });
}

/** Switch a source on or off (admin), audited; switching on schedules it at once. */
export async function setSourceEnabled(db: Db, staff: StaffPrincipal, id: number, enabled: boolean) {
  assertAdmin(staff);
  return db.transaction(async (tx) => {
    const r = await rows<{ id: number }>(
      tx,
      sql`UPDATE monitor_sources SET enabled = ${enabled}, updated_at = now(),
            next_fetch_at = CASE WHEN ${enabled ? sql`true` : sql`false`} THEN now() ELSE next_fetch_at END,
            consecutive_failures = CASE WHEN ${enabled ? sql`true` : sql`false`} THEN 0 ELSE consecutive_failures END
          WHERE id = ${id} RETURNING id`,
    );
    if (!r[0]) throw notFound("监测来源不存在");
    await appendAudit(tx, {
      actorId: staff.userId,
      action: enabled ? "monitor.source.enable" : "monitor.source.disable",
      subjectType: "monitor_source",
      subjectId: String(id),
    });
  });
}

/** A named owner unit must exist: a 400 on the field, not a foreign-key error. */
async function checkOwnerUnit(tx: Db, unitId: number | null | undefined) {
  if (unitId == null) return;
  const [unit] = await rows(tx, sql`SELECT 1 FROM units WHERE id = ${unitId}`);
  if (!unit)
    throw new AppError("VALIDATION_FAILED", "负责单位不存在", [{ path: "ownerUnitId", message: "负责单位不存在" }]);
}

const urlTaken = () => conflict("该网址已在监测来源中", [{ path: "url", message: "该网址已在监测来源中" }]);

/**
 * Edit a source (admin): every field of the add form, audited with what changed. A new URL forgets the
 * old one's validators (ETag, Last-Modified) and schedules a fetch at once; a URL another source has is a 409.
 */
export async function updateSource(db: Db, staff: StaffPrincipal, id: number, raw: unknown) {
  assertAdmin(staff);
  const parsed = SourceInput.safeParse(raw);
  if (!parsed.success) throw validation(parsed.error);
  const v = parsed.data;
  return db.transaction(async (tx) => {
    const [before] = await rows<Record<string, unknown>>(
      tx,
      sql`SELECT name, url, kind, item_selector, interval_minutes, enabled, owner_unit_id FROM monitor_sources
          WHERE id = ${id} FOR UPDATE`,
    );
    if (!before) throw notFound("监测来源不存在");
    const [taken] = await rows(tx, sql`SELECT 1 FROM monitor_sources WHERE url = ${v.url} AND id <> ${id}`);
    if (taken) throw urlTaken();
    await checkOwnerUnit(tx, v.ownerUnitId);
    const after: Record<string, unknown> = {
      name: v.name,
      url: v.url,
      kind: v.kind,
      item_selector: v.itemSelector,
      interval_minutes: v.intervalMinutes,
      enabled: v.enabled,
      owner_unit_id: v.ownerUnitId ?? null,
    };
    const changed = Object.keys(after).filter((k) => String(before[k] ?? "") !== String(after[k] ?? ""));
    if (changed.length === 0) return { id, changed };
    const reschedule = before.url !== v.url || (v.enabled && !before.enabled);
    await tx.execute(sql`UPDATE monitor_sources SET name = ${v.name}, url = ${v.url}, kind = ${v.kind},
        item_selector = ${v.itemSelector}, interval_minutes = ${v.intervalMinutes}, enabled = ${v.enabled},
        owner_unit_id = ${v.ownerUnitId ?? null}, updated_at = now()
        ${before.url !== v.url ? sql`, etag = NULL, last_modified = NULL` : sql``}
        ${reschedule ? sql`, next_fetch_at = now(), consecutive_failures = 0` : sql``}
      WHERE id = ${id}`);
    await appendAudit(tx, {
      actorId: staff.userId,
      action: "monitor.source.update",
      subjectType: "monitor_source",
      subjectId: String(id),
      details: Object.fromEntries(changed.map((k) => [k, { from: before[k] ?? null, to: after[k] }])),
    });
    return { id, changed };
  });
}

/**
 * Delete a source (admin), audited. One that has caught items keeps them on record: it is switched off
 * instead (`deleted: false`).
 */
export async function deleteSource(db: Db, staff: StaffPrincipal, id: number): Promise<{ deleted: boolean }> {
  assertAdmin(staff);
  return db.transaction(async (tx) => {
    // The row lock orders this against a fetch recording an item (its foreign key locks the row too).
    const [source] = await rows<{ name: string; url: string }>(
      tx,
      sql`SELECT name, url FROM monitor_sources WHERE id = ${id} FOR UPDATE`,
    );
    if (!source) throw notFound("监测来源不存在");
    const [hasItems] = await rows(tx, sql`SELECT 1 FROM monitor_items WHERE source_id = ${id} LIMIT 1`);
    if (hasItems) {
      await tx.execute(sql`UPDATE monitor_sources SET enabled = false, updated_at = now() WHERE id = ${id}`);
    } else {
      await tx.execute(sql`DELETE FROM monitor_sources WHERE id = ${id}`);
    }
    await appendAudit(tx, {
      actorId: staff.userId,
      action: hasItems ? "monitor.source.disable" : "monitor.source.delete",
      subjectType: "monitor_source",
      subjectId: String(id),
      details: { name: source.name, url: source.url, ...(hasItems ? { reason: "has items" } : {}) },
    });
    return { deleted: !hasItems };
  });
}

/**
 * Fetch one source now (admin), enabled or not: the same fetcher, safety rules and round lock as the
 * scheduled rounds (a 409 while a round is running), its health line updated, audited with the outcome.
 */
export async function fetchSourceNow(
  db: Db,
  staff: StaffPrincipal,
  id: number,
  opts: Omit<RoundOptions, "all" | "sourceId"> = {},
): Promise<SourceResult> {
  assertAdmin(staff);
  const [exists] = await rows(db, sql`SELECT 1 FROM monitor_sources WHERE id = ${id}`);
  if (!exists) throw notFound("监测来源不存在");
  const round = await runMonitorRound(db, { ...opts, sourceId: id });
  const result = round.sources[0];
  if (!round.ran || !result) throw conflict("正在进行一轮抓取，请稍后再试");
  await db.transaction((tx) =>
    appendAudit(tx, {
      actorId: staff.userId,
      action: "monitor.source.fetch",
      subjectType: "monitor_source",
      subjectId: String(id),
      details: {
        ok: result.ok,
        seen: result.seen,
        caught: result.caught,
        ...(result.error ? { error: result.error } : {}),
      },
    }),
  );
  return result;
}

/** The sources file: a JSON array of sources (see docs/operations.md). Throws with the entry and field. */
export function readSourcesFile(path: string): z.output<typeof SourceInput>[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`MONITOR_SOURCES_FILE ${path}: ${(err as Error).message}`);
  }
  const list = Array.isArray(data) ? data : (data as { sources?: unknown })?.sources;
  if (!Array.isArray(list)) throw new Error(`MONITOR_SOURCES_FILE ${path}: expected a JSON array of sources`);
  return list.map((entry, i) => {
    const parsed = SourceInput.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`MONITOR_SOURCES_FILE ${path}: entry ${i}: ${issue.path.join(".")}: ${issue.message}`);
    }
    return parsed.data;
  });
}

/**
 * Merge the sources file into the table (start-up): new URLs are added, known ones get the file's name,
 * kind, selector and interval. Audited as the system (no actor). Returns counts.
 */
export async function mergeSourcesFile(db: Db, path: string) {
  const sources = readSourcesFile(path);
  return db.transaction(async (tx) => {
    let added = 0;
    let updated = 0;
    for (const v of sources) {
      const [r] = await rows<{ inserted: boolean }>(
        tx,
        sql`INSERT INTO monitor_sources (name, url, kind, item_selector, interval_minutes, enabled, owner_unit_id, origin)
            VALUES (${v.name}, ${v.url}, ${v.kind}, ${v.itemSelector}, ${v.intervalMinutes}, ${v.enabled}, ${v.ownerUnitId ?? null}, 'file')
            ON CONFLICT (url) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, item_selector = EXCLUDED.item_selector,
              interval_minutes = EXCLUDED.interval_minutes, owner_unit_id = COALESCE(EXCLUDED.owner_unit_id, monitor_sources.owner_unit_id),
              updated_at = now()
            RETURNING (xmax = 0) AS inserted`,
      );
      if (r?.inserted) added++;
      else updated++;
    }
    if (sources.length > 0) {
      await appendAudit(tx, {
        actorId: null,
        action: "monitor.sources.file",
        subjectType: "monitor_source",
        subjectId: "file",
        details: { added, updated },
      });
    }
    return { added, updated };
  });
}
