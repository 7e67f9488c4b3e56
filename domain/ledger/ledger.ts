import { type SQL, sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { type CsvCell, csvDocument } from "../../lib/csv";
import { AppError } from "../../lib/errors";
import { ticketScope } from "../access/ticket-scope";
import { appendAudit } from "../audit/audit-log";
import type { StaffPrincipal } from "../auth/principal";

// The problem ledger (台账 · 整改销号, founding document §22).
//
//   open ──evidence──▶ rectifying ──sign off (supervising level, needs evidence)──▶ signed_off
//     ▲                    ▲                                                          │
//     └── reopened ◀───────┴──────────── a later ticket shows the problem back ◀──────┘
//
// Who may do what:
//   - create: supervisors and discipline inspectors, for a responsible unit within their remit
//     (city level: any unit; district level: units of their district); from a ticket they can see
//     that has been accepted (a verified problem), or from an audit or inspection finding;
//   - evidence: staff of the responsible unit (handlers, usually);
//   - sign off and reopen: the supervising level — a supervisor (or inspector) of a unit at a higher
//     level than the responsible unit (district over town, city over district), or the city level for
//     city units; never the responsible unit itself. Sign-off is refused without evidence given
//     since the entry was last (re)opened.
// Every change writes a ledger_events row and an audit record in the same transaction.

export const LEDGER_STATUSES = ["open", "rectifying", "signed_off", "reopened"] as const;
export type LedgerStatus = (typeof LEDGER_STATUSES)[number];
export const LEDGER_STATUS_LABELS: Record<LedgerStatus, string> = {
  open: "待整改",
  rectifying: "整改中（已提交证据）",
  signed_off: "已销号",
  reopened: "已重新打开",
};
export const LEDGER_SOURCES = ["ticket", "audit", "inspection"] as const;
export type LedgerSource = (typeof LEDGER_SOURCES)[number];
export const LEDGER_SOURCE_LABELS: Record<LedgerSource, string> = {
  ticket: "举报工单",
  audit: "审计发现",
  inspection: "巡视巡察/督查发现",
};
export const LEVEL_LABELS: Record<string, string> = { city: "市级", district: "区县级", town: "镇办级" };
const LEVEL_RANK: Record<string, number> = { city: 0, district: 1, town: 2 };

/** Statuses of a ticket that mean it was accepted (受理) — a verified problem. */
const VERIFIED_TICKET_STATUSES = [
  "accepted",
  "dispatched",
  "returned",
  "handling",
  "replied",
  "rated",
  "reopened",
  "review_requested",
  "closed",
];

export interface UnitRef {
  id: number;
  code: string;
  name: string;
  level: "city" | "district" | "town";
  districtId: number | null;
}

export interface LedgerEntry {
  id: number;
  number: string;
  source: LedgerSource;
  ticketId: number | null;
  ticketNumber: string | null;
  responsibleUnit: UnitRef;
  level: string;
  districtId: number | null;
  districtName: string | null;
  categoryCode: string | null;
  categoryName: string | null;
  title: string;
  description: string;
  measures: string;
  deadline: string;
  status: LedgerStatus;
  overdue: boolean;
  createdBy: string | null;
  signedOffBy: string | null;
  signedOffAt: string | null;
  signOffNote: string | null;
  reopenedCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface LedgerEvidenceItem {
  id: number;
  body: string;
  attachments: string[];
  addedBy: string | null;
  unitName: string | null;
  round: number;
  current: boolean;
  createdAt: string;
}

export interface LedgerEventItem {
  id: number;
  action: string;
  fromStatus: string | null;
  toStatus: string;
  actor: string | null;
  ticketNumber: string | null;
  note: string | null;
  createdAt: string;
}

export interface LedgerDetail {
  entry: LedgerEntry;
  evidence: LedgerEvidenceItem[];
  events: LedgerEventItem[];
  /** What the viewer may do now. */
  can: { addEvidence: boolean; signOff: boolean; reopen: boolean };
}

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());
const day = (v: unknown) => {
  if (v == null) return "";
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v).slice(0, 10);
};

function bad(message: string, path: string): AppError {
  return new AppError("VALIDATION_FAILED", message, [{ path, message }]);
}

async function unitByCode(db: Db, code: string): Promise<UnitRef | undefined> {
  const [u] = await rows<any>(
    db,
    sql`SELECT id, code, name, level, district_id FROM units WHERE code = ${code} OR name = ${code} LIMIT 1`,
  );
  return u && { id: u.id, code: u.code, name: u.name, level: u.level, districtId: u.district_id };
}

async function unitById(db: Db, id: number): Promise<UnitRef> {
  const [u] = await rows<any>(db, sql`SELECT id, code, name, level, district_id FROM units WHERE id = ${id}`);
  return { id: u.id, code: u.code, name: u.name, level: u.level, districtId: u.district_id };
}

const OVERSEERS = new Set(["supervisor", "inspector"]);

/** May `staff` put problems of `unit` on the ledger (their remit)? */
export function withinRemit(staff: StaffPrincipal, unit: UnitRef): boolean {
  if (!OVERSEERS.has(staff.role)) return false;
  if (staff.unitLevel === "city") return true;
  return staff.districtId != null && unit.districtId === staff.districtId;
}

/** Is `staff` the supervising level of `unit` (may sign off / reopen its entries)? */
export function supervises(staff: StaffPrincipal, unit: UnitRef): boolean {
  if (!OVERSEERS.has(staff.role)) return false;
  if (staff.unitId === unit.id) return false;
  if (staff.unitLevel === "city") return true; // the city level supervises every unit, its own level too
  if (LEVEL_RANK[staff.unitLevel] >= LEVEL_RANK[unit.level]) return false;
  return staff.districtId != null && unit.districtId === staff.districtId;
}

/** The ledger rows `staff` may see (alias e). */
function ledgerScope(staff: StaffPrincipal): SQL {
  if (staff.role === "admin") return sql`true`;
  if (OVERSEERS.has(staff.role)) {
    if (staff.unitLevel === "city") return sql`true`;
    if (staff.districtId == null) return sql`false`;
    return sql`(e.district_id = ${staff.districtId} OR e.responsible_unit_id = ${staff.unitId})`;
  }
  if (staff.role === "handler") return sql`e.responsible_unit_id = ${staff.unitId}`;
  return sql`false`;
}

export function mayViewLedger(staff: StaffPrincipal): boolean {
  return ["supervisor", "inspector", "handler", "admin"].includes(staff.role);
}

const SELECT_ENTRY = sql`SELECT e.*, t.number AS ticket_number,
    u.code AS unit_code, u.name AS unit_name, u.level AS unit_level, u.district_id AS unit_district_id,
    d.name AS district_name, c.name AS category_name,
    cu.display_name AS created_by_name, su.display_name AS signed_off_by_name,
    (e.status <> 'signed_off' AND e.deadline < (now() AT TIME ZONE 'Asia/Shanghai')::date) AS overdue
  FROM ledger_entries e
  JOIN units u ON u.id = e.responsible_unit_id
  LEFT JOIN tickets t ON t.id = e.ticket_id
  LEFT JOIN districts d ON d.id = e.district_id
  LEFT JOIN categories c ON c.code = e.category_code
  LEFT JOIN users cu ON cu.id = e.created_by
  LEFT JOIN users su ON su.id = e.signed_off_by`;

function toEntry(r: any): LedgerEntry {
  return {
    id: r.id,
    number: r.number,
    source: r.source,
    ticketId: r.ticket_id,
    ticketNumber: r.ticket_number ?? null,
    responsibleUnit: {
      id: r.responsible_unit_id,
      code: r.unit_code,
      name: r.unit_name,
      level: r.unit_level,
      districtId: r.unit_district_id,
    },
    level: r.level,
    districtId: r.district_id,
    districtName: r.district_name ?? null,
    categoryCode: r.category_code,
    categoryName: r.category_name ?? null,
    title: r.title,
    description: r.description,
    measures: r.measures,
    deadline: day(r.deadline),
    status: r.status,
    overdue: Boolean(r.overdue),
    createdBy: r.created_by_name ?? null,
    signedOffBy: r.signed_off_by_name ?? null,
    signedOffAt: iso(r.signed_off_at),
    signOffNote: r.sign_off_note,
    reopenedCount: r.reopened_count,
    createdAt: iso(r.created_at) as string,
    updatedAt: iso(r.updated_at) as string,
  };
}

async function loadEntry(db: Db, id: number, lock = false): Promise<LedgerEntry> {
  const [r] = await rows<any>(db, sql`${SELECT_ENTRY} WHERE e.id = ${id}`);
  if (!r) throw new AppError("NOT_FOUND", "没有这条台账记录");
  if (lock) await db.execute(sql`SELECT id FROM ledger_entries WHERE id = ${id} FOR UPDATE`);
  return toEntry(r);
}

async function visibleEntry(db: Db, staff: StaffPrincipal, id: number): Promise<LedgerEntry> {
  const [r] = await rows<{ id: number }>(
    db,
    sql`SELECT e.id FROM ledger_entries e WHERE e.id = ${id} AND ${ledgerScope(staff)}`,
  );
  if (!r) throw new AppError("NOT_FOUND", "没有这条台账记录，或您无权查看");
  return loadEntry(db, id);
}

async function event(
  tx: Db,
  entryId: number,
  action: string,
  from: string | null,
  to: string,
  actorId: number,
  opts: { ticketId?: number | null; note?: string | null } = {},
) {
  await tx.execute(sql`INSERT INTO ledger_events (entry_id, action, from_status, to_status, actor_id, ticket_id, note)
    VALUES (${entryId}, ${action}, ${from}, ${to}, ${actorId}, ${opts.ticketId ?? null}, ${opts.note ?? null})`);
}

/** A ticket `staff` can see, by number; with its status, unit, district and category. */
async function visibleTicket(db: Db, staff: StaffPrincipal, number: string) {
  const scope = await ticketScope(db, staff);
  const [t] = await rows<any>(
    db,
    sql`SELECT t.id, t.number, t.status, t.title, t.description, t.routed_unit_id, t.district_id, t.category_code,
          t.received_at
        FROM tickets t WHERE t.number = ${number} AND ${scope}`,
  );
  return t as
    | {
        id: number;
        number: string;
        status: string;
        title: string;
        description: string;
        routed_unit_id: number;
        district_id: number;
        category_code: string;
        received_at: string;
      }
    | undefined;
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
      const [dup] = await rows<{ number: string }>(
        tx,
        sql`SELECT number FROM ledger_entries WHERE ticket_id = ${ticket.id} AND status <> 'signed_off'`,
      );
      if (dup) throw new AppError("CONFLICT", `该工单已在台账中（${dup.number}）`, { entry: dup.number });
    }
    let unit: UnitRef | undefined;
    if (input.responsibleUnit?.trim()) {
      unit = await unitByCode(tx, input.responsibleUnit.trim());
      if (!unit) throw bad("没有这个责任单位", "responsibleUnit");
    } else if (ticket) {
      unit = await unitById(tx, ticket.routed_unit_id);
    } else {
      throw bad("请选择责任单位", "responsibleUnit");
    }
    if (!withinRemit(staff, unit)) throw new AppError("FORBIDDEN", "该责任单位不在您的督办范围内");
    const title = (input.title?.trim() || ticket?.title || "").slice(0, 200);
    if (!title) throw bad("请填写问题标题", "title");
    const year = new Date().getUTCFullYear();
    const [{ n }] = await rows<{ n: string }>(tx, sql`SELECT nextval('ledger_number_seq') AS n`);
    const number = `TZ-${year}-${String(n).padStart(5, "0")}`;
    const districtId = unit.districtId ?? ticket?.district_id ?? null;
    const [row] = await rows<{ id: number }>(
      tx,
      sql`INSERT INTO ledger_entries (number, source, ticket_id, responsible_unit_id, level, district_id, category_code,
            title, description, measures, deadline, status, created_by, is_demo)
          VALUES (${number}, ${input.source}, ${ticket?.id ?? null}, ${unit.id}, ${unit.level}, ${districtId},
            ${ticket?.category_code ?? null}, ${title}, ${description}, ${measures}, ${input.deadline}, 'open',
            ${staff.userId}, ${input.isDemo ?? false})
          RETURNING id`,
    );
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
    if (staff.unitId !== entry.responsibleUnit.id || staff.role === "publisher" || staff.role === "operator") {
      throw new AppError("FORBIDDEN", "只有责任单位的工作人员可以提交整改证据");
    }
    if (entry.status === "signed_off") {
      throw new AppError("INVALID_TRANSITION", "该问题已销号；如问题复发，须由督办重新打开后再提交证据");
    }
    await tx.execute(sql`INSERT INTO ledger_evidence (entry_id, body, attachments, added_by, unit_id, round)
      VALUES (${id}, ${body}, ${JSON.stringify(attachments)}::jsonb, ${staff.userId}, ${staff.unitId}, ${entry.reopenedCount})`);
    await tx.execute(sql`UPDATE ledger_entries SET status = 'rectifying', updated_at = now() WHERE id = ${id}`);
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
    const [{ n }] = await rows<{ n: number }>(
      tx,
      sql`SELECT count(*)::int AS n FROM ledger_evidence WHERE entry_id = ${id} AND round = ${entry.reopenedCount}`,
    );
    if (n === 0 || entry.status !== "rectifying") {
      throw new AppError("INVALID_TRANSITION", "尚无整改证据，不能销号：请责任单位先提交整改情况和证明材料", {
        reason: "no_evidence",
      });
    }
    const note = input.note?.trim() || null;
    await tx.execute(sql`UPDATE ledger_entries SET status = 'signed_off', signed_off_by = ${staff.userId},
      signed_off_at = now(), sign_off_note = ${note}, updated_at = now() WHERE id = ${id}`);
    await event(tx, id, "sign_off", entry.status, "signed_off", staff.userId, { note });
    await appendAudit(tx, {
      actorId: staff.userId,
      action: "ledger.sign_off",
      subjectType: "ledger_entry",
      subjectId: entry.number,
      details: { note },
    });
    return loadEntry(tx, id);
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
    await tx.execute(sql`UPDATE ledger_entries SET status = 'reopened', reopened_count = reopened_count + 1,
      signed_off_by = NULL, signed_off_at = NULL, sign_off_note = NULL, updated_at = now() WHERE id = ${id}`);
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

/** Signed-off entries a new ticket may show back (same unit or same district and category). */
export async function entriesForRecurrence(db: Db, staff: StaffPrincipal, ticketNumber: string) {
  const ticket = await visibleTicket(db, staff, ticketNumber);
  if (!ticket) throw new AppError("NOT_FOUND", "没有这个工单，或您无权查看");
  const found = await rows<any>(
    db,
    sql`${SELECT_ENTRY} WHERE e.status = 'signed_off' AND ${ledgerScope(staff)}
      AND (e.responsible_unit_id = ${ticket.routed_unit_id}
        OR (e.district_id = ${ticket.district_id} AND e.category_code = ${ticket.category_code}))
      ORDER BY e.signed_off_at DESC LIMIT 20`,
  );
  return found.map(toEntry);
}

export async function entryDetail(db: Db, staff: StaffPrincipal, id: number): Promise<LedgerDetail> {
  if (!mayViewLedger(staff)) throw new AppError("FORBIDDEN", "当前角色不能查看问题台账");
  const entry = await visibleEntry(db, staff, id);
  const evidence = await rows<any>(
    db,
    sql`SELECT v.*, us.display_name AS added_by_name, un.name AS unit_name FROM ledger_evidence v
      LEFT JOIN users us ON us.id = v.added_by LEFT JOIN units un ON un.id = v.unit_id
      WHERE v.entry_id = ${id} ORDER BY v.id`,
  );
  const events = await rows<any>(
    db,
    sql`SELECT v.*, us.display_name AS actor_name, t.number AS ticket_number FROM ledger_events v
      LEFT JOIN users us ON us.id = v.actor_id LEFT JOIN tickets t ON t.id = v.ticket_id
      WHERE v.entry_id = ${id} ORDER BY v.id`,
  );
  return {
    entry,
    evidence: evidence.map((v) => ({
      id: v.id,
      body: v.body,
      attachments: typeof v.attachments === "string" ? JSON.parse(v.attachments) : (v.attachments ?? []),
      addedBy: v.added_by_name ?? null,
      unitName: v.unit_name ?? null,
      round: v.round,
      current: v.round === entry.reopenedCount,
      createdAt: iso(v.created_at) as string,
    })),
    events: events.map((v) => ({
      id: v.id,
      action: v.action,
      fromStatus: v.from_status,
      toStatus: v.to_status,
      actor: v.actor_name ?? null,
      ticketNumber: v.ticket_number ?? null,
      note: v.note,
      createdAt: iso(v.created_at) as string,
    })),
    can: {
      addEvidence:
        staff.unitId === entry.responsibleUnit.id &&
        entry.status !== "signed_off" &&
        !["publisher", "operator"].includes(staff.role),
      signOff: supervises(staff, entry.responsibleUnit) && entry.status !== "signed_off",
      reopen: supervises(staff, entry.responsibleUnit) && entry.status === "signed_off",
    },
  };
}

export interface LedgerFilters {
  status?: LedgerStatus;
  level?: "city" | "district" | "town";
  /** unit code */
  unit?: string;
  /** district code */
  district?: string;
  source?: LedgerSource;
  /** Q2 问题整改落实季 of this year: due or signed off between 1 April and 30 June. */
  q2?: number;
  overdue?: boolean;
}

/** Parse filters from a query string; throws VALIDATION_FAILED on bad values. */
export function parseLedgerFilters(p: URLSearchParams): LedgerFilters {
  const f: LedgerFilters = {};
  const status = p.get("status");
  if (status) {
    if (!(LEDGER_STATUSES as readonly string[]).includes(status)) throw bad("状态不正确", "status");
    f.status = status as LedgerStatus;
  }
  const level = p.get("level");
  if (level) {
    if (!["city", "district", "town"].includes(level)) throw bad("层级应为 city、district 或 town", "level");
    f.level = level as LedgerFilters["level"];
  }
  const source = p.get("source");
  if (source) {
    if (!(LEDGER_SOURCES as readonly string[]).includes(source)) throw bad("来源不正确", "source");
    f.source = source as LedgerSource;
  }
  if (p.get("unit")) f.unit = p.get("unit") as string;
  if (p.get("district")) f.district = p.get("district") as string;
  const q2 = p.get("q2");
  if (q2) {
    if (!/^\d{4}$/.test(q2) || Number(q2) < 2000 || Number(q2) > 2100) throw bad("年份应为四位数字", "q2");
    f.q2 = Number(q2);
  }
  if (p.get("overdue") === "1" || p.get("overdue") === "true") f.overdue = true;
  return f;
}

function filterSql(f: LedgerFilters): SQL {
  const parts: SQL[] = [];
  if (f.status) parts.push(sql`e.status = ${f.status}`);
  if (f.level) parts.push(sql`e.level = ${f.level}`);
  if (f.source) parts.push(sql`e.source = ${f.source}`);
  if (f.unit) parts.push(sql`u.code = ${f.unit}`);
  if (f.district) parts.push(sql`d.code = ${f.district}`);
  if (f.q2) {
    const from = `${f.q2}-04-01`;
    const to = `${f.q2}-06-30`;
    parts.push(sql`((e.deadline BETWEEN ${from}::date AND ${to}::date)
      OR ((e.signed_off_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN ${from}::date AND ${to}::date))`);
  }
  if (f.overdue)
    parts.push(sql`(e.status <> 'signed_off' AND e.deadline < (now() AT TIME ZONE 'Asia/Shanghai')::date)`);
  return parts.length ? sql.join(parts, sql` AND `) : sql`true`;
}

/** Entries `staff` may see, matching `f` (at most `limit`, newest deadline last). */
export async function listEntries(db: Db, staff: StaffPrincipal, f: LedgerFilters, limit = 500) {
  if (!mayViewLedger(staff)) throw new AppError("FORBIDDEN", "当前角色不能查看问题台账");
  const r = await rows<any>(
    db,
    sql`${SELECT_ENTRY} WHERE ${ledgerScope(staff)} AND ${filterSql(f)} ORDER BY e.deadline, e.id LIMIT ${limit}`,
  );
  return r.map(toEntry);
}

export interface LedgerSummaryRow {
  key: string;
  label: string;
  total: number;
  open: number;
  rectifying: number;
  signedOff: number;
  reopened: number;
  overdue: number;
}

/** Counts per level and per responsible unit (部门), under the same scope and filters. */
export async function ledgerSummary(db: Db, staff: StaffPrincipal, f: LedgerFilters) {
  if (!mayViewLedger(staff)) throw new AppError("FORBIDDEN", "当前角色不能查看问题台账");
  const counts = sql`count(*)::int AS total,
    count(*) FILTER (WHERE e.status = 'open')::int AS open,
    count(*) FILTER (WHERE e.status = 'rectifying')::int AS rectifying,
    count(*) FILTER (WHERE e.status = 'signed_off')::int AS signed_off,
    count(*) FILTER (WHERE e.status = 'reopened')::int AS reopened,
    count(*) FILTER (WHERE e.status <> 'signed_off' AND e.deadline < (now() AT TIME ZONE 'Asia/Shanghai')::date)::int AS overdue`;
  const from = sql`FROM ledger_entries e JOIN units u ON u.id = e.responsible_unit_id LEFT JOIN districts d ON d.id = e.district_id
    WHERE ${ledgerScope(staff)} AND ${filterSql(f)}`;
  const map = (r: any, key: string, label: string): LedgerSummaryRow => ({
    key,
    label,
    total: r.total,
    open: r.open,
    rectifying: r.rectifying,
    signedOff: r.signed_off,
    reopened: r.reopened,
    overdue: r.overdue,
  });
  const byLevel = await rows<any>(
    db,
    sql`SELECT e.level, ${counts} ${from} GROUP BY e.level ORDER BY min(
    CASE e.level WHEN 'city' THEN 0 WHEN 'district' THEN 1 ELSE 2 END)`,
  );
  const byUnit = await rows<any>(
    db,
    sql`SELECT u.code, u.name, ${counts} ${from} GROUP BY u.code, u.name ORDER BY total DESC, u.name`,
  );
  return {
    byLevel: byLevel.map((r) => map(r, r.level, LEVEL_LABELS[r.level] ?? r.level)),
    byUnit: byUnit.map((r) => map(r, r.code, r.name)),
  };
}

/** CSV (UTF-8 with BOM, for Excel) of the entries. */
export function ledgerCsv(entries: LedgerEntry[]): string {
  const head = [
    "台账编号",
    "来源",
    "工单编号",
    "责任单位",
    "层级",
    "区县",
    "问题",
    "问题描述",
    "整改措施",
    "整改期限",
    "状态",
    "是否逾期",
    "销号人",
    "销号时间",
    "重新打开次数",
  ];
  const lines: CsvCell[][] = [head];
  for (const e of entries) {
    lines.push([
      e.number,
      LEDGER_SOURCE_LABELS[e.source],
      e.ticketNumber,
      e.responsibleUnit.name,
      LEVEL_LABELS[e.level] ?? e.level,
      e.districtName,
      e.title,
      e.description,
      e.measures,
      e.deadline,
      LEDGER_STATUS_LABELS[e.status],
      e.overdue ? "是" : "否",
      e.signedOffBy,
      e.signedOffAt ? new Date(e.signedOffAt).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai" }) : "",
      e.reopenedCount,
    ]);
  }
  return csvDocument(lines);
}

/** Units a staff member may choose as responsible unit (their remit), for forms. */
export async function remitUnits(db: Db, staff: StaffPrincipal): Promise<UnitRef[]> {
  if (!OVERSEERS.has(staff.role)) return [];
  const where = staff.unitLevel === "city" ? sql`true` : sql`district_id = ${staff.districtId ?? -1}`;
  const r = await rows<any>(
    db,
    sql`SELECT id, code, name, level, district_id FROM units WHERE ${where} AND kind <> 'hotline' ORDER BY
      CASE level WHEN 'city' THEN 0 WHEN 'district' THEN 1 ELSE 2 END, district_id NULLS FIRST, id`,
  );
  return r.map((u) => ({ id: u.id, code: u.code, name: u.name, level: u.level, districtId: u.district_id }));
}
