import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import type { tickets } from "../../db/schema";
import type { SqlRow } from "../../db/sql-row";
import { AppError } from "../../lib/errors";
import { isImageMediaType, sniffMediaType } from "../../lib/media-type";
import { ticketScope } from "../access/ticket-scope";
import { appendAudit } from "../audit/audit-log";
import type { StaffPrincipal } from "../auth/principal";
import { type FileResult, fileTicket } from "../hotline/filing";
import type { FileTicketInput } from "../hotline/input";

// Staff intake: a call to 12317, a letter, a visit, or an online public-opinion item (舆情) found by the
// 24-hour monitoring. Goes through the same filing (routing, tiering, deadlines) as online reports.

export const INTAKE_CHANNELS = ["phone", "letter", "visit", "media"] as const;
export type IntakeChannel = (typeof INTAKE_CHANNELS)[number];
export const INTAKE_CHANNEL_LABELS: Record<IntakeChannel, string> = {
  phone: "12317 来电",
  letter: "来信",
  visit: "来访",
  media: "网络舆情",
};
export const INTAKE_ROLES = ["operator", "supervisor"] as const;

const SCREENSHOT_TYPES = new Set(["image/png", "image/jpeg", "image/webp"]);
export const MAX_SCREENSHOT_BYTES = 5 * 1024 * 1024;

export interface IntakeExtras {
  channel: IntakeChannel;
  /** 舆情: where it was found (required for media). */
  sourceUrl?: string | null;
  screenshot?: { bytes: Buffer; type: string } | null;
  /** Form token / Idempotency-Key: a resubmitted form files nothing twice. */
  idempotencyKey?: string | null;
}

function fieldError(path: string, message: string) {
  return new AppError("VALIDATION_FAILED", `请求参数有误：${path} ${message}`, [{ path, message }]);
}

export async function recordIntake(
  db: Db,
  staff: StaffPrincipal,
  input: FileTicketInput,
  extras: IntakeExtras,
): Promise<FileResult> {
  if (!(INTAKE_ROLES as readonly string[]).includes(staff.role))
    throw new AppError("FORBIDDEN", "当前账号的角色不能登记工单");
  if (!(INTAKE_CHANNELS as readonly string[]).includes(extras.channel)) throw fieldError("channel", "请选择来源渠道");
  let sourceUrl: string | null = null;
  let shot: { bytes: Buffer; type: string } | null = null;
  if (extras.channel === "media") {
    const u = (extras.sourceUrl ?? "").trim();
    let ok = false;
    try {
      const parsed = new URL(u);
      ok = (parsed.protocol === "http:" || parsed.protocol === "https:") && u.length <= 2000;
    } catch {}
    if (!ok) throw fieldError("sourceUrl", "网络舆情须填写来源链接（http:// 或 https:// 开头）");
    sourceUrl = u;
    if (extras.screenshot && extras.screenshot.bytes.length > 0) {
      if (extras.screenshot.bytes.length > MAX_SCREENSHOT_BYTES) throw fieldError("screenshot", "截图不能超过 5 MB");
      const sniffed = sniffMediaType(extras.screenshot.bytes);
      const type = isImageMediaType(sniffed) ? sniffed : null;
      if (!type || !SCREENSHOT_TYPES.has(type)) throw fieldError("screenshot", "截图须为 PNG、JPEG 或 WebP 图片");
      shot = { bytes: extras.screenshot.bytes, type };
    } else {
      throw fieldError("screenshot", "网络舆情须上传页面截图");
    }
  }
  return db.transaction(async (tx) => {
    const result = await fileTicket(tx, input, {
      channel: extras.channel,
      operatorId: staff.userId,
      idempotencyKey: extras.idempotencyKey ?? undefined,
    });
    if (!result.created) return result;
    if (sourceUrl) {
      await tx.execute(sql`INSERT INTO ticket_media_sources (ticket_id, source_url, screenshot, screenshot_type, recorded_by)
        VALUES (${result.ticket.id}, ${sourceUrl}, ${shot?.bytes ?? null}, ${shot?.type ?? null}, ${staff.userId})`);
    }
    await appendAudit(tx, {
      actorId: staff.userId,
      action: "ticket.intake",
      subjectType: "ticket",
      subjectId: result.ticket.number,
      details: { channel: extras.channel, sourceUrl },
    });
    return result;
  });
}

/** The 舆情 source of a ticket (link, and whether there is a screenshot). */
export async function mediaSource(db: Db, ticketId: number) {
  const [r] = await rows<{ source_url: string; has_shot: boolean; found_at: Date }>(
    db,
    sql`SELECT source_url, screenshot IS NOT NULL AS has_shot, found_at FROM ticket_media_sources WHERE ticket_id = ${ticketId}`,
  );
  return r ?? null;
}

/** The screenshot bytes (the caller has checked the ticket is in the staff's scope). */
export async function mediaScreenshot(db: Db, ticketId: number) {
  const [r] = await rows<{ screenshot: Buffer | Uint8Array | null; screenshot_type: string | null }>(
    db,
    sql`SELECT screenshot, screenshot_type FROM ticket_media_sources WHERE ticket_id = ${ticketId}`,
  );
  if (!r?.screenshot || !r.screenshot_type) return null;
  return { bytes: Buffer.from(r.screenshot), type: r.screenshot_type };
}

/** The screenshot of a 舆情 ticket the staff member may see (null otherwise). */
export async function screenshotFor(db: Db, staff: StaffPrincipal, number: string) {
  const scope = await ticketScope(db, staff);
  const [t] = await rows<SqlRow<typeof tickets, "id">>(
    db,
    sql`SELECT t.id FROM tickets t WHERE t.number = ${number} AND ${scope}`,
  );
  return t ? mediaScreenshot(db, t.id) : null;
}
