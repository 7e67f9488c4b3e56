import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { PROJECT_STAGES, type ProjectStage } from "../../db/schema";
import { AppError, conflict, notFound, validationFailed } from "../../lib/errors";
import { PROJECT_STAGE_LABELS } from "../funds/labels";
import { fromCents, toCents, yuan } from "./cents";
import { checkDay, checkMoney, checkReason } from "./disbursements";
import { moneyVersions, recordMoneyVersion } from "./versions";

// 支出: money a project paid out — to a company or unit (the payee is public), under a contract, for a
// purpose and the project stage it pays for. When it names the disbursement it was paid from, what is
// paid to households and spent out of that disbursement never exceeds it (the disbursement row is
// locked first, so two writes are checked one after the other). Corrections and withdrawals are public
// versions with their reason, each audited in the same transaction.

export interface SpendingInput {
  projectId: number;
  disbursementId?: number | null;
  payee: string;
  contractNo?: string;
  amount: string;
  paidOn: string;
  purpose?: string;
  stage: ProjectStage;
}

export interface Spending {
  id: number;
  projectId: number;
  disbursementId: number | null;
  payee: string;
  contractNo: string;
  amount: string;
  paidOn: string;
  purpose: string;
  stage: ProjectStage;
  stageLabel: string;
  status: "active" | "withdrawn";
  version: number;
  /** When the record was created, corrected or withdrawn (ISO 8601). */
  updatedAt: string;
}

function field(path: string, message: string) {
  return validationFailed(message, [{ path, message }]);
}

function checkInput(input: SpendingInput): Required<SpendingInput> {
  const payee = (input.payee ?? "").trim();
  if (!payee) throw field("payee", "请填写收款单位");
  if (payee.length > 200) throw field("payee", "收款单位不超过 200 个字");
  const contractNo = (input.contractNo ?? "").trim();
  if (contractNo.length > 100) throw field("contractNo", "合同编号不超过 100 个字");
  const purpose = (input.purpose ?? "").trim();
  if (purpose.length > 500) throw field("purpose", "用途不超过 500 个字");
  if (!PROJECT_STAGES.includes(input.stage))
    throw field("stage", `阶段应为 ${PROJECT_STAGES.map((s) => PROJECT_STAGE_LABELS[s]).join("、")} 之一`);
  return {
    projectId: input.projectId,
    disbursementId: input.disbursementId ?? null,
    payee,
    contractNo,
    amount: checkMoney(input.amount),
    paidOn: checkDay(input.paidOn, "paidOn"),
    purpose,
    stage: input.stage,
  };
}

/** A project stage from its code or its label, or null. */
export function parseProjectStage(input: string): ProjectStage | null {
  const s = input.trim();
  if ((PROJECT_STAGES as readonly string[]).includes(s)) return s as ProjectStage;
  return PROJECT_STAGES.find((p) => PROJECT_STAGE_LABELS[p] === s) ?? null;
}

/** Check the project, and that the disbursement (when named) still covers this amount. */
async function checkAgainstDb(tx: Db, v: Required<SpendingInput>, exceptId: number | null) {
  const [p] = await rows<{ id: number }>(tx, sql`SELECT id FROM projects WHERE id = ${v.projectId}`);
  if (!p) throw field("projectId", "没有这个项目");
  if (v.disbursementId == null) return;
  const [d] = await rows<{ amount: string; status: string }>(
    tx,
    sql`SELECT amount::text AS amount, status FROM disbursements WHERE id = ${v.disbursementId} FOR UPDATE`,
  );
  if (!d) throw field("disbursementId", "没有这条拨付记录");
  if (d.status !== "active") throw field("disbursementId", "这条拨付记录已撤回");
  const [{ used }] = await rows<{ used: string }>(
    tx,
    sql`SELECT ((SELECT coalesce(sum(amount), 0) FROM household_payments WHERE disbursement_id = ${v.disbursementId} AND status = 'active')
          + (SELECT coalesce(sum(amount), 0) FROM project_spending WHERE disbursement_id = ${v.disbursementId} AND status = 'active'
               AND id <> ${exceptId ?? 0}))::text AS used`,
  );
  const left = toCents(d.amount) - toCents(used);
  if (toCents(v.amount) > left) {
    const most = yuan(fromCents(left < 0n ? 0n : left));
    throw new AppError(
      "CONFLICT",
      `支出超过所属拨付：拨付 ${yuan(d.amount)}，已发放和支出 ${yuan(used)}，最多还可支出 ${most}，本次 ${yuan(v.amount)}`,
      [{ path: "amount", message: `最多还可支出 ${most}` }],
    );
  }
}

function snapshot(v: Required<SpendingInput>) {
  return { ...v };
}

/** Record a spending (audited, version 1). */
export async function createSpending(
  db: Db,
  input: SpendingInput,
  actorId: number | null,
  opts: { isDemo?: boolean } = {},
): Promise<number> {
  const v = checkInput(input);
  return db.transaction(async (tx) => {
    await checkAgainstDb(tx, v, null);
    const [{ id }] = await rows<{ id: number }>(
      tx,
      sql`INSERT INTO project_spending (project_id, disbursement_id, payee, contract_no, amount, paid_on, purpose, stage, is_demo)
          VALUES (${v.projectId}, ${v.disbursementId}, ${v.payee}, ${v.contractNo}, ${v.amount}, ${v.paidOn}, ${v.purpose},
            ${v.stage}, ${opts.isDemo ?? false})
          RETURNING id`,
    );
    await recordMoneyVersion(tx, "spending", Number(id), {
      version: 1,
      kind: "original",
      snapshot: snapshot(v),
      actorId,
    });
    return Number(id);
  });
}

type Raw = {
  id: number;
  project_id: number;
  disbursement_id: number | null;
  payee: string;
  contract_no: string;
  amount: string;
  paid_on: string;
  purpose: string;
  stage: ProjectStage;
  status: "active" | "withdrawn";
  version: number;
  updated_at: Date | string;
};

const SELECT = sql`SELECT id, project_id, disbursement_id, payee, contract_no, amount::text AS amount, paid_on::text AS paid_on,
    purpose, stage, status, version, updated_at FROM project_spending`;

function toSpending(r: Raw): Spending {
  return {
    id: Number(r.id),
    projectId: Number(r.project_id),
    disbursementId: r.disbursement_id == null ? null : Number(r.disbursement_id),
    payee: r.payee,
    contractNo: r.contract_no,
    amount: r.amount,
    paidOn: r.paid_on,
    purpose: r.purpose,
    stage: r.stage,
    stageLabel: PROJECT_STAGE_LABELS[r.stage] ?? r.stage,
    status: r.status,
    version: Number(r.version),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

async function lockSpending(tx: Db, id: number): Promise<Raw> {
  const [cur] = await rows<Raw>(tx, sql`${SELECT} WHERE id = ${id} FOR UPDATE`);
  if (!cur) throw notFound("没有这条支出记录");
  if (cur.status !== "active") throw conflict("这条支出记录已撤回");
  return cur;
}

/** A correction: a new public version with its reason (project stays the same). */
export async function correctSpending(
  db: Db,
  id: number,
  patch: Partial<Omit<SpendingInput, "projectId">>,
  reason: string,
  actorId: number | null,
): Promise<number> {
  const why = checkReason(reason);
  return db.transaction(async (tx) => {
    const cur = toSpending(await lockSpending(tx, id));
    const next = checkInput({
      projectId: cur.projectId,
      disbursementId: patch.disbursementId !== undefined ? patch.disbursementId : cur.disbursementId,
      payee: patch.payee ?? cur.payee,
      contractNo: patch.contractNo ?? cur.contractNo,
      amount: patch.amount ?? cur.amount,
      paidOn: patch.paidOn ?? cur.paidOn,
      purpose: patch.purpose ?? cur.purpose,
      stage: patch.stage ?? cur.stage,
    });
    await checkAgainstDb(tx, next, id);
    const version = cur.version + 1;
    await rows(
      tx,
      sql`UPDATE project_spending SET disbursement_id = ${next.disbursementId}, payee = ${next.payee}, contract_no = ${next.contractNo},
            amount = ${next.amount}, paid_on = ${next.paidOn}, purpose = ${next.purpose}, stage = ${next.stage},
            version = ${version}, updated_at = now() WHERE id = ${id}`,
    );
    await recordMoneyVersion(
      tx,
      "spending",
      id,
      { version, kind: "correction", snapshot: snapshot(next), reason: why, actorId },
      { from: cur.amount, to: next.amount },
    );
    return version;
  });
}

/** Withdrawal (撤回): the record stays public, marked withdrawn, with its reason. */
export async function withdrawSpending(db: Db, id: number, reason: string, actorId: number | null): Promise<number> {
  const why = checkReason(reason);
  return db.transaction(async (tx) => {
    const cur = toSpending(await lockSpending(tx, id));
    const version = cur.version + 1;
    await rows(
      tx,
      sql`UPDATE project_spending SET status = 'withdrawn', version = ${version}, updated_at = now() WHERE id = ${id}`,
    );
    const { stageLabel: _l, status: _s, version: _v, id: _i, ...fields } = cur;
    await recordMoneyVersion(tx, "spending", id, {
      version,
      kind: "withdrawal",
      snapshot: fields,
      reason: why,
      actorId,
    });
    return version;
  });
}

/** One spending record with its public versions. */
export async function getSpending(db: Db, id: number) {
  const [r] = await rows<Raw>(db, sql`${SELECT} WHERE id = ${id}`);
  if (!r) throw notFound("没有这条支出记录");
  return { ...toSpending(r), versions: await moneyVersions(db, "spending", id) };
}

/** At most this many records answer a list of every project's changes (continue from the last updatedAt). */
export const SPENDING_CHANGES_LIMIT = 1000;

/**
 * Spending (withdrawn records too, marked) of one project, oldest payment first, or — with
 * `updatedSince` — the records created, corrected or withdrawn after that time, oldest change first
 * (of one project, or of every project up to SPENDING_CHANGES_LIMIT); and the active total of the list.
 */
export async function listSpending(
  db: Db,
  f: { projectId?: number | null; updatedSince?: Date | null },
): Promise<{ items: Spending[]; total: string }> {
  const where = [
    f.projectId != null ? sql`project_id = ${f.projectId}` : null,
    f.updatedSince ? sql`updated_at > ${f.updatedSince.toISOString()}::timestamptz` : null,
  ].filter((w) => w != null);
  if (where.length === 0) throw field("projectId", "请给出项目编号 projectId 或 updatedSince");
  const order = f.updatedSince ? sql`ORDER BY updated_at, id` : sql`ORDER BY paid_on, id`;
  const limit = f.projectId == null ? sql`LIMIT ${SPENDING_CHANGES_LIMIT}` : sql``;
  const list = (await rows<Raw>(db, sql`${SELECT} WHERE ${sql.join(where, sql` AND `)} ${order} ${limit}`)).map(
    toSpending,
  );
  const total = list.filter((s) => s.status === "active").reduce((sum, s) => sum + toCents(s.amount), 0n);
  return { items: list, total: fromCents(total) };
}

/** A project's spending, oldest first (withdrawn ones too, marked), and the active total. */
export function spendingOfProject(db: Db, projectId: number): Promise<{ items: Spending[]; total: string }> {
  return listSpending(db, { projectId });
}
