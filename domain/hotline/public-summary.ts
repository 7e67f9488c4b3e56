import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { AppError } from "../../lib/errors";
import { redactPersonalData } from "../../lib/redact";
import { ticketScope } from "../access/ticket-scope";
import { appendAudit } from "../audit/audit-log";
import type { StaffPrincipal } from "../auth/principal";
import { reporterTermsToRedact } from "./identity";

// What the public may read about a ticket in place of its title. A reporter's own title routinely
// carries their name, phone or ID number ("我是王小明电话136…"), so it is never shown publicly: public
// views show a title made from the ticket's kind and category, or a summary that staff wrote or
// approved. The summary is redacted when it is saved (phone and ID numbers, and the reporter's own
// name and phone) and again when it is shown.

export const KIND_TITLE: Record<string, string> = {
  report: "举报",
  complaint: "投诉",
  opinion: "意见建议",
  inquiry: "咨询",
  objection: "公示异议",
};

export const MAX_PUBLIC_SUMMARY = 200;

/** The title a public view shows for a ticket. */
export function publicTicketTitle(t: { kind: string; categoryName: string; publicSummary: string | null }): string {
  if (t.publicSummary?.trim()) return redactPersonalData(t.publicSummary.trim());
  return `${KIND_TITLE[t.kind] ?? "诉求"}·${t.categoryName}`;
}

const SUMMARY_ROLES = new Set(["handler", "supervisor"]);

interface SummaryTicket {
  id: number;
  kind: string;
  category_name: string;
  public_summary: string | null;
}

/** Who may set summaries, how long they may be, and which ticket: the checks shared by preview and save. */
async function summaryTicket(db: Db, staff: StaffPrincipal, ticketNumber: string, text: string, lock: boolean) {
  if (!SUMMARY_ROLES.has(staff.role)) throw new AppError("FORBIDDEN", "只有承办人员和督办人员可以审定公开摘要");
  const wanted = text.trim();
  if ([...wanted].length > MAX_PUBLIC_SUMMARY) {
    throw new AppError("VALIDATION_FAILED", `公开摘要不超过 ${MAX_PUBLIC_SUMMARY} 个字`, [
      { path: "publicSummary", message: `不超过 ${MAX_PUBLIC_SUMMARY} 个字` },
    ]);
  }
  const scope = await ticketScope(db, staff);
  const [t] = await rows<SummaryTicket>(
    db,
    sql`SELECT t.id, t.kind, c.name AS category_name, t.public_summary
        FROM tickets t JOIN categories c ON c.code = t.category_code
        WHERE t.number = ${ticketNumber} AND ${scope} ${lock ? sql`FOR UPDATE OF t` : sql``}`,
  );
  if (!t) throw new AppError("NOT_FOUND", "没有这个工单");
  if (t.kind === "report" && wanted !== "") {
    throw new AppError("CONFLICT", "举报件不公开摘要（摘要可能指向被举报人或举报人）");
  }
  // What would be public: the text with phone and ID numbers and the reporter's own name and phone hidden.
  const redacted = wanted === "" ? null : redactPersonalData(wanted, await reporterTermsToRedact(db, t.id));
  return { t, wanted, redacted };
}

const asPublic = (t: SummaryTicket, summary: string | null) => ({
  publicSummary: summary,
  publicTitle: publicTicketTitle({ kind: t.kind, categoryName: t.category_name, publicSummary: summary }),
});

/**
 * What saving `text` as the ticket's public summary would publish (after redaction), without saving:
 * the console shows it before a person approves it. Same checks as setPublicSummary.
 */
export async function previewPublicSummary(
  db: Db,
  staff: StaffPrincipal,
  ticketNumber: string,
  text: string,
): Promise<{ publicSummary: string | null; publicTitle: string; redacted: boolean }> {
  const { t, wanted, redacted } = await summaryTicket(db, staff, ticketNumber, text, false);
  return { ...asPublic(t, redacted), redacted: redacted !== null && redacted !== wanted };
}

/** The ticket's public summary as stored and the title public views show now (for the console form). */
export async function currentPublicSummary(
  db: Db,
  staff: StaffPrincipal,
  ticketNumber: string,
): Promise<{ publicSummary: string | null; publicTitle: string; allowed: boolean }> {
  const { t } = await summaryTicket(db, staff, ticketNumber, "", false);
  return { ...asPublic(t, t.public_summary), allowed: t.kind !== "report" };
}

/**
 * Set (or, with an empty text, clear) a ticket's public summary. Handlers and supervisors who can see
 * the ticket may do it; 举报 tickets have none (their summary would name the accused). Returns the text
 * as stored, after redaction.
 */
export async function setPublicSummary(
  db: Db,
  staff: StaffPrincipal,
  ticketNumber: string,
  text: string,
): Promise<{ publicSummary: string | null; publicTitle: string }> {
  return db.transaction(async (tx) => {
    const { t, wanted, redacted: stored } = await summaryTicket(tx, staff, ticketNumber, text, true);
    await rows(tx, sql`UPDATE tickets SET public_summary = ${stored}, updated_at = now() WHERE id = ${t.id}`);
    await appendAudit(tx, {
      actorId: staff.userId,
      action: "ticket.public_summary",
      subjectType: "ticket",
      subjectId: ticketNumber,
      details: { cleared: stored === null, redacted: stored !== null && stored !== wanted },
    });
    return asPublic(t, stored);
  });
}
