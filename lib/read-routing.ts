import { STAFF_COOKIE_PREFIX } from "./cache-policy";

// Which requests may be answered from the read replica (DATABASE_REPLICA_URL) — one rule for the API
// (api/middleware/read-routing.ts) and the pages (site/lib/read-db.ts). Anonymous GET/HEAD reads of
// what anyone may see — the funds explorer and its exports, notices, projects, villages, assets,
// search, statistics, the archive, the honour roll, policies, feeds — may be served a few seconds
// stale (db/replica.ts falls back to the primary beyond REPLICA_MAX_LAG_SECONDS). Everything else —
// writes, forms, a reporter following a ticket (/track), anything with a staff session — goes to the
// primary, which sees its own writes.

const PUBLIC_API_READS =
  /^\/api\/(funds|notices|projects|search|stats|archive\/items|yearbook|honors|policies|reference)(\/|$)/;
const PUBLIC_PAGE_READS =
  /^\/(funds(\/\d+)?|notices(\/\d+)?|projects(\/\d+)?|villages(\/\d+)?|assets|stats|search|archive(\/(items|photos(\/\d+(\/[\w.-]+)?)?|yearbook(\/\d+)?))?|honors(\/\d+(\/photo\/[\w.-]+)?)?|policies(\/[\w-]+)?|feeds\/[\w.-]+|sitemap\.xml)\/?$/;

/** May this request read from the replica? Pure. */
export function isReplicaEligible(method: string, path: string, cookie: string | null | undefined): boolean {
  if (method !== "GET" && method !== "HEAD") return false;
  if (cookie?.includes(STAFF_COOKIE_PREFIX)) return false;
  return PUBLIC_API_READS.test(path) || PUBLIC_PAGE_READS.test(path);
}
