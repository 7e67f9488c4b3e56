import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { AppError, conflict, forbidden, notFound } from "../../lib/errors";
import { appendAudit } from "../audit/audit-log";
import type { StaffPrincipal } from "../auth/principal";
import { type FileResult, fileTicket } from "../hotline/filing";
import { type FileTicketInput, MAX_DESCRIPTION } from "../hotline/input";

// Triage of a caught item (its near-duplicate group is triaged through the head): dismiss it with a
// reason, mark it as already known, or turn it into a ticket. A ticket is filed like an operator's 舆情
// intake (channel 网络舆情 'media', the same routing, tiering and deadlines: tier I gets its 24-hour first
// response), with the source link recorded as its media source and the text snapshot in its description;
// the item keeps the snapshot and points at the ticket. Each action writes its audit row in its own
// transaction, and only an untriaged item (or one marked known) can be acted on: two people acting at
// once get one success and one 409.

export const TRIAGE_ROLES = ["operator", "supervisor"] as const;
export const ITEM_STATES = ["new", "dismissed", "known", "ticketed"] as const;
export type ItemState = (typeof ITEM_STATES)[number];
export const ITEM_STATE_LABELS: Record<ItemState, string> = {
  new: "待研判",
  dismissed: "已排除",
  known: "已知悉",
  ticketed: "已转工单",
};

function assertTriager(staff: StaffPrincipal) {
  if (!(TRIAGE_ROLES as readonly string[]).includes(staff.role)) throw forbidden("当前账号的角色不能研判舆情");
}

function field(path: string, message: string) {
  return new AppError("VALIDATION_FAILED", `请求参数有误：${path} ${message}`, [{ path, message }]);
}

interface LockedItem {
  id: number;
  state: ItemState;
  is_head: boolean;
  group_id: number;
  url: string;
  title: string;
  snapshot: string;
  source_name: string;
}

async function lockHead(tx: Db, id: number, allowed: ItemState[]): Promise<LockedItem> {
  const [item] = await rows<LockedItem>(
    tx,
    sql`SELECT m.id, m.state, m.is_head, m.group_id, m.url, m.title, m.snapshot, s.name AS source_name
        FROM monitor_items m JOIN monitor_sources s ON s.id = m.source_id WHERE m.id = ${id} FOR UPDATE OF m`,
  );
  if (!item) throw notFound("舆情条目不存在");
  if (!item.is_head) throw conflict("这是转载条目，请在首发条目上研判", { headId: Number(item.group_id) });
  if (!allowed.includes(item.state))
    throw new AppError("INVALID_TRANSITION", `该条目已${ITEM_STATE_LABELS[item.state]}，不能再次处理`);
  return item;
}

export async function dismissItem(db: Db, staff: StaffPrincipal, id: number, reason: string) {
  assertTriager(staff);
  const why = (reason ?? "").trim();
  if (!why) throw field("reason", "请填写排除理由");
  if (why.length > 500) throw field("reason", "排除理由不能超过 500 字");
  await db.transaction(async (tx) => {
    await lockHead(tx, id, ["new", "known"]);
    await tx.execute(sql`UPDATE monitor_items SET state = 'dismissed', dismiss_reason = ${why}, triaged_at = now(),
        triaged_by = ${staff.userId} WHERE id = ${id}`);
    await appendAudit(tx, {
      actorId: staff.userId,
      action: "monitor.dismiss",
      subjectType: "monitor_item",
      subjectId: String(id),
      details: { reason: why },
    });
  });
}

export async function markItemKnown(db: Db, staff: StaffPrincipal, id: number) {
  assertTriager(staff);
  await db.transaction(async (tx) => {
    await lockHead(tx, id, ["new"]);
    await tx.execute(
      sql`UPDATE monitor_items SET state = 'known', triaged_at = now(), triaged_by = ${staff.userId} WHERE id = ${id}`,
    );
    await appendAudit(tx, {
      actorId: staff.userId,
      action: "monitor.known",
      subjectType: "monitor_item",
      subjectId: String(id),
    });
  });
}

export interface TicketFromItemInput {
  kind: string;
  category: string;
  district: string;
  town?: string | null;
  village?: string | null;
  title?: string | null;
  /** The triager's summary; the snapshot and link are appended. */
  summary?: string | null;
  subjectPost?: string | null;
}

/** The ticket description: the summary, the link, then as much of the snapshot as fits. */
export function ticketDescription(summary: string, url: string, sourceName: string, snapshot: string): string {
  const head = `${summary ? `${summary}\n\n` : ""}【网络舆情】来源：${sourceName}\n链接：${url}\n抓取快照：\n`;
  const room = MAX_DESCRIPTION - head.length;
  return head + (snapshot.length > room ? `${snapshot.slice(0, Math.max(0, room - 1))}…` : snapshot);
}

export async function turnItemIntoTicket(
  db: Db,
  staff: StaffPrincipal,
  id: number,
  input: TicketFromItemInput,
): Promise<FileResult> {
  assertTriager(staff);
  return db.transaction(async (tx) => {
    const item = await lockHead(tx, id, ["new", "known"]);
    const summary = (input.summary ?? "").trim().slice(0, 1000);
    const ticketInput = {
      kind: input.kind,
      category: input.category,
      title: (input.title ?? "").trim() || item.title.slice(0, 100),
      description: ticketDescription(summary, item.url, item.source_name, item.snapshot),
      district: input.district,
      town: input.town || null,
      village: input.village || null,
      subject: input.subjectPost ? { unit: null, person: null, post: input.subjectPost } : null,
      reporter: { anonymous: true },
    } as FileTicketInput;
    const result = await fileTicket(tx, ticketInput, {
      channel: "media",
      operatorId: staff.userId,
      idempotencyKey: `monitor-item-${id}-ticket`,
    });
    await tx.execute(sql`INSERT INTO ticket_media_sources (ticket_id, source_url, recorded_by)
        VALUES (${result.ticket.id}, ${item.url}, ${staff.userId}) ON CONFLICT (ticket_id) DO NOTHING`);
    await tx.execute(sql`UPDATE monitor_items SET state = 'ticketed', ticket_id = ${result.ticket.id}, triaged_at = now(),
        triaged_by = ${staff.userId} WHERE id = ${id}`);
    await appendAudit(tx, {
      actorId: staff.userId,
      action: "monitor.ticket",
      subjectType: "monitor_item",
      subjectId: String(id),
      details: { ticket: result.ticket.number, tier: result.ticket.tier, sourceUrl: item.url },
    });
    return result;
  });
}
