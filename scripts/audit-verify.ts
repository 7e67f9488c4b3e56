import { closeDatabase } from "../db/client";
import { verifyAuditChain } from "../domain/audit/audit-log";
import { prepare } from "../server/boot";

// npm run audit:verify — walk the audit log's hash chain; exit 1 and name the first broken link.
const { db } = await prepare();
const r = await verifyAuditChain(db);
await closeDatabase();
if (r.ok) {
  console.log(`audit chain OK: ${r.checked} records`);
} else {
  console.error(
    `audit chain BROKEN at record #${r.firstBroken?.id}: ${r.firstBroken?.reason} (${r.checked} records before it are intact)`,
  );
  process.exit(1);
}
