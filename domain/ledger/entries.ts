import { and, eq, ne, sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { ledgerEntries, ledgerEvents, ledgerEvidence } from "../../db/schema";
import { AppError } from "../../lib/errors";
import { appendAudit } from "../audit/audit-log";
import type { StaffPrincipal } from "../auth/principal";
import { appendRecordVersion, LEDGER_SIGN_OFF_ENTRY } from "../transparency/entries";
import { loadEntry, unitByCode, unitById, visibleTicket } from "./queries";
import {
  bad,
  isResponsibleStaff,
  type LedgerEntry,
  type LedgerSource,
  OVERSEERS,
  supervises,
  type UnitRef,
  VERIFIED_TICKET_STATUSES,
  withinRemit,
} from "./rules";

// The ledger's verbs: create an entry, add evidence, sign off, reopen. Each one transaction with its
// ledger event and audit record.

async function event(
  tx: Db,
  entryId: number,
  action: string,
  from: string | null,
  to: string,
  actorId: number,
  opts: { ticketId?: number | null; note?: string | null } = {},
) {
  await tx.insert(ledgerEvents).values({
    entryId,
    action,
    fromStatus: from,
    toStatus: to,
    actorId,
    ticketId: opts.ticketId ?? null,
    note: opts.note ?? null,
  });
}

export interface CreateEntryInput {
  source: LedgerSource;
  /** Required when source = ticket. */
  ticketNumber?: string | null;
  /** Unit code or name; defaults to the ticket's handling unit. */
  responsibleUnit?: string | null;
  title?: string | null;
  description: string;
  measures: string;
  /** YYYY-MM-DD */
  deadline: string;
  isDemo?: boolean;
}

/** Put a verified problem on the ledger. */
export async function createEntry(db: Db, staff: StaffPrincipal, input: CreateEntryInput): Promise<LedgerEntry> {
  if (!OVERSEERS.has(staff.role)) throw new AppError("FORBIDDEN", "只有督办或纪检监察人员可以建立台账");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.deadline) || Number.isNaN(Date.parse(input.deadline))) {
    throw bad("整改期限应为日期（年-月-日）", "deadline");
  }
  const description = input.description?.trim() ?? "";
  const measures = input.measures?.trim() ?? "";
  if (!description) throw bad("请填写问题描述", "description");
  if (!measures) throw bad("请填写整改措施", "measures");
  return db.transaction(async (tx) => {
    let ticket: Awaited<ReturnType<typeof visibleTicket>>;
    if (input.source === "ticket") {
      const number = input.ticketNumber?.trim();
      if (!number) throw bad("来源为工单时请填写工单编号", "ticketNumber");
      ticket = await visibleTicket(tx, staff, number);
      if (!ticket) throw bad("没有这个工单，或您无权查看", "ticketNumber");
      if (!VERIFIED_TICKET_STATUSES.includes(ticket.status)) {
        throw new AppError("CONFLICT", "只有已受理（核实）的工单才能列入问题台账", { status: ticket.status });
      }
      const [dup] = await tx
        .select({ number: ledgerEntries.number })
        .from(ledgerEntries)
        .where(and(eq(ledgerEntries.ticketId, ticket.id), ne(ledgerEntries.status, "signed_off")));
      if (dup) throw new AppError("CONFLICT", `该工单已在台账中（${dup.number}）`, { entry: dup.number });
    }
    let unit: UnitRef | undefined;
    if (input.responsibleUnit?.trim()) {
      unit = await unitByCode(tx, input.responsibleUnit.trim());
      if (!unit) throw bad("没有这个责任单位", "responsibleUnit");
    } else if (ticket) {
      unit = await unitById(tx, ticket.routedUnitId);
    } else {
      throw bad("请选择责任单位", "responsibleUnit");
    }
    if (!withinRemit(staff, unit)) throw new AppError("FORBIDDEN", "该责任单位不在您的督办范围内");
    const title = (input.title?.trim() || ticket?.title || "").slice(0, 200);
    if (!title) throw bad("请填写问题标题", "title");
    const year = new Date().getUTCFullYear();
    const [{ n }] = await rows<{ n: string }>(tx, sql`SELECT nextval('ledger_number_seq') AS n`);
    const number = `TZ-${year}-${String(n).padStart(5, "0")}`;
    const [row] = await tx
      .insert(ledgerEntries)
      .values({
        number,
        source: input.source,
        ticketId: ticket?.id ?? null,
        responsibleUnitId: unit.id,
        level: unit.level,
        districtId: unit.districtId ?? ticket?.districtId ?? null,
        categoryCode: ticket?.categoryCode ?? null,
        title,
        description,
        measures,
        deadline: input.deadline,
        status: "open",
        createdBy: staff.userId,
        isDemo: input.isDemo ?? false,
      })
      .returning({ id: ledgerEntries.id });
    await event(tx, row.id, "create", null, "open", staff.userId, { ticketId: ticket?.id ?? null });
    await appendAudit(tx, {
      actorId: staff.userId,
      action: "ledger.create",
      subjectType: "ledger_entry",
      subjectId: number,
      details: { source: input.source, ticket: ticket?.number ?? null, unit: unit.code, deadline: input.deadline },
    });
    return loadEntry(tx, row.id);
  });
}

export interface EvidenceInput {
  body: string;
  attachments?: string[];
}

/** The responsible unit submits evidence of rectification (open/reopened → rectifying). */
export async function addEvidence(db: Db, staff: StaffPrincipal, id: number, input: EvidenceInput) {
  const body = input.body?.trim() ?? "";
  if (!body) throw bad("请填写整改情况说明", "body");
  const attachments = (input.attachments ?? []).map((a) => a.trim()).filter(Boolean);
  if (attachments.length > 20) throw bad("附件最多 20 个", "attachments");
  return db.transaction(async (tx) => {
    const entry = await loadEntry(tx, id, true);
    if (!isResponsibleStaff(staff, entry.responsibleUnit)) {
      throw new AppError("FORBIDDEN", "只有责任单位的工作人员可以提交整改证据");
    }
    if (entry.status === "signed_off") {
      throw new AppError("INVALID_TRANSITION", "该问题已销号；如问题复发，须由督办重新打开后再提交证据");
    }
    await tx.insert(ledgerEvidence).values({
      entryId: id,
      body,
      attachments,
      addedBy: staff.userId,
      unitId: staff.unitId,
      round: entry.reopenedCount,
    });
    await tx.update(ledgerEntries).set({ status: "rectifying", updatedAt: sql`now()` }).where(eq(ledgerEntries.id, id));
    await event(tx, id, "evidence", entry.status, "rectifying", staff.userId);
    await appendAudit(tx, {
      actorId: staff.userId,
      action: "ledger.evidence",
      subjectType: "ledger_entry",
      subjectId: entry.number,
      details: { attachments: attachments.length },
    });
    return loadEntry(tx, id);
  });
}

/** The supervising level signs the problem off (销号). Refused without evidence of this round. */
export async function signOff(db: Db, staff: StaffPrincipal, id: number, input: { note?: string | null } = {}) {
  return db.transaction(async (tx) => {
    const entry = await loadEntry(tx, id, true);
    if (!supervises(staff, entry.responsibleUnit)) {
      throw new AppError("FORBIDDEN", "只有上级督办单位可以销号（责任单位不能给自己销号）");
    }
    if (entry.status === "signed_off") throw new AppError("INVALID_TRANSITION", "该问题已经销号");
    const [{ n }] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(ledgerEvidence)
      .where(and(eq(ledgerEvidence.entryId, id), eq(ledgerEvidence.round, entry.reopenedCount)));
    if (n === 0 || entry.status !== "rectifying") {
      throw new AppError("INVALID_TRANSITION", "尚无整改证据，不能销号：请责任单位先提交整改情况和证明材料", {
        reason: "no_evidence",
      });
    }
    const note = input.note?.trim() || null;
    await tx
      .update(ledgerEntries)
      .set({
        status: "signed_off",
        signedOffBy: staff.userId,
        signedOffAt: sql`now()`,
        signOffNote: note,
        updatedAt: sql`now()`,
      })
      .where(eq(ledgerEntries.id, id));
    await event(tx, id, "sign_off", entry.status, "signed_off", staff.userId, { note });
    await appendAudit(tx, {
      actorId: staff.userId,
      action: "ledger.sign_off",
      subjectType: "ledger_entry",
      subjectId: entry.number,
      details: { note },
    });
    const signed = await loadEntry(tx, id);
    await logSignOff(tx, signed);
    return signed;
  });
}

/**
 * What the public transparency log commits to for a sign-off (销号): the ledger entry's number, ticket,
 * responsible unit, place, category, deadline, round and time — no person, note or problem text.
 */
export function ledgerSignOffRecord(e: LedgerEntry) {
  return {
    number: e.number,
    ticketNumber: e.ticketNumber,
    responsibleUnit: e.responsibleUnit.code,
    level: e.level,
    district: e.districtName,
    category: e.categoryCode,
    deadline: e.deadline,
    round: e.reopenedCount + 1,
    signedOffAt: e.signedOffAt,
  };
}

async function logSignOff(tx: Db, e: LedgerEntry) {
  await appendRecordVersion(tx, {
    type: LEDGER_SIGN_OFF_ENTRY,
    id: e.number,
    version: e.reopenedCount + 1,
    time: e.signedOffAt ? new Date(e.signedOffAt) : new Date(),
    publicJson: ledgerSignOffRecord(e),
  });
}

/** A later ticket shows the problem back: reopen the signed-off entry and link that ticket. */
export async function reopenEntry(
  db: Db,
  staff: StaffPrincipal,
  id: number,
  input: { ticketNumber: string; note?: string | null },
) {
  return db.transaction(async (tx) => {
    const entry = await loadEntry(tx, id, true);
    if (!supervises(staff, entry.responsibleUnit)) throw new AppError("FORBIDDEN", "只有上级督办单位可以重新打开台账");
    if (entry.status !== "signed_off") throw new AppError("INVALID_TRANSITION", "只有已销号的问题才能重新打开");
    const number = input.ticketNumber?.trim();
    if (!number) throw bad("请填写反映问题复发的工单编号", "ticketNumber");
    const ticket = await visibleTicket(tx, staff, number);
    if (!ticket) throw bad("没有这个工单，或您无权查看", "ticketNumber");
    if (ticket.id === entry.ticketId) throw bad("请填写一个新的工单（不能是原工单）", "ticketNumber");
    const note = input.note?.trim() || null;
    await tx
      .update(ledgerEntries)
      .set({
        status: "reopened",
        reopenedCount: sql`${ledgerEntries.reopenedCount} + 1`,
        signedOffBy: null,
        signedOffAt: null,
        signOffNote: null,
        updatedAt: sql`now()`,
      })
      .where(eq(ledgerEntries.id, id));
    await event(tx, id, "reopen", "signed_off", "reopened", staff.userId, { ticketId: ticket.id, note });
    await appendAudit(tx, {
      actorId: staff.userId,
      action: "ledger.reopen",
      subjectType: "ledger_entry",
      subjectId: entry.number,
      details: { ticket: ticket.number, note },
    });
    return loadEntry(tx, id);
  });
}
