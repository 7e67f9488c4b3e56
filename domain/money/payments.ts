import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { AppError, conflict, notFound, validationFailed } from "../../lib/errors";
import { appendAudit } from "../audit/audit-log";
import { fromCents, toCents, yuan } from "./cents";
import { checkDay, checkMoney, checkReason } from "./disbursements";
import { householdByIdNumber } from "./households";
import { PAYMENT_STATES, type PaymentState, PROGRAMME_LABELS, PROGRAMMES, type Programme } from "./labels";
import { scrubPersonalText } from "./privacy";
import { recordMoneyVersion } from "./versions";

// 直接拨付到户: payments to households, each funded by a disbursement. Refused row by row: a household
// paid twice for the same programme and period, or payments taking a disbursement over its amount
// (what was already paid or spent from it counted). The disbursements are locked while checking, so
// two imports against the same disbursement are checked one after the other.

export interface PaymentValues {
  householdId: number;
  disbursementId: number;
  programme: Programme;
  period: string;
  amount: string;
  paidOn: string | null;
  state: PaymentState;
  returnReason: string | null;
  method: string;
}

/** A refused row: the row number as a spreadsheet shows it (or the index + 1 for API input). */
export interface PaymentProblem {
  row: number;
  column: string | null;
  value: string | null;
  problem: string;
  expected: string | null;
}

const PERIOD = /^(\d{4})(?:$|[-年/].{0,20}$)/;

export function checkPeriod(period: string): { period: string; year: number } | null {
  const p = period.trim();
  const m = PERIOD.exec(p);
  if (!m) return null;
  const year = Number(m[1]);
  if (year < 2014 || year > 2035) return null;
  return { period: p, year };
}

/** What checking carries from one part of a file to the next: the disbursements (locked, with what
 * the rows so far used of them) and the import's batch (its rows already written are this file's). */
export interface PaymentCheckCarry {
  disb: Map<number, { amount: bigint; used: bigint; status: string; year: number }>;
  batchId?: number;
}

/**
 * Check rows against the database (disbursements locked FOR UPDATE in the caller's transaction): the
 * household paid once per programme and period, the disbursement active and not exceeded.
 */
export async function checkPaymentsAgainstDb(
  tx: Db,
  values: (PaymentValues & { row: number })[],
  columns: { household: string; disbursement: string; amount: string; period: string } = {
    household: "householdId",
    disbursement: "disbursementId",
    amount: "amount",
    period: "period",
  },
  carry: PaymentCheckCarry = { disb: new Map() },
): Promise<{
  problems: PaymentProblem[];
  places: Map<number, { districtId: number; villageId: number }>;
  years: Map<number, number>;
}> {
  const problems: PaymentProblem[] = [];
  const disb = carry.disb;
  const disbIds = [...new Set(values.map((v) => v.disbursementId))].filter((id) => !disb.has(id)).sort((a, b) => a - b);
  for (let i = 0; i < disbIds.length; i += 1000) {
    const chunk = disbIds.slice(i, i + 1000);
    const locked = await rows<{ id: number; amount: string; status: string; year: number }>(
      tx,
      sql`SELECT id, amount::text AS amount, status, year FROM disbursements
          WHERE id IN (SELECT unnest(${`{${chunk.join(",")}}`}::int[])) ORDER BY id FOR UPDATE`,
    );
    const used = await rows<{ id: number; used: string }>(
      tx,
      sql`SELECT d.id, ((SELECT coalesce(sum(p.amount), 0) FROM household_payments p WHERE p.disbursement_id = d.id AND p.status = 'active')
            + (SELECT coalesce(sum(s.amount), 0) FROM project_spending s WHERE s.disbursement_id = d.id AND s.status = 'active'))::text AS used
          FROM disbursements d WHERE d.id IN (SELECT unnest(${`{${chunk.join(",")}}`}::int[]))`,
    );
    const usedById = new Map(used.map((u) => [Number(u.id), toCents(u.used)]));
    for (const d of locked)
      disb.set(Number(d.id), {
        amount: toCents(d.amount),
        used: usedById.get(Number(d.id)) ?? 0n,
        status: d.status,
        year: Number(d.year),
      });
  }
  const hhIds = [...new Set(values.map((v) => v.householdId))];
  const places = new Map<number, { districtId: number; villageId: number }>();
  // key → whether the payment was written earlier in the same import (an earlier part of the file)
  const existing = new Map<string, boolean>();
  for (let i = 0; i < hhIds.length; i += 5000) {
    const chunk = `{${hhIds.slice(i, i + 5000).join(",")}}`;
    for (const h of await rows<{ id: number; district_id: number; village_id: number }>(
      tx,
      sql`SELECT id, district_id, village_id FROM households WHERE id IN (SELECT unnest(${chunk}::int[]))`,
    ))
      places.set(Number(h.id), { districtId: Number(h.district_id), villageId: Number(h.village_id) });
    for (const p of await rows<{ k: string; batch_id: number | null }>(
      tx,
      sql`SELECT household_id || '|' || programme || '|' || period AS k, batch_id FROM household_payments
          WHERE status = 'active' AND household_id IN (SELECT unnest(${chunk}::int[]))`,
    ))
      existing.set(p.k, carry.batchId != null && Number(p.batch_id) === carry.batchId);
  }
  const seen = new Map<string, number>();
  const years = new Map<number, number>();
  for (const v of values) {
    if (!places.has(v.householdId)) {
      problems.push({
        row: v.row,
        column: columns.household,
        value: null,
        problem: "户籍登记中没有这一户",
        expected: "已登记的户",
      });
      continue;
    }
    const key = `${v.householdId}|${v.programme}|${v.period}`;
    if (existing.has(key)) {
      problems.push(
        existing.get(key)
          ? {
              row: v.row,
              column: columns.period,
              value: v.period,
              problem: "与文件中前面的一行重复：同一户同一项目同一期",
              expected: "同一户同一项目同一期只发放一次",
            }
          : {
              row: v.row,
              column: columns.period,
              value: v.period,
              problem: `这一户的“${PROGRAMME_LABELS[v.programme]}”在 ${v.period} 已经发放过`,
              expected: "同一户同一项目同一期只发放一次；如需更正请更正原记录",
            },
      );
      continue;
    }
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({
        row: v.row,
        column: columns.period,
        value: v.period,
        problem: `与第 ${first} 行重复：同一户同一项目同一期`,
        expected: "同一户同一项目同一期只发放一次",
      });
      continue;
    }
    seen.set(key, v.row);
    const d = disb.get(v.disbursementId);
    if (!d) {
      problems.push({
        row: v.row,
        column: columns.disbursement,
        value: String(v.disbursementId),
        problem: "没有这条拨付记录",
        expected: "已登记的拨付编号",
      });
      continue;
    }
    if (d.status !== "active") {
      problems.push({
        row: v.row,
        column: columns.disbursement,
        value: String(v.disbursementId),
        problem: "这条拨付记录已撤回",
        expected: "有效的拨付编号",
      });
      continue;
    }
    years.set(v.disbursementId, d.year);
    const next = d.used + toCents(v.amount);
    if (next > d.amount) {
      const left = d.amount - d.used;
      problems.push({
        row: v.row,
        column: columns.amount,
        value: v.amount,
        problem: `超出拨付金额：第 ${v.disbursementId} 号拨付 ${yuan(fromCents(d.amount))}，到这一行已发放 ${yuan(fromCents(d.used))}，剩余 ${yuan(fromCents(left < 0n ? 0n : left))}`,
        expected: "不超过所属拨付的剩余金额",
      });
      continue;
    }
    d.used = next;
  }
  return { problems, places, years };
}

/** Insert checked payments with their first versions (caller's transaction). Returns the ids. */
export async function insertPayments(
  tx: Db,
  values: PaymentValues[],
  places: Map<number, { districtId: number; villageId: number }>,
  opts: { actorId: number | null; batchId?: number | null; isDemo?: boolean },
): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < values.length; i += 1000) {
    const chunk = values.slice(i, i + 1000);
    const tuples = chunk.map((v) => {
      const place = places.get(v.householdId)!;
      return sql`(${v.householdId}::int, ${v.disbursementId}::int, ${place.districtId}::int, ${place.villageId}::int, ${v.programme},
        ${v.period}, ${checkPeriod(v.period)!.year}::int, ${v.amount}::numeric, ${v.paidOn}::date, ${v.state}, ${v.returnReason},
        ${v.method}, ${opts.batchId ?? null}::int, ${opts.isDemo ?? false}::boolean)`;
    });
    const inserted = await rows<{ id: number }>(
      tx,
      sql`INSERT INTO household_payments (household_id, disbursement_id, district_id, village_id, programme, period, year,
            amount, paid_on, state, return_reason, method, batch_id, is_demo)
          VALUES ${sql.join(tuples, sql`, `)} RETURNING id`,
    );
    const chunkIds = inserted.map((r) => Number(r.id));
    const snaps = chunk.map(
      (v, j) =>
        sql`('household_payment', ${chunkIds[j]}::int, 1, 'original', ${JSON.stringify(publicSnapshot(v))}::jsonb, ${opts.actorId}::int)`,
    );
    await rows(
      tx,
      sql`INSERT INTO money_versions (subject_type, subject_id, version, kind, snapshot, created_by) VALUES ${sql.join(snaps, sql`, `)}`,
    );
    ids.push(...chunkIds);
  }
  return ids;
}

/** The public fields of a payment (no household identity: the household is referred to by id only). */
function publicSnapshot(v: PaymentValues) {
  return {
    householdId: v.householdId,
    disbursementId: v.disbursementId,
    programme: v.programme,
    period: v.period,
    amount: v.amount,
    paidOn: v.paidOn,
    state: v.state,
    returnReason: v.returnReason ? scrubPersonalText(v.returnReason) : null,
    method: v.method,
  };
}

function field(path: string, message: string) {
  return validationFailed(message, [{ path, message }]);
}

export interface PaymentInput {
  /** The household by register id, or by the 户主's ID number (looked up by keyed hash). */
  householdId?: number;
  idNumber?: string;
  disbursementId: number;
  programme: string;
  period: string;
  amount: string;
  paidOn?: string | null;
  state?: string;
  returnReason?: string | null;
  method?: string;
}

export function checkPaymentValues(
  input: Omit<PaymentInput, "householdId" | "idNumber"> & { householdId: number },
): PaymentValues {
  if (!(PROGRAMMES as readonly string[]).includes(input.programme))
    throw field("programme", `项目应为 ${PROGRAMMES.join("、")} 之一`);
  const period = checkPeriod(input.period);
  if (!period) throw field("period", "期次应以四位年份开头，如 2026 或 2026-上半年");
  const state = (input.state ?? "paid") as PaymentState;
  if (!PAYMENT_STATES.includes(state)) throw field("state", `状态应为 ${PAYMENT_STATES.join("、")} 之一`);
  const returnReason = (input.returnReason ?? "").trim() || null;
  if (state === "returned" && !returnReason) throw field("returnReason", "退回的发放须写明退回原因");
  const paidOn = input.paidOn ? checkDay(input.paidOn, "paidOn") : null;
  if (state === "paid" && !paidOn) throw field("paidOn", "已发放的须填写发放日期");
  return {
    householdId: input.householdId,
    disbursementId: input.disbursementId,
    programme: input.programme as Programme,
    period: period.period,
    amount: checkMoney(input.amount),
    paidOn,
    state,
    returnReason: returnReason?.slice(0, 500) ?? null,
    method: (input.method ?? "").trim().slice(0, 50) || "惠民惠农一卡通",
  };
}

function refuse(problems: PaymentProblem[]): never {
  const p = problems[0];
  throw new AppError(
    p.problem.startsWith("超出拨付金额") || p.problem.includes("已经发放过") ? "CONFLICT" : "VALIDATION_FAILED",
    p.problem,
    [{ path: p.column ?? "", message: p.problem }],
  );
}

/** One payment to one household (audited). */
export async function createHouseholdPayment(
  db: Db,
  input: PaymentInput,
  actorId: number | null,
  opts: { isDemo?: boolean } = {},
): Promise<number> {
  let householdId = input.householdId;
  if (householdId == null) {
    if (!input.idNumber) throw field("idNumber", "请给出户主身份证号码或户编号");
    const h = await householdByIdNumber(db, input.idNumber);
    if (!h) throw field("idNumber", "户籍登记中没有这个身份证号码");
    householdId = h.id;
  }
  const v = checkPaymentValues({ ...input, householdId });
  return db.transaction(async (tx) => {
    const { problems, places } = await checkPaymentsAgainstDb(tx, [{ ...v, row: 1 }]);
    if (problems.length) refuse(problems);
    const [id] = await insertPayments(tx, [v], places, { actorId, isDemo: opts.isDemo });
    await appendAudit(tx, {
      actorId,
      action: "household_payment.create",
      subjectType: "household_payment",
      subjectId: String(id),
      details: { disbursementId: v.disbursementId, programme: v.programme, period: v.period, amount: v.amount },
    });
    return id;
  });
}

async function lockPayment(tx: Db, id: number) {
  const [p] = await rows<PaymentRow>(
    tx,
    sql`SELECT id, household_id, disbursement_id, programme, period, amount::text AS amount, paid_on::text AS paid_on, state,
          return_reason, method, status, version FROM household_payments WHERE id = ${id}`,
  );
  if (!p) throw notFound("没有这条发放记录");
  return p;
}

/** A correction (amount, state, date, reason for a return): a new public version. */
export async function correctHouseholdPayment(
  db: Db,
  id: number,
  patch: { amount?: string; state?: string; paidOn?: string | null; returnReason?: string | null; method?: string },
  reason: string,
  actorId: number | null,
): Promise<number> {
  const why = checkReason(reason);
  return db.transaction(async (tx) => {
    const cur0 = await lockPayment(tx, id);
    await rows(tx, sql`SELECT id FROM disbursements WHERE id = ${cur0.disbursement_id} FOR UPDATE`);
    const [again] = await rows<{ status: string; version: number }>(
      tx,
      sql`SELECT status, version FROM household_payments WHERE id = ${id} FOR UPDATE`,
    );
    if (again.status !== "active") throw conflict("这条发放记录已撤回，不能再更正");
    const next = checkPaymentValues({
      householdId: cur0.household_id,
      disbursementId: cur0.disbursement_id,
      programme: cur0.programme,
      period: cur0.period,
      amount: patch.amount ?? cur0.amount,
      paidOn: patch.paidOn !== undefined ? patch.paidOn : cur0.paid_on,
      state: patch.state ?? cur0.state,
      returnReason: patch.returnReason !== undefined ? patch.returnReason : cur0.return_reason,
      method: patch.method ?? cur0.method,
    });
    const [d] = await rows<{ amount: string; used: string }>(
      tx,
      sql`SELECT d.amount::text AS amount, ((SELECT coalesce(sum(p.amount), 0) FROM household_payments p
            WHERE p.disbursement_id = d.id AND p.status = 'active' AND p.id <> ${id})
          + (SELECT coalesce(sum(s.amount), 0) FROM project_spending s WHERE s.disbursement_id = d.id AND s.status = 'active'))::text AS used
          FROM disbursements d WHERE d.id = ${cur0.disbursement_id}`,
    );
    const left = toCents(d.amount) - toCents(d.used);
    if (toCents(next.amount) > left)
      throw new AppError("CONFLICT", `超出拨付金额：剩余 ${yuan(fromCents(left))}，更正后 ${yuan(next.amount)}`, [
        { path: "amount", message: `不超过 ${yuan(fromCents(left))}` },
      ]);
    const version = Number(again.version) + 1;
    await rows(
      tx,
      sql`UPDATE household_payments SET amount = ${next.amount}, paid_on = ${next.paidOn}, state = ${next.state},
            return_reason = ${next.returnReason}, method = ${next.method}, version = ${version}, updated_at = now() WHERE id = ${id}`,
    );
    await recordMoneyVersion(
      tx,
      "household_payment",
      id,
      { version, kind: "correction", snapshot: publicSnapshot(next), reason: why, actorId },
      {
        from: cur0.amount,
        to: next.amount,
      },
    );
    return version;
  });
}

/** Withdrawal: a visible version with the reason; the payment leaves the totals (and frees its period). */
export async function withdrawHouseholdPayment(db: Db, id: number, reason: string, actorId: number | null) {
  const why = checkReason(reason);
  return db.transaction(async (tx) => {
    const cur = await lockPayment(tx, id);
    const [again] = await rows<{ status: string; version: number }>(
      tx,
      sql`SELECT status, version FROM household_payments WHERE id = ${id} FOR UPDATE`,
    );
    if (again.status !== "active") throw conflict("这条发放记录已撤回");
    const version = Number(again.version) + 1;
    await rows(
      tx,
      sql`UPDATE household_payments SET status = 'withdrawn', version = ${version}, updated_at = now() WHERE id = ${id}`,
    );
    await recordMoneyVersion(tx, "household_payment", id, {
      version,
      kind: "withdrawal",
      snapshot: publicSnapshot({
        householdId: cur.household_id,
        disbursementId: cur.disbursement_id,
        programme: cur.programme,
        period: cur.period,
        amount: cur.amount,
        paidOn: cur.paid_on,
        state: cur.state,
        returnReason: cur.return_reason,
        method: cur.method,
      }),
      reason: why,
      actorId,
    });
    return version;
  });
}

export interface OwnPayment extends Omit<PaymentValues, "householdId" | "disbursementId"> {
  id: number;
  programmeLabel: string;
  corrected: boolean;
  reported: boolean;
}

/** A household_payments row as SQL returns it (amount and day as text). */
interface PaymentRow {
  id: number;
  household_id: number;
  disbursement_id: number;
  programme: Programme;
  period: string;
  amount: string;
  paid_on: string | null;
  state: PaymentState;
  return_reason: string | null;
  method: string;
  status: string;
  version: number;
}

/** A household's own active payment as the database gives it (ownPaymentsSql), before ownPayment. */
export type OwnPaymentRow = Pick<
  PaymentRow,
  "id" | "programme" | "period" | "amount" | "paid_on" | "state" | "return_reason" | "method" | "version"
> & { reported: boolean };

/** The query of a household's own active payments, newest first (for 查询本人补贴 only). */
export function ownPaymentsSql(householdId: number) {
  return sql`SELECT p.id, p.programme, p.period, p.amount::text AS amount, p.paid_on::text AS paid_on, p.state, p.return_reason,
          p.method, p.version, EXISTS (SELECT 1 FROM payment_reports r WHERE r.payment_id = p.id) AS reported
        FROM household_payments p WHERE p.household_id = ${householdId} AND p.status = 'active'
        ORDER BY p.year DESC, p.id DESC LIMIT 200`;
}

export function ownPayment(r: OwnPaymentRow): OwnPayment {
  return {
    id: Number(r.id),
    programme: r.programme,
    programmeLabel: PROGRAMME_LABELS[r.programme],
    period: r.period,
    amount: r.amount,
    paidOn: r.paid_on,
    state: r.state,
    returnReason: r.return_reason ? scrubPersonalText(r.return_reason) : null,
    method: r.method,
    corrected: Number(r.version) > 1,
    reported: r.reported,
  };
}
