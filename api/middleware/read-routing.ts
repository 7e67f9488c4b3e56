import type { MiddlewareHandler } from "hono";
import { getDb } from "../../db/client";
import { readDb } from "../../db/replica";
import { isReplicaEligible } from "../../lib/read-routing";
import type { AppEnv } from "../context";

// Which database a request's handler gets as c.var.db: the read replica for anonymous public reads
// (lib/read-routing.ts, the same rule the pages use), else the primary.
export const routeReads: MiddlewareHandler<AppEnv> = async (c, next) => {
  // The health probes answer without a database handle (they must work while it is down).
  if (!c.req.path.startsWith("/api/health")) {
    const replica = isReplicaEligible(c.req.method, c.req.path, c.req.header("cookie"));
    c.set("db", replica ? await readDb() : await getDb());
  }
  await next();
};
