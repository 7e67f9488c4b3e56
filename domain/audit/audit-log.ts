import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { canonicalJson } from "../../lib/canonical-json";

// The append-only audit log. Every row carries SHA-256(prev_hash + "\n" + canonical(row)); the first
// row's prev_hash is GENESIS. Appends take a transaction-scoped advisory lock, so two transactions can
// never read the same "last hash" and fork the chain: the second waits until the first commits.
// The table's trigger refuses UPDATE and DELETE (migration 0030_staff.sql).

export const GENESIS = "0".repeat(64);
const AUDIT_LOCK = 727_030;

export interface AuditEntry {
  actorId: number | null;
  action: string;
  subjectType: string;
  subjectId: string;
  details?: object;
}

export interface AuditRow {
  id: number;
  at: string;
  actorId: number | null;
  action: string;
  subjectType: string;
  subjectId: string;
  details: unknown;
  prevHash: string;
  hash: string;
}

export function rowHash(prevHash: string, row: Omit<AuditRow, "prevHash" | "hash">): string {
  const canonical = canonicalJson({
    id: Number(row.id),
    at: new Date(row.at).toISOString(),
    actorId: row.actorId == null ? null : Number(row.actorId),
    action: row.action,
    subjectType: row.subjectType,
    subjectId: String(row.subjectId),
    details: row.details ?? {},
  });
  return createHash("sha256").update(`${prevHash}\n${canonical}`).digest("hex");
}

/** The hash of a new record chained to `prevHash` (details as jsonb gives them back). */
function entryHash(prevHash: string, id: number, at: string, entry: AuditEntry, details: unknown): string {
  const { actorId, action, subjectType, subjectId } = entry;
  return rowHash(prevHash, { id, at, actorId, action, subjectType, subjectId, details });
}

/** Append one audit record inside the caller's transaction. Returns its id and hash. */
export async function appendAudit(tx: Db, entry: AuditEntry): Promise<{ id: number; hash: string }> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`);
  const [last] = await rows<{ hash: string }>(tx, sql`SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1`);
  const [{ id }] = await rows<{ id: string | number }>(tx, sql`SELECT nextval('audit_log_id_seq') AS id`);
  const prevHash = last?.hash ?? GENESIS;
  // Round-trip through JSON so what we hash is what jsonb gives back (dates → strings, no undefined).
  const details = JSON.parse(JSON.stringify(entry.details ?? {}));
  const at = new Date().toISOString();
  const hash = entryHash(prevHash, Number(id), at, entry, details);
  await tx.execute(sql`INSERT INTO audit_log (id, at, actor_id, action, subject_type, subject_id, details, prev_hash, hash)
    VALUES (${Number(id)}, ${at}, ${entry.actorId}, ${entry.action}, ${entry.subjectType}, ${String(entry.subjectId)},
            ${JSON.stringify(details)}::jsonb, ${prevHash}, ${hash})`);
  return { id: Number(id), hash };
}

/** Append many records in one statement (the sweep): same chain, same lock, one round trip. */
export async function appendAuditBatch(tx: Db, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`);
  const [last] = await rows<{ hash: string }>(tx, sql`SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1`);
  const ids = await rows<{ id: string | number }>(
    tx,
    sql`SELECT nextval('audit_log_id_seq') AS id FROM generate_series(1, ${entries.length})`,
  );
  const sorted = ids.map((r) => Number(r.id)).sort((a, b) => a - b);
  let prevHash = last?.hash ?? GENESIS;
  const at = new Date().toISOString();
  const values = entries.map((entry, i) => {
    const details = JSON.parse(JSON.stringify(entry.details ?? {}));
    const id = sorted[i];
    const hash = entryHash(prevHash, id, at, entry, details);
    const v = sql`(${id}, ${at}::timestamptz, ${entry.actorId}::integer, ${entry.action}, ${entry.subjectType}, ${String(entry.subjectId)}, ${JSON.stringify(details)}::jsonb, ${prevHash}, ${hash})`;
    prevHash = hash;
    return v;
  });
  await tx.execute(sql`INSERT INTO audit_log (id, at, actor_id, action, subject_type, subject_id, details, prev_hash, hash)
    VALUES ${sql.join(values, sql`, `)}`);
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  /** The first row whose stored hash or link is wrong. */
  firstBroken?: { id: number; reason: string };
}

/** Walk the chain in id order and report the first broken link. */
export async function verifyAuditChain(db: Db, batch = 5000): Promise<VerifyResult> {
  let prev = GENESIS;
  let afterId = 0;
  let checked = 0;
  for (;;) {
    const page = await rows<{
      id: string | number;
      at: Date | string;
      actor_id: number | null;
      action: string;
      subject_type: string;
      subject_id: string;
      details: unknown;
      prev_hash: string;
      hash: string;
    }>(
      db,
      sql`SELECT id, at, actor_id, action, subject_type, subject_id, details, prev_hash, hash
          FROM audit_log WHERE id > ${afterId} ORDER BY id LIMIT ${batch}`,
    );
    if (page.length === 0) break;
    for (const r of page) {
      const id = Number(r.id);
      const details = typeof r.details === "string" ? JSON.parse(r.details) : r.details;
      if (r.prev_hash !== prev) {
        return { ok: false, checked, firstBroken: { id, reason: "prev_hash does not match the previous row's hash" } };
      }
      const expected = rowHash(prev, {
        id,
        at: new Date(r.at).toISOString(),
        actorId: r.actor_id,
        action: r.action,
        subjectType: r.subject_type,
        subjectId: r.subject_id,
        details,
      });
      if (expected !== r.hash) {
        return { ok: false, checked, firstBroken: { id, reason: "row content does not match its hash" } };
      }
      prev = r.hash;
      checked++;
      afterId = id;
    }
  }
  return { ok: true, checked };
}

/** Audit records about one subject, oldest first (for the ticket page). */
export async function auditFor(db: Db, subjectType: string, subjectId: string) {
  return rows<{
    id: number;
    at: Date;
    actor_id: number | null;
    action: string;
    details: unknown;
    actor_name: string | null;
  }>(
    db,
    sql`SELECT a.id, a.at, a.actor_id, a.action, a.details, u.display_name AS actor_name
        FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
        WHERE a.subject_type = ${subjectType} AND a.subject_id = ${subjectId} ORDER BY a.id`,
  );
}

/** The latest audit records, newest first (the console's audit page). */
export async function recentAudit(db: Db, limit = 100) {
  return rows<{
    id: number;
    at: Date;
    actor_name: string | null;
    action: string;
    subject_type: string;
    subject_id: string;
    details: unknown;
  }>(
    db,
    sql`SELECT a.id, a.at, u.display_name AS actor_name, a.action, a.subject_type, a.subject_id, a.details
        FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id ORDER BY a.id DESC LIMIT ${limit}`,
  );
}
