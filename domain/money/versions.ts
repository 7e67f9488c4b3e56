import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { appendAudit } from "../audit/audit-log";

// The public version history of the money trail (disbursements, spending, households, household
// payments, 危房改造 cases, asset income): each record's first version, every correction and every
// withdrawal is a row with a snapshot of the PUBLIC fields and the reason; the audit record is written
// with it, in the caller's transaction.

export type MoneySubject =
  | "disbursement"
  | "spending"
  | "household"
  | "household_payment"
  | "housing_case"
  | "asset_income";
export type VersionKind = "original" | "correction" | "withdrawal";

export interface MoneyVersion {
  version: number;
  kind: VersionKind;
  snapshot: Record<string, unknown>;
  reason: string | null;
  createdAt: string;
}

/** Record one version and its audit row (inside the caller's transaction). */
export async function recordMoneyVersion(
  tx: Db,
  subject: MoneySubject,
  id: number,
  v: {
    version: number;
    kind: VersionKind;
    snapshot: Record<string, unknown>;
    reason?: string | null;
    actorId: number | null;
  },
  auditDetails: Record<string, unknown> = {},
) {
  await rows(
    tx,
    sql`INSERT INTO money_versions (subject_type, subject_id, version, kind, snapshot, reason, created_by)
        VALUES (${subject}, ${id}, ${v.version}, ${v.kind}, ${JSON.stringify(v.snapshot)}::jsonb, ${v.reason ?? null}, ${v.actorId})`,
  );
  const verb = v.kind === "original" ? "create" : v.kind === "correction" ? "correct" : "withdraw";
  await appendAudit(tx, {
    actorId: v.actorId,
    action: `${subject}.${verb}`,
    subjectType: subject,
    subjectId: String(id),
    details: { version: v.version, ...(v.reason ? { reason: v.reason } : {}), ...auditDetails },
  });
}

/** Every version of one record, newest first. */
export async function moneyVersions(db: Db, subject: MoneySubject, id: number): Promise<MoneyVersion[]> {
  const list = await rows<{
    version: number;
    kind: VersionKind;
    snapshot: unknown;
    reason: string | null;
    created_at: string;
  }>(
    db,
    sql`SELECT version, kind, snapshot, reason,
          to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS created_at
        FROM money_versions WHERE subject_type = ${subject} AND subject_id = ${id} ORDER BY version DESC`,
  );
  return list.map((r) => ({
    version: Number(r.version),
    kind: r.kind,
    snapshot: (typeof r.snapshot === "string" ? JSON.parse(r.snapshot) : r.snapshot) as Record<string, unknown>,
    reason: r.reason,
    createdAt: r.created_at,
  }));
}
