import type { AstroGlobal } from "astro";
import { type Db, getDb } from "../../db/client";
import { readDb } from "../../db/replica";
import { isReplicaEligible } from "../../lib/read-routing";

/**
 * The database a page reads: the read replica (within its lag threshold, else the primary) for an
 * anonymous GET of a public page, the primary for everything else — the API's rule (lib/read-routing.ts).
 */
export async function pageDb(page: Pick<AstroGlobal, "request" | "url">): Promise<Db> {
  const { request, url } = page;
  return isReplicaEligible(request.method, url.pathname, request.headers.get("cookie")) ? readDb() : getDb();
}
