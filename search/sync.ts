import type { Db } from "../db/client";
import { searchOutbox } from "../db/schema";
import type { SearchType } from "./contract";

/**
 * Record that these items changed, inside the caller's transaction: the index follows the database
 * because the change and its queue entry commit (or roll back) together.
 */
export async function syncSearch(tx: Db, type: SearchType, ids: (string | number)[]) {
  if (ids.length === 0) return;
  await tx.insert(searchOutbox).values(ids.map((id) => ({ docType: type, docId: String(id) })));
}
