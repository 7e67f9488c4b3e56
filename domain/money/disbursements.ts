import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { AppError, conflict, notFound, validationFailed } from "../../lib/errors";
import { MONEY_PROBLEM_TEXT, parseMoney } from "../funds/money";
import { fromCents, toCents, yuan } from "./cents";
import { RECIPIENT_KIND_LABELS, RECIPIENT_KINDS, type RecipientKind } from "./labels";
import { moneyVersions, recordMoneyVersion } from "./versions";

// 拨付: money moved from an allocation to a recipient. The active disbursements of an allocation never
// add up to more than the allocation: every write locks the allocation row first (SELECT … FOR UPDATE),
// so two publishers disbursing the same allocation at once are checked one after the other.

export interface DisbursementInput {
  allocationId: number;
  disbursedOn: string;
  amount: string;
  voucherNo: string;
  method?: string;
  recipientKind: RecipientKind;
  recipient: string;
  projectId?: number | null;
}

export interface Disbursement {
  id: number;
  allocationId: number;
  disbursedOn: string;
  amount: string;
  voucherNo: string;
  method: string;
  recipientKind: RecipientKind;
  recipientKindLabel: string;
  recipient: string;
  projectId: number | null;
  status: "active" | "withdrawn";
  version: number;
  /** Paid to households and spent on projects out of this disbursement (active rows). */
  paidToHouseholds: string;
  householdPayments: number;
  spent: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function field(path: string, message: string) {
  return validationFailed(message, [{ path, message }]);
}

export function checkMoney(value: string, path = "amount", allowZero = false): string {
  const m = parseMoney(String(value));
  if (!m.ok) throw field(path, MONEY_PROBLEM_TEXT[m.problem]);
  if (!allowZero && toCents(m.value) === 0n) throw field(path, "金额应大于 0");
  return m.value;
}

export function checkDay(value: string, path: string): string {
  if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw field(path, "日期格式应为 YYYY-MM-DD");
  return value;
}

function checkInput(input: DisbursementInput): DisbursementInput {
  const voucherNo = input.voucherNo.trim();
  if (!voucherNo) throw field("voucherNo", "请填写凭证号");
  if (voucherNo.length > 100) throw field("voucherNo", "凭证号不超过 100 个字");
  const recipient = input.recipient.trim();
  if (!recipient) throw field("recipient", "请填写收款方");
  if (recipient.length > 200) throw field("recipient", "收款方不超过 200 个字");
  if (!RECIPIENT_KINDS.includes(input.recipientKind))
    throw field("recipientKind", `收款方类型应为 ${RECIPIENT_KINDS.join("、")} 之一`);
  return {
    ...input,
    voucherNo,
    recipient,
    method: (input.method ?? "").trim().slice(0, 50) || "国库集中支付",
    amount: checkMoney(input.amount),
    disbursedOn: checkDay(input.disbursedOn, "disbursedOn"),
  };
}

interface AllocationRow {
  id: number;
  amount: string;
  status: string;
  district_id: number;
  town_id: number | null;
  village_id: number | null;
  year: number;
  project_id: number | null;
}

/** Lock the allocation and return it with what its active disbursements already add up to. */
async function lockAllocation(tx: Db, allocationId: number, exceptDisbursementId: number | null) {
  const [a] = await rows<AllocationRow>(
    tx,
    sql`SELECT id, amount::text AS amount, status, district_id, town_id, village_id, year, project_id
        FROM fund_allocations WHERE id = ${allocationId} FOR UPDATE`,
  );
  if (!a) throw field("allocationId", "没有这条资金分配记录");
  const [{ sum }] = await rows<{ sum: string }>(
    tx,
    sql`SELECT coalesce(sum(amount), 0)::text AS sum FROM disbursements
        WHERE allocation_id = ${allocationId} AND status = 'active' AND id <> ${exceptDisbursementId ?? 0}`,
  );
  return { allocation: a, disbursed: sum };
}

function refuseOverAllocation(allocated: string, disbursed: string, amount: string) {
  const left = toCents(allocated) - toCents(disbursed);
  if (toCents(amount) > left) {
    throw new AppError(
      "CONFLICT",
      `拨付金额超过资金分配额：该笔资金分配 ${yuan(allocated)}，已拨付 ${yuan(disbursed)}，最多还可拨付 ${yuan(fromCents(left < 0n ? 0n : left))}，本次 ${yuan(amount)}`,
      [{ path: "amount", message: `最多还可拨付 ${yuan(fromCents(left < 0n ? 0n : left))}` }],
    );
  }
}

function snapshot(v: DisbursementInput) {
  return {
    allocationId: v.allocationId,
    disbursedOn: v.disbursedOn,
    amount: v.amount,
    voucherNo: v.voucherNo,
    method: v.method,
    recipientKind: v.recipientKind,
    recipient: v.recipient,
    projectId: v.projectId ?? null,
  };
}

/** Record a disbursement (audited); refused when it would take the allocation's disbursements over its amount. */
export async function createDisbursement(
  db: Db,
  input: DisbursementInput,
  actorId: number | null,
  opts: { isDemo?: boolean } = {},
): Promise<number> {
  const v = checkInput(input);
  return db.transaction(async (tx) => {
    const { allocation, disbursed } = await lockAllocation(tx, v.allocationId, null);
    if (allocation.status !== "active") throw conflict("这条资金分配已撤回，不能再拨付");
    refuseOverAllocation(allocation.amount, disbursed, v.amount);
    const [{ id }] = await rows<{ id: number }>(
      tx,
      sql`INSERT INTO disbursements (allocation_id, district_id, town_id, village_id, year, disbursed_on, amount,
            voucher_no, method, recipient_kind, recipient, project_id, is_demo)
          VALUES (${allocation.id}, ${allocation.district_id}, ${allocation.town_id}, ${allocation.village_id},
            ${allocation.year}, ${v.disbursedOn}, ${v.amount}, ${v.voucherNo}, ${v.method}, ${v.recipientKind},
            ${v.recipient}, ${v.projectId ?? allocation.project_id}, ${opts.isDemo ?? false})
          RETURNING id`,
    );
    await recordMoneyVersion(
      tx,
      "disbursement",
      Number(id),
      { version: 1, kind: "original", snapshot: snapshot(v), actorId },
      {
        allocationId: allocation.id,
        amount: v.amount,
      },
    );
    return Number(id);
  });
}

async function lockDisbursement(tx: Db, id: number) {
  const [d] = await rows<DisbursementRow>(
    tx,
    sql`SELECT id, allocation_id, disbursed_on::text AS disbursed_on, amount::text AS amount, voucher_no, method,
          recipient_kind, recipient, project_id, status, version FROM disbursements WHERE id = ${id}`,
  );
  if (!d) throw notFound("没有这条拨付记录");
  return d;
}

/** What has been paid to households and spent out of one disbursement (active rows). */
async function usedOf(tx: Db, id: number): Promise<string> {
  const [{ used }] = await rows<{ used: string }>(
    tx,
    sql`SELECT ((SELECT coalesce(sum(amount), 0) FROM household_payments WHERE disbursement_id = ${id} AND status = 'active')
          + (SELECT coalesce(sum(amount), 0) FROM project_spending WHERE disbursement_id = ${id} AND status = 'active'))::text AS used`,
  );
  return used;
}

/** A disbursement locked for a correction or withdrawal, after its allocation (the order every writer takes). */
async function lockForChange(tx: Db, id: number) {
  const cur0 = await lockDisbursement(tx, id);
  const { allocation, disbursed } = await lockAllocation(tx, cur0.allocation_id, id);
  const cur = await lockForUpdate(tx, id, cur0);
  return { cur, allocation, disbursed };
}

/** A correction: a new public version with the reason, checked against the allocation again. */
export async function correctDisbursement(
  db: Db,
  id: number,
  patch: Partial<Omit<DisbursementInput, "allocationId">>,
  reason: string,
  actorId: number | null,
): Promise<number> {
  const why = checkReason(reason);
  return db.transaction(async (tx) => {
    const { cur, allocation, disbursed } = await lockForChange(tx, id);
    if (cur.status !== "active") throw conflict("这条拨付记录已撤回，不能再更正");
    const next = checkInput({
      allocationId: cur.allocation_id,
      disbursedOn: patch.disbursedOn ?? cur.disbursed_on,
      amount: patch.amount ?? cur.amount,
      voucherNo: patch.voucherNo ?? cur.voucher_no,
      method: patch.method ?? cur.method,
      recipientKind: patch.recipientKind ?? cur.recipient_kind,
      recipient: patch.recipient ?? cur.recipient,
      projectId: patch.projectId !== undefined ? patch.projectId : cur.project_id,
    });
    refuseOverAllocation(allocation.amount, disbursed, next.amount);
    const used = await usedOf(tx, id);
    if (toCents(next.amount) < toCents(used)) {
      throw new AppError("CONFLICT", `更正后的拨付金额 ${yuan(next.amount)} 少于已从中发放和支出的 ${yuan(used)}`, [
        { path: "amount", message: `不少于 ${yuan(used)}` },
      ]);
    }
    const version = cur.version + 1;
    await rows(
      tx,
      sql`UPDATE disbursements SET disbursed_on = ${next.disbursedOn}, amount = ${next.amount}, voucher_no = ${next.voucherNo},
            method = ${next.method}, recipient_kind = ${next.recipientKind}, recipient = ${next.recipient},
            project_id = ${next.projectId ?? null}, version = ${version}, updated_at = now() WHERE id = ${id}`,
    );
    await recordMoneyVersion(
      tx,
      "disbursement",
      id,
      { version, kind: "correction", snapshot: snapshot(next), reason: why, actorId },
      {
        from: cur.amount,
        to: next.amount,
      },
    );
    return version;
  });
}

async function lockForUpdate(tx: Db, id: number, fallback: Awaited<ReturnType<typeof lockDisbursement>>) {
  const [again] = await rows<{ status: string; version: number }>(
    tx,
    sql`SELECT status, version FROM disbursements WHERE id = ${id} FOR UPDATE`,
  );
  return { ...fallback, status: again.status, version: Number(again.version) };
}

/** Withdrawal (撤回): refused while household payments or spending still draw on it. */
export async function withdrawDisbursement(
  db: Db,
  id: number,
  reason: string,
  actorId: number | null,
): Promise<number> {
  const why = checkReason(reason);
  return db.transaction(async (tx) => {
    const { cur } = await lockForChange(tx, id);
    if (cur.status !== "active") throw conflict("这条拨付记录已撤回");
    const used = await usedOf(tx, id);
    if (toCents(used) > 0n) throw conflict(`这笔拨付已有 ${yuan(used)} 发放到户或支出，须先撤回这些记录`);
    const version = cur.version + 1;
    await rows(
      tx,
      sql`UPDATE disbursements SET status = 'withdrawn', version = ${version}, updated_at = now() WHERE id = ${id}`,
    );
    await recordMoneyVersion(tx, "disbursement", id, {
      version,
      kind: "withdrawal",
      snapshot: snapshot({
        allocationId: cur.allocation_id,
        disbursedOn: cur.disbursed_on,
        amount: cur.amount,
        voucherNo: cur.voucher_no,
        method: cur.method,
        recipientKind: cur.recipient_kind,
        recipient: cur.recipient,
        projectId: cur.project_id,
      }),
      reason: why,
      actorId,
    });
    return version;
  });
}

export function checkReason(reason: string): string {
  const why = (reason ?? "").trim();
  if (why.length < 2) throw field("reason", "请写明原因（至少 2 个字）");
  if (why.length > 500) throw field("reason", "原因不超过 500 个字");
  return why;
}

/** A disbursements row as SQL returns it (amounts and days as text). */
type DisbursementRow = {
  id: number;
  allocation_id: number;
  disbursed_on: string;
  amount: string;
  voucher_no: string;
  method: string;
  recipient_kind: RecipientKind;
  recipient: string;
  project_id: number | null;
  status: "active" | "withdrawn";
  version: number;
};

/** A disbursement with what has been paid from it and spent by its project. */
type RawDisbursement = DisbursementRow & { paid: string; payments: number; spent: string };

const SELECT = sql`SELECT d.id, d.allocation_id, d.disbursed_on::text AS disbursed_on, d.amount::text AS amount, d.voucher_no,
    d.method, d.recipient_kind, d.recipient, d.project_id, d.status, d.version,
    (SELECT coalesce(sum(p.amount), 0)::text FROM household_payments p WHERE p.disbursement_id = d.id AND p.status = 'active') AS paid,
    (SELECT count(*)::int FROM household_payments p WHERE p.disbursement_id = d.id AND p.status = 'active') AS payments,
    (SELECT coalesce(sum(s.amount), 0)::text FROM project_spending s WHERE s.disbursement_id = d.id AND s.status = 'active') AS spent
  FROM disbursements d`;

function toDisbursement(r: RawDisbursement): Disbursement {
  return {
    id: Number(r.id),
    allocationId: Number(r.allocation_id),
    disbursedOn: r.disbursed_on,
    amount: r.amount,
    voucherNo: r.voucher_no,
    method: r.method,
    recipientKind: r.recipient_kind,
    recipientKindLabel: RECIPIENT_KIND_LABELS[r.recipient_kind],
    recipient: r.recipient,
    projectId: r.project_id == null ? null : Number(r.project_id),
    status: r.status,
    version: Number(r.version),
    paidToHouseholds: r.paid,
    householdPayments: Number(r.payments),
    spent: r.spent,
  };
}

/** The disbursements of one allocation, oldest first (withdrawn ones too, marked). */
export async function disbursementsOf(db: Db, allocationId: number): Promise<Disbursement[]> {
  const list = await rows<RawDisbursement>(
    db,
    sql`${SELECT} WHERE d.allocation_id = ${allocationId} ORDER BY d.disbursed_on, d.id`,
  );
  return list.map(toDisbursement);
}

export async function getDisbursement(db: Db, id: number) {
  const [r] = await rows<RawDisbursement>(db, sql`${SELECT} WHERE d.id = ${id}`);
  if (!r) throw notFound("没有这条拨付记录");
  return { ...toDisbursement(r), versions: await moneyVersions(db, "disbursement", id) };
}
