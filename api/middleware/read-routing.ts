import type { MiddlewareHandler } from "hono";
import { getDb } from "../../db/client";
import { readDb } from "../../db/replica";
import { SESSION_COOKIE } from "../../domain/auth/session";
import type { AppEnv } from "../context";

// Which database a request's handler gets as c.var.db. Anonymous public reads (GET/HEAD of the funds
// explorer and its exports, notices, projects, search, statistics, archive, honour roll, policies) may
// be answered from the read replica (readDb(): the replica while it is within REPLICA_MAX_LAG_SECONDS,
// else the primary). Everything else — writes, a reporter following a ticket, anything with a staff
// session (its session row is updated on use) — goes to the primary, which sees its own writes.
const PUBLIC_READS =
  /^\/api\/(funds|notices|projects|search|stats|archive\/items|yearbook|honors|policies|reference)(\/|$)/;

export function isReplicaEligible(method: string, path: string, cookie: string | undefined): boolean {
  if (method !== "GET" && method !== "HEAD") return false;
  if (cookie?.includes(`${SESSION_COOKIE}=`)) return false;
  return PUBLIC_READS.test(path);
}

export const routeReads: MiddlewareHandler<AppEnv> = async (c, next) => {
  // The health probes answer without a database handle (they must work while it is down).
  if (!c.req.path.startsWith("/api/health")) {
    const replica = isReplicaEligible(c.req.method, c.req.path, c.req.header("cookie"));
    c.set("db", replica ? await readDb() : await getDb());
  }
  await next();
};
