import { AppError } from "../../lib/errors";
import type { StaffPrincipal } from "../auth/principal";
import { TICKET_STATUSES } from "../hotline/lifecycle";

// The problem ledger (台账 · 整改销号, founding document §22): its states, who may do what, and the
// filters of its lists. Pure: no database.
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
// Every change writes a ledger_events row and an audit record in the same transaction (entries.ts).

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
export const UNIT_LEVELS = ["city", "district", "town"] as const;
export type UnitLevel = (typeof UNIT_LEVELS)[number];
export const LEVEL_LABELS: Record<string, string> = { city: "市级", district: "区县级", town: "镇办级" };
const LEVEL_RANK: Record<string, number> = { city: 0, district: 1, town: 2 };

/** Statuses of a ticket that mean it was accepted (受理) — a verified problem. */
export const VERIFIED_TICKET_STATUSES: readonly string[] = TICKET_STATUSES.filter(
  (s) => s !== "received" && s !== "not_accepted" && s !== "merged",
);

export interface UnitRef {
  id: number;
  code: string;
  name: string;
  level: UnitLevel;
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

export function bad(message: string, path: string): AppError {
  return new AppError("VALIDATION_FAILED", message, [{ path, message }]);
}

export const OVERSEERS = new Set(["supervisor", "inspector"]);

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

export function mayViewLedger(staff: StaffPrincipal): boolean {
  return ["supervisor", "inspector", "handler", "admin"].includes(staff.role);
}

/** Is `staff` working for the responsible unit `unit` (who gives the evidence of rectification)? */
export function isResponsibleStaff(staff: StaffPrincipal, unit: UnitRef): boolean {
  return staff.unitId === unit.id && !["publisher", "operator"].includes(staff.role);
}

/** May `staff` add rectification evidence to an entry of `unit` in `status`? */
export function mayAddEvidence(staff: StaffPrincipal, unit: UnitRef, status: LedgerStatus): boolean {
  return isResponsibleStaff(staff, unit) && status !== "signed_off";
}

export interface LedgerFilters {
  status?: LedgerStatus;
  level?: UnitLevel;
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
    if (!(UNIT_LEVELS as readonly string[]).includes(level)) throw bad("层级应为 city、district 或 town", "level");
    f.level = level as UnitLevel;
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
