import type { Db } from "../../db/client";
import { type AuditEntry, appendAudit } from "../audit/audit-log";

/** Publishing actions go to the staff audit trail (hash-chained), inside the same transaction. */
export async function audit(tx: Db, entry: AuditEntry) {
  await appendAudit(tx, entry);
}
