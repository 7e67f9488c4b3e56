import postgres from "postgres";
import { env } from "../lib/env";
import { log } from "../lib/log";

// Background jobs that must not run on two nodes at once take a PostgreSQL session advisory lock on a
// connection of their own (a pooled connection would hand the lock to whichever query came next). The
// lock dies with that connection, so a node that crashes mid-job frees it for the next node's tick.
// The embedded database has one process by construction: the job simply runs.

let lockClient: postgres.Sql | undefined;

function client(url: string) {
  lockClient ??= postgres(url, {
    max: 4,
    idle_timeout: 60,
    onnotice: () => {},
    connection: { application_name: "sunshine-locks" },
  });
  return lockClient;
}

/**
 * Run `job` only if no other process holds the lock `name` (then returns { ran: true }); otherwise skip
 * it at once (returns { ran: false }) — the holder is doing the work.
 */
export async function withAdvisoryLock<T>(
  name: string,
  job: () => Promise<T>,
): Promise<{ ran: true; result: T } | { ran: false }> {
  const url = env().DATABASE_URL;
  if (!url) return { ran: true, result: await job() };
  const reserved = await client(url).reserve();
  try {
    const [row] = await reserved<{ got: boolean }[]>`
      SELECT pg_try_advisory_lock(('x' || substr(md5(${`sunshine:${name}`}), 1, 16))::bit(64)::bigint) AS got`;
    if (!row?.got) return { ran: false };
    try {
      return { ran: true, result: await job() };
    } finally {
      await reserved`SELECT pg_advisory_unlock(('x' || substr(md5(${`sunshine:${name}`}), 1, 16))::bit(64)::bigint)`.catch(
        (err) => log.warn("advisory unlock failed", { lock: name, error: (err as Error).message }),
      );
    }
  } finally {
    reserved.release();
  }
}

export async function closeAdvisoryLocks() {
  const c = lockClient;
  lockClient = undefined;
  await c?.end({ timeout: 2 });
}
