import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { ticketReporters } from "../../db/schema";
import type { SqlRow } from "../../db/sql-row";
import { open, seal } from "../../lib/crypto";
import { AppError } from "../../lib/errors";
import { appendAudit } from "../audit/audit-log";
import type { StaffPrincipal } from "../auth/principal";

// The ONLY place reporter identity is decrypted. Allowed: discipline inspection (an inspector in a
// 纪委监委 unit) for any ticket; or, for a real-name reporter who agreed to be contacted, a handler or
// supervisor of the unit the ticket is routed to. Always with a reason; the audit record (who, which
// ticket, why) is written in the same transaction as the read, so no reveal goes unrecorded.

export const IDENTITY_AAD = "ticket-reporter";

export interface ReporterIdentity {
  name: string;
  phone: string;
  contact: "phone" | "sms" | "none";
}

/** Seal an identity for storage (the filing path does the same inline). */
export function sealIdentity(identity: ReporterIdentity) {
  return seal(JSON.stringify(identity), IDENTITY_AAD);
}

export function mayRevealIdentity(
  staff: Pick<StaffPrincipal, "role" | "unitKind" | "unitId">,
  ticket: { routedUnitId: number; anonymous: boolean; contactAllowed: boolean },
): boolean {
  if (staff.role === "inspector" && staff.unitKind === "discipline") return true;
  return (
    (staff.role === "handler" || staff.role === "supervisor") &&
    staff.unitId === ticket.routedUnitId &&
    !ticket.anonymous &&
    ticket.contactAllowed
  );
}

export async function revealReporterIdentity(
  db: Db,
  staff: StaffPrincipal,
  ticketNumber: string,
  reason: string,
): Promise<ReporterIdentity | null> {
  const why = reason.trim();
  if (why.length < 4) {
    throw new AppError("VALIDATION_FAILED", "查看反映人身份须说明理由（至少 4 个字）", [
      { path: "reason", message: "请说明查看理由" },
    ]);
  }
  return db.transaction(async (tx) => {
    const [t] = await rows<{
      id: number;
      routed_unit_id: number;
      reporter_anonymous: boolean;
      key_id: string | null;
      identity_enc: string | null;
      contact_allowed: boolean | null;
      status: string;
    }>(
      tx,
      sql`SELECT t.id, t.routed_unit_id, t.reporter_anonymous, t.status, r.key_id, r.identity_enc, r.contact_allowed
          FROM tickets t LEFT JOIN ticket_reporters r ON r.ticket_id = t.id WHERE t.number = ${ticketNumber}`,
    );
    if (!t) throw new AppError("NOT_FOUND", "没有这个工单");
    const allowed = mayRevealIdentity(staff, {
      routedUnitId: t.routed_unit_id,
      anonymous: t.reporter_anonymous,
      contactAllowed: !!t.contact_allowed,
    });
    if (!allowed) throw new AppError("FORBIDDEN", "无权查看该工单反映人身份");
    await appendAudit(tx, {
      actorId: staff.userId,
      action: "ticket.identity.reveal",
      subjectType: "ticket",
      subjectId: ticketNumber,
      details: { reason: why, anonymous: t.reporter_anonymous },
    });
    await rows(
      tx,
      sql`INSERT INTO ticket_events (ticket_id, action, from_status, to_status, visibility, actor_kind, actor_user_id, unit_id, note)
          VALUES (${t.id}, 'identity_reveal', ${t.status}, ${t.status}, 'internal', 'staff', ${staff.userId}, ${staff.unitId}, ${"查看反映人身份（理由已记入审计日志）"})`,
    );
    if (!t.identity_enc || !t.key_id) return null;
    return JSON.parse(open({ keyId: t.key_id, data: t.identity_enc }, IDENTITY_AAD)) as ReporterIdentity;
  });
}

/**
 * The reporter's name and phone, for redacting them from text that is about to become public — never
 * returned to a caller to show. Empty for an anonymous ticket.
 */
export async function reporterTermsToRedact(tx: Db, ticketId: number): Promise<string[]> {
  const [r] = await rows<SqlRow<typeof ticketReporters, "key_id" | "identity_enc">>(
    tx,
    sql`SELECT ${ticketReporters.keyId}, ${ticketReporters.identityEnc} FROM ${ticketReporters}
        WHERE ${ticketReporters.ticketId} = ${ticketId}`,
  );
  if (!r) return [];
  const identity = JSON.parse(open({ keyId: r.key_id, data: r.identity_enc }, IDENTITY_AAD)) as ReporterIdentity;
  return [identity.name, identity.phone].filter((s): s is string => typeof s === "string" && s.trim() !== "");
}

/**
 * Re-encrypt identities written under an older key with the current key (after a rotation). Returns how
 * many rows changed. Run it once the new key is configured and the old one listed in
 * SUNSHINE_OLD_ENCRYPTION_KEYS; afterwards the old key can be dropped.
 */
export async function reencryptIdentities(db: Db, currentKeyId: string, batch = 500): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const list = await rows<SqlRow<typeof ticketReporters, "ticket_id" | "key_id" | "identity_enc">>(
        tx,
        sql`SELECT ${ticketReporters.ticketId}, ${ticketReporters.keyId}, ${ticketReporters.identityEnc}
            FROM ${ticketReporters} WHERE ${ticketReporters.keyId} <> ${currentKeyId}
            ORDER BY ${ticketReporters.ticketId} LIMIT ${batch} FOR UPDATE`,
      );
      for (const r of list) {
        const plain = open({ keyId: r.key_id, data: r.identity_enc }, IDENTITY_AAD);
        const sealed = seal(plain, IDENTITY_AAD);
        await rows(
          tx,
          sql`UPDATE ticket_reporters SET key_id = ${sealed.keyId}, identity_enc = ${sealed.data} WHERE ticket_id = ${r.ticket_id}`,
        );
      }
      return list.length;
    });
    total += n;
    if (n < batch) return total;
  }
}
